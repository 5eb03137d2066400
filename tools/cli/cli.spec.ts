import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../cluster/free-port';
import { LocalCluster } from '../cluster/local-cluster';

const CLI = path.join(__dirname, 'tributary.js');
/** Generous: the CLI starts through swc on a machine other test runs share. */
const RUN_TIMEOUT_MS = 30_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  input?: string;
  bootstrap?: string;
  /** Called with the child's output so far; may signal it (Ctrl-C tests). */
  onStdout?: (stdout: string, signal: (name: NodeJS.Signals) => void) => void;
}

/** The CLI as a user runs it: a child process, stdin in, stdout/stderr and the exit code out. */
function tributary(cluster: LocalCluster, args: string[], options: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, TRIBUTARY_BOOTSTRAP: options.bootstrap ?? cluster.bootstrap }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tributary ${args.join(' ')} did not finish in ${RUN_TIMEOUT_MS} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, RUN_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onStdout?.(stdout, (name) => child.kill(name));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.length > 0);
}

/** Rows of a `columns()` table as objects keyed by its header. */
function table(text: string, header: string): Record<string, string>[] {
  const all = lines(text);
  const at = all.findIndex((line) => line.startsWith(header));
  if (at < 0) throw new Error(`no table starting "${header}" in:\n${text}`);
  const names = all[at].split(/\s+/);
  const rows: Record<string, string>[] = [];
  for (const line of all.slice(at + 1)) {
    const cells = line.trim().split(/\s+/);
    if (cells.length !== names.length) break;
    rows.push(Object.fromEntries(names.map((name, i) => [name, cells[i]])));
  }
  return rows;
}

function expectOneLineError(run: Run, code: number, ...fragments: string[]): void {
  expect(run.code).toBe(code);
  expect(lines(run.stderr)).toHaveLength(1);
  expect(run.stderr).toMatch(/^error: /);
  for (const fragment of fragments) expect(run.stderr).toContain(fragment);
}

describe('tributary CLI against a local cluster', () => {
  let cluster: LocalCluster;
  const cli = (args: string[], options?: RunOptions) => tributary(cluster, args, options);

  beforeAll(async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 1 });
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('creates, lists, describes, reconfigures and deletes a topic', async () => {
    const created = await cli(['topics', 'create', 'lifecycle', '--partitions', '3', '--config', 'retention.ms=3600000']);
    expect(created).toMatchObject({ code: 0, stdout: 'created topic lifecycle (3 partitions, replication factor 1)\n' });
    expect(lines((await cli(['topics', 'list'])).stdout)).toContain('lifecycle');

    const described = await cli(['topics', 'describe', 'lifecycle']);
    expect(described.code).toBe(0);
    expect(described.stdout).toContain('PartitionCount: 3  ReplicationFactor: 1');
    expect(described.stdout).toContain('Configs: retention.ms=3600000');
    const brokerId = String(cluster.brokers[0].id);
    expect(table(described.stdout, 'PARTITION')).toEqual(['0', '1', '2'].map((partition) => ({ PARTITION: partition, LEADER: brokerId, REPLICAS: brokerId, ISR: brokerId })));

    expect((await cli(['topics', 'alter-config', 'lifecycle', '--set', 'retention.ms=7200000', '--set', 'cleanup.policy=compact'])).code).toBe(0);
    expect((await cli(['topics', 'describe', 'lifecycle'])).stdout).toContain('Configs: cleanup.policy=compact, retention.ms=7200000');

    expect(await cli(['topics', 'delete', 'lifecycle'])).toMatchObject({ code: 0, stdout: 'deleted topic lifecycle\n' });
    expect(lines((await cli(['topics', 'list'])).stdout)).not.toContain('lifecycle');
    expectOneLineError(await cli(['topics', 'describe', 'lifecycle']), 1, 'lifecycle', 'UNKNOWN_TOPIC_OR_PARTITION', "'tributary topics list'");
  }, 60_000);

  it('produces keyed lines with headers from stdin and a file, and consumes them as JSON lines, by offset and by time', async () => {
    expect((await cli(['topics', 'create', 'events', '--partitions', '2'])).code).toBe(0);
    const produced = await cli(['produce', 'events', '--key-separator', ':', '--header', 'source=cli', '--header', 'run=1'], { input: 'user-1:signed up\nuser-2:paid\nuser-1:left\nuser-3:{"json":true}\n' });
    expect(produced.code).toBe(0);
    expect(produced.stdout).toMatch(/^produced 4 records to topic events; last offsets: partition \d at \d/);

    const consumed = await cli(['consume', 'events', '--from-beginning', '--format', 'json', '--max-messages', '4']);
    expect(consumed.code).toBe(0);
    expect(consumed.stderr).toBe('consumed 4 records\n');
    const records = lines(consumed.stdout).map((line) => JSON.parse(line) as { topic: string; partition: number; offset: number; timestamp: number; key: string; value: string; headers: Record<string, string> });
    expect(records.map((r) => `${r.key}=${r.value}`).sort()).toEqual(['user-1=left', 'user-1=signed up', 'user-2=paid', 'user-3={"json":true}']);
    for (const r of records) {
      expect(r).toMatchObject({ topic: 'events', headers: { source: 'cli', run: '1' } });
      expect(Number.isInteger(r.offset) && r.offset >= 0).toBe(true);
      expect(Math.abs(r.timestamp - Date.now())).toBeLessThan(120_000);
    }
    // one key, one partition, in order
    const user1 = records.filter((r) => r.key === 'user-1');
    expect(user1[0].partition).toBe(user1[1].partition);
    expect(user1.map((r) => r.value)).toEqual(['signed up', 'left']);

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-cli-')), 'lines.txt');
    fs.writeFileSync(file, 'from-file-1\nfrom-file-2\nfrom-file-3\n');
    const fromFile = await cli(['produce', 'events', '--file', file, '--partition', '1', '--acks', '1']);
    const lastOffset = Number(/partition 1 at (\d+)$/m.exec(fromFile.stdout)?.[1]);
    expect(fromFile.stdout).toMatch(/^produced 3 records to topic events; last offsets: partition 1 at \d+\n$/);
    const byOffset = await cli(['consume', 'events', '--partition', '1', '--offset', String(lastOffset - 1), '--max-messages', '2']);
    expect(byOffset).toMatchObject({ code: 0, stdout: 'from-file-2\nfrom-file-3\n' });

    const since = Date.now() + 1;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await cli(['produce', 'events', '--partition', '0'], { input: 'later\n' })).code).toBe(0);
    const byTime = await cli(['consume', 'events', '--timestamp', new Date(since).toISOString(), '--idle-timeout', '3000']);
    expect(byTime).toMatchObject({ code: 0, stdout: 'later\n', stderr: 'consumed 1 record\n' });
  }, 60_000);

  it('consumes as a group (lag 0 after), resets its offsets only with --execute, and commits on Ctrl-C', async () => {
    expect((await cli(['topics', 'create', 'grouped', '--partitions', '2'])).code).toBe(0);
    const values = Array.from({ length: 10 }, (_, i) => `g-${i}`);
    expect((await cli(['produce', 'grouped'], { input: `${values.join('\n')}\n` })).code).toBe(0);

    const consumed = await cli(['consume', 'grouped', '--group', 'audit', '--from-beginning', '--max-messages', '10']);
    expect(consumed.code).toBe(0);
    expect(lines(consumed.stdout).sort()).toEqual([...values].sort());
    expect(table((await cli(['groups', 'list'])).stdout, 'GROUP')).toContainEqual({ GROUP: 'audit', STATE: 'Empty', 'PROTOCOL-TYPE': 'consumer' });

    const lagOf = async () => {
      const described = await cli(['groups', 'describe', 'audit']);
      expect(described.code).toBe(0);
      const rows = table(described.stdout, 'TOPIC');
      expect(rows.map((r) => r.PARTITION).sort()).toEqual(['0', '1']);
      return rows.reduce((sum, r) => sum + Number(r.LAG), 0);
    };
    // the member left when it stopped, so the group is Empty and has committed everything it printed
    expect((await cli(['groups', 'describe', 'audit'])).stdout).toContain('State: Empty');
    expect(await lagOf()).toBe(0);

    const dryRun = await cli(['groups', 'reset-offsets', 'audit', '--topic', 'grouped', '--to-earliest']);
    expect(dryRun.code).toBe(0);
    expect(table(dryRun.stdout, 'TOPIC').map((r) => r['NEW-OFFSET'])).toEqual(['0', '0']);
    expect(dryRun.stdout).toContain('dry run: nothing changed; add --execute');
    expect(await lagOf()).toBe(0);

    const executed = await cli(['groups', 'reset-offsets', 'audit', '--topic', 'grouped', '--to-earliest', '--execute']);
    expect(executed.code).toBe(0);
    expect(executed.stdout).toContain('committed the new offsets of group audit');
    expect(await lagOf()).toBe(10);

    // no limit this time: Ctrl-C once everything is printed stops the member, which commits first
    let interruptSent = false;
    const interrupted = await cli(['consume', 'grouped', '--group', 'audit'], {
      onStdout: (stdout, signal) => {
        if (interruptSent || lines(stdout).length < values.length) return;
        interruptSent = true;
        signal('SIGINT');
      },
    });
    expect(interrupted.code).toBe(0);
    expect(lines(interrupted.stdout).sort()).toEqual([...values].sort());
    expect(await lagOf()).toBe(0);
  }, 60_000);

  it('shows brokers, controllers and health', async () => {
    const brokers = await cli(['cluster', 'brokers']);
    expect(brokers.code).toBe(0);
    expect(table(brokers.stdout, 'ID')).toEqual([{ ID: String(cluster.brokers[0].id), ADDRESS: cluster.bootstrap, RACK: '-', CONTROLLER: 'yes' }]);

    const controllers = await cli(['cluster', 'controllers', '--health-url', `http://127.0.0.1:${cluster.controllers[0].httpPort}`]);
    expect(controllers.code).toBe(0);
    expect(table(controllers.stdout, 'URL')).toEqual([expect.objectContaining({ NODE: '1', ROLE: 'active', READY: 'yes' })]);

    const health = await cli(['cluster', 'health']);
    expect(health.code).toBe(0);
    expect(health.stdout).toContain('brokers: 1 live, 1 answering');
    expect(health.stdout).toMatch(/\bhealthy\n$/);
  }, 60_000);

  it('explains an unreachable cluster, a bad flag, a bad value and an unknown topic in one line each', async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    expectOneLineError(await cli(['topics', 'list'], { bootstrap: closed }), 1, `cannot reach the cluster at ${closed}`, '--bootstrap');
    expectOneLineError(await cli(['cluster', 'health'], { bootstrap: closed }), 1, 'cannot reach the cluster');
    expectOneLineError(await cli(['consume', 'events', '--frm-beginning']), 2, "unknown option '--frm-beginning'", 'did you mean --from-beginning?', "'tributary consume --help'");
    expectOneLineError(await cli(['topics', 'create', 'x', '--partitions', 'many']), 2, '--partitions', 'positive integer', "'tributary topics create --help'");
    expectOneLineError(await cli(['produce', 'no-such-topic'], { input: 'x\n' }), 1, 'topic "no-such-topic" does not exist', 'tributary topics create no-such-topic');
    // --verbose adds the stack trace
    const verbose = await cli(['consume', 'no-such-topic', '--verbose']);
    expect(verbose.code).toBe(1);
    expect(lines(verbose.stderr).length).toBeGreaterThan(1);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  }, 60_000);

  it('runs the producer, consumer and end-to-end perf tools and prints their summaries', async () => {
    expect((await cli(['topics', 'create', 'perf', '--partitions', '2'])).code).toBe(0);
    const produced = await cli(['perf', 'producer', '--topic', 'perf', '--records', '5000', '--record-size', '100', '--acks', '1']);
    expect(produced.code).toBe(0);
    expect(produced.stdout).toMatch(/^5,000 records sent in [\d.]+ s: [\d,]+ records\/s \([\d.]+ MB\/s\)\nlatency \(send to ack\): avg [\d.]+ ms, p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms, p99\.9 [\d.]+ ms, max [\d.]+ ms\n$/);

    const consumed = await cli(['perf', 'consumer', '--topic', 'perf', '--records', '5000', '--json']);
    expect(consumed.code).toBe(0);
    const result = JSON.parse(consumed.stdout) as { records: number; bytes: number; timedOut: boolean; rssPeakMiB: number };
    expect(result).toMatchObject({ records: 5000, bytes: 500_000, timedOut: false });
    expect(result.rssPeakMiB).toBeGreaterThan(0);

    // the warm-up records go through first and are neither counted nor timed
    const e2e = await cli(['perf', 'e2e', '--topic', 'perf', '--records', '2000', '--throughput', '2000', '--warmup-records', '500']);
    expect(e2e.code).toBe(0);
    expect(e2e.stdout).toMatch(/^2,000 of 2,000 records arrived, sent at 2,000 records\/s after 500 warm-up records\nlatency \(send to consumer\): avg [\d.]+ ms, p50 [\d.]+ ms, p95 [\d.]+ ms, p99 [\d.]+ ms, p99\.9 [\d.]+ ms, max [\d.]+ ms\n$/);
  }, 60_000);
});
