import { ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const exec = promisify(execFile);

async function waitForHealth(url: string, deadlineMs: number): Promise<Record<string, unknown>> {
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return (await response.json()) as Record<string, unknown>;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadlineMs) throw new Error(`${url} did not answer in time`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('npm start (tools/scripts/start.mjs)', () => {
  let child: ChildProcess | undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-start-'));

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts every app as a child process, serves Kafka, and stops them all on Ctrl-C', async () => {
    const ports = { CONTROLLER_HTTP_PORT: '19644', BROKER_HTTP_PORT: '19645', GATEWAY_HTTP_PORT: '18080', BROKER_KAFKA_PORT: '19092', CONTROLLER_RPC_PORT: '19093' };
    child = spawn(process.execPath, [path.join(ROOT, 'tools/scripts/start.mjs')], {
      cwd: ROOT,
      env: { ...process.env, ...ports, TRIBUTARY_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (c) => (output += c));
    const deadline = Date.now() + 30_000;
    for (const [role, port] of [['controller', 19644], ['broker', 19645], ['gateway', 18080]] as const) {
      expect(await waitForHealth(`http://127.0.0.1:${port}/health`, deadline)).toMatchObject({ status: 'ok', role });
    }
    expect(output).toContain(dataDir);
    for (let attempt = 0; attempt < 300 && !output.includes('Tributary is up.'); attempt++) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain('Kafka bootstrap   127.0.0.1:19092');
    // the printed console and docs URLs answer with their pages
    expect(output).toContain('web console       http://127.0.0.1:18080/console');
    expect(output).toContain('docs http://127.0.0.1:18080/docs');
    for (const [url, type] of [['http://127.0.0.1:18080/console', 'text/html'], ['http://127.0.0.1:18080/docs', 'text/html']]) {
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain(type);
    }
    // the cluster serves Kafka: kcat produces (the topic is auto-created) and reads it back
    const produce = exec('kcat', ['-b', '127.0.0.1:19092', '-P', '-t', 'hello']);
    produce.child.stdin?.end('from npm start\n');
    await produce;
    const { stdout } = await exec('kcat', ['-b', '127.0.0.1:19092', '-C', '-t', 'hello', '-o', 'beginning', '-e', '-q']);
    expect(stdout.trim()).toBe('from npm start');

    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const port of [19644, 19645, 18080]) {
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    }
  }, 60_000);
});
