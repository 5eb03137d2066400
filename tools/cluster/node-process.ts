import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export type Role = 'controller' | 'broker' | 'gateway';

/** Lines kept from each process's output for failure reports (bounded). */
const MAX_LOG_LINES = 400;

/**
 * One app process of a local cluster: started with its flags, watched through its health
 * endpoint, killed with any signal and restarted with the same flags (same data directory).
 */
export class NodeProcess {
  private child: ChildProcess | null = null;
  private readonly lines: string[] = [];
  private exitWaiters: ((code: number | null) => void)[] = [];

  constructor(
    readonly role: Role,
    readonly id: number,
    readonly args: string[],
    readonly httpPort: number,
    readonly ports: Record<string, number>,
  ) {}

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get healthUrl(): string {
    return `http://127.0.0.1:${this.httpPort}/health`;
  }

  /** The last lines the process printed (stdout and stderr). */
  recentOutput(): string {
    return this.lines.join('\n');
  }

  start(): void {
    if (this.running) throw new Error(`${this.role}-${this.id} is already running`);
    // TRIBUTARY_NODE_ARGS adds Node flags to every node, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof' to profile a benchmark
    const nodeArgs = (process.env.TRIBUTARY_NODE_ARGS ?? '').split(' ').filter((arg) => arg.length > 0);
    const child = spawn(process.execPath, [...nodeArgs, '-r', './tools/scripts/register.js', path.join(REPO_ROOT, `apps/${this.role}/src/main.ts`), ...this.args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.length === 0) continue;
        this.lines.push(line);
        if (this.lines.length > MAX_LOG_LINES) this.lines.shift();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code) => {
      for (const waiter of this.exitWaiters.splice(0)) waiter(code);
    });
  }

  /** Polls the health endpoint (or readiness, /health/ready) until it answers 200. */
  async waitHealthy(timeoutMs = 30_000, ready = false): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const url = ready ? `${this.healthUrl}/ready` : this.healthUrl;
    for (;;) {
      if (!this.running) throw new Error(`${this.role}-${this.id} exited before it was healthy:\n${this.recentOutput()}`);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
        if (response.ok) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`${this.role}-${this.id} not ${ready ? 'ready' : 'healthy'} after ${timeoutMs} ms:\n${this.recentOutput()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Sends `signal` and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10_000): Promise<number | null> {
    const child = this.child;
    if (!child || !this.running) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => this.exitWaiters.push(resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async restart(): Promise<void> {
    await this.kill('SIGKILL');
    this.start();
    await this.waitHealthy(30_000, this.role !== 'gateway');
  }
}
