import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

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

  it('starts every app as a child process and stops them all on Ctrl-C', async () => {
    const ports = { CONTROLLER_HTTP_PORT: '19644', BROKER_HTTP_PORT: '19645', GATEWAY_HTTP_PORT: '18080' };
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

    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const port of [19644, 19645, 18080]) {
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    }
  }, 60_000);
});
