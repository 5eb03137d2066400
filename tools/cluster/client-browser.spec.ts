import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Browser, chromium, Page, WebSocket as PageWebSocket } from 'playwright-core';
import { freePort } from './free-port';
import { LocalCluster } from './local-cluster';

const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const PACKAGE_DIR = path.join(ROOT, 'dist/libs/client');
/** Debian's chromium (`apt-get install -y chromium`); playwright never downloads a browser here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** The longest any one wait in the browser may take. */
const STEP_TIMEOUT_MS = 20_000;
/** Records the page grants the gateway at a time: far fewer than it receives, so credit has to flow back. */
const CREDIT = 8;

/**
 * A web app of the packed package, as a bundler would build it for a page: everything it does
 * goes through '@tributary/client/browser' (the REST SDK and the WebSocket subscription helper),
 * against its own origin. The test drives it through window.app.
 */
const APP = `
import { GatewaySubscription, rest } from '@tributary/client/browser';

const client = rest.createGatewayClient({ baseUrl: location.origin });
const state = { received: [], errors: [], failure: null };
let clusterId;
let subscription;

window.app = {
  async createTopic(topic, partitions) {
    const clusters = await rest.listClusters({ client, throwOnError: true });
    clusterId = clusters.data.data[0].cluster_id;
    await rest.createTopic({ client, path: { cluster_id: clusterId }, body: { topic_name: topic, partitions_count: partitions, replication_factor: 1 }, throwOnError: true });
  },
  async produce(topic, records) {
    const entries = records.map((r, i) => ({ id: String(i), partition_id: r.partition, key: { type: 'STRING', data: r.key }, value: { type: 'JSON', data: r.value } }));
    const { data } = await rest.produceRecordBatch({ client, path: { cluster_id: clusterId, topic_name: topic }, body: { entries }, throwOnError: true });
    return data;
  },
  subscribe(topic, credit) {
    subscription = new GatewaySubscription({
      url: 'ws://' + location.host + '/v1/ws', topics: [topic], from: 'earliest', valueFormat: 'json', credit,
      reconnect: { initialDelayMs: 50, maxDelayMs: 500 }, onError: (error) => state.errors.push(error.message),
    });
    // a handler that takes a moment, as a page rendering each record would: the credit window fills
    subscription.onRecord(async (r) => {
      state.received.push({ partition: r.partition, offset: r.offset, key: r.key, value: r.value });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }).catch((error) => (state.failure = String(error)));
    return subscription.start();
  },
  close: () => subscription.close(),
  state: () => state,
};
`;

const PAGE = '<!doctype html><html><head><meta charset="utf-8"><script type="module" src="/app.js"></script></head><body>browser entry test</body></html>';

/**
 * Serves the page and its bundle, and passes everything else (REST calls, WebSocket upgrades) to
 * the gateway, so the page talks to it from its own origin; it can cut every WebSocket it passed,
 * as a network drop would.
 */
class PageServer {
  private readonly tunnels = new Set<net.Socket>();
  private server!: http.Server;
  port = 0;

  constructor(
    private readonly bundle: string,
    private readonly gatewayPort: number,
  ) {}

  async start(): Promise<void> {
    this.port = await freePort();
    this.server = http.createServer((request, response) => {
      if (request.url === '/') return void response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      if (request.url === '/app.js') return void response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(this.bundle);
      const upstream = http.request({ host: '127.0.0.1', port: this.gatewayPort, method: request.method, path: request.url, headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      upstream.on('error', () => response.destroy());
      request.pipe(upstream);
    });
    this.server.on('upgrade', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      const gateway = net.connect(this.gatewayPort, '127.0.0.1', () => {
        const headers = request.rawHeaders.map((item, i) => (i % 2 === 0 ? `${item}: ` : `${item}\r\n`)).join('');
        gateway.write(`${request.method} ${request.url} HTTP/1.1\r\n${headers}\r\n`);
        gateway.write(head);
        gateway.pipe(client).pipe(gateway);
      });
      for (const socket of [client, gateway]) {
        this.tunnels.add(socket);
        socket.on('close', () => this.tunnels.delete(socket));
        socket.on('error', () => (socket === client ? gateway : client).destroy());
      }
    });
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  /** Drops every WebSocket connection passed through so far (both sides, no close frame). */
  cutWebSockets(): number {
    const cut = this.tunnels.size / 2;
    for (const socket of this.tunnels) socket.destroy();
    return cut;
  }

  async stop(): Promise<void> {
    this.cutWebSockets();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

interface Delivered {
  partition: number;
  offset: number;
}

/** What one WebSocket of the page said, as chromium saw it: its subscribe frame, the credit it granted and the records it got. */
class SocketLog {
  subscribe: { credit: number; partitions?: { topic: string; partition: number; offset: number }[] } | null = null;
  creditFrames = 0;
  granted = 0;
  delivered: Delivered[] = [];
  /** Most records the gateway ever had out beyond what was granted on this socket (must stay 0). */
  overdrawn = 0;

  constructor(socket: PageWebSocket) {
    socket.on('framesent', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as { type: string; credit?: number; records?: number; partitions?: never };
      if (frame.type === 'subscribe') {
        this.subscribe = frame as never;
        this.granted += frame.credit ?? 0;
      }
      if (frame.type === 'credit') {
        this.creditFrames++;
        this.granted += frame.records ?? 0;
      }
    });
    socket.on('framereceived', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as { type: string; records?: Delivered[] };
      if (frame.type !== 'records') return;
      this.delivered.push(...(frame.records ?? []).map(({ partition, offset }) => ({ partition, offset })));
      this.overdrawn = Math.max(this.overdrawn, this.delivered.length - this.granted);
    });
  }
}

interface AppState {
  received: { partition: number; offset: number; key: string; value: unknown }[];
  errors: string[];
  failure: string | null;
}

/** window.app of the page (APP); page.evaluate callbacks run there, so they reach it through globalThis. */
interface PageGlobals {
  app: {
    createTopic(topic: string, partitions: number): Promise<void>;
    produce(topic: string, records: { partition: number; key: string; value: unknown }[]): Promise<{ successes: { id: string; partition_id: number; offset: number }[]; failures: unknown[] }>;
    subscribe(topic: string, credit: number): Promise<void>;
    close(): Promise<void>;
    state(): AppState;
  };
}

/** '@tributary/client/browser' from the packed npm package, bundled for the browser and run in chromium against a real gateway. */
describe('the browser entry of @tributary/client in chromium', () => {
  let cluster: LocalCluster;
  let project: string;
  let bundleInputs: string[];
  let server: PageServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const sockets: SocketLog[] = [];

  beforeAll(async () => {
    // a missing browser is a failure with its remedy, never a silently skipped suite
    if (!fs.existsSync(CHROMIUM)) throw new Error(`this test needs chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-client-browser-'));
    const bundle = (async () => {
      // built, packed and installed as in client-package.spec.ts: what npm users get
      await exec('node', ['-r', './tools/scripts/register.js', 'tools/package/build-client-package.ts'], { cwd: ROOT, timeout: 60_000 });
      const { stdout } = await exec('npm', ['pack', '--pack-destination', project], { cwd: PACKAGE_DIR, timeout: 30_000 });
      fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'browser-user', version: '1.0.0', private: true }));
      await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(project, stdout.trim().split('\n').at(-1)!)], { cwd: project, timeout: 60_000 });
      fs.writeFileSync(path.join(project, 'app.mjs'), APP);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the workspace's esbuild, resolved from the repository
      const esbuild = require(require.resolve('esbuild', { paths: [ROOT] })) as typeof import('esbuild');
      const result = await esbuild.build({ absWorkingDir: project, entryPoints: ['app.mjs'], bundle: true, platform: 'browser', format: 'esm', target: 'es2022', write: false, metafile: true, logLevel: 'silent' });
      bundleInputs = Object.keys(result.metafile.inputs);
      return result.outputFiles[0].text;
    })();
    const launched = chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
    const started = LocalCluster.start({ controllers: 1, brokers: 1, gateway: true });
    let code: string;
    [cluster, code, browser] = await Promise.all([started, bundle, launched]);
    server = new PageServer(code, cluster.gateway!.httpPort);
    await server.start();
    page = await browser.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('websocket', (socket) => sockets.push(new SocketLog(socket)));
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.waitForFunction(() => 'app' in globalThis);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await cluster?.stop();
    if (project) fs.rmSync(project, { recursive: true, force: true });
  }, 60_000);

  const state = () => page.evaluate(() => (globalThis as unknown as PageGlobals).app.state());
  const produce = (topic: string, records: { partition: number; key: string; value: unknown }[]) => page.evaluate(([t, r]) => (globalThis as unknown as PageGlobals).app.produce(t, r), [topic, records] as const);
  const receivedAtLeast = (count: number) =>
    page.waitForFunction((n) => (globalThis as unknown as PageGlobals).app.state().received.length >= n, count, { timeout: STEP_TIMEOUT_MS });

  it('runs the packed entry: produces through the REST SDK and receives every record once over the WebSocket helper, within its credit, across a dropped connection', async () => {
    // the page runs the package's browser entry, bundled for browsers
    expect(bundleInputs).toEqual(expect.arrayContaining(['node_modules/@tributary/client/browser.mjs', 'node_modules/@tributary/client/lib/client/src/gateway/ws-subscription.js']));
    const topic = 'browser-entry';
    await page.evaluate((t) => (globalThis as unknown as PageGlobals).app.createTopic(t, 2), topic);
    await page.evaluate(([t, c]) => (globalThis as unknown as PageGlobals).app.subscribe(t, c), [topic, CREDIT] as const);

    const batch = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ partition: (from + i) % 2, key: `k${from + i}`, value: { n: from + i, text: `record ${from + i} é 😀` } }));
    const first = batch(0, 60);
    const firstAnswer = await produce(topic, first);
    expect(firstAnswer.failures).toEqual([]);

    // mid-stream (some records processed, more granted or queued), the connection drops
    await receivedAtLeast(20);
    expect(server.cutWebSockets()).toBe(1);
    const second = batch(60, 60);
    const secondAnswer = await produce(topic, second);
    expect(secondAnswer.failures).toEqual([]);
    await receivedAtLeast(first.length + second.length);
    await page.evaluate(() => (globalThis as unknown as PageGlobals).app.close());
    const { received, errors, failure } = await state();
    expect(failure).toBeNull();
    expect(pageErrors).toEqual([]);

    // every record produced arrived exactly once, in order per partition, with its key and value
    const produced = [...first, ...second].map((record, i) => ({ ...record, offset: [...firstAnswer.successes, ...secondAnswer.successes][i].offset }));
    for (const partition of [0, 1]) {
      const expected = produced.filter((r) => r.partition === partition).map(({ offset, key, value }) => ({ partition, offset, key, value }));
      expect(received.filter((r) => r.partition === partition)).toEqual(expected);
      expect(expected.map((r) => r.offset)).toEqual(expected.map((_, i) => i));
    }
    expect(received).toHaveLength(produced.length);

    // the helper reconnected on its own and resumed where its acks left off, not from the start
    expect(errors.some((message) => message.startsWith('connection closed (1006'))).toBe(true);
    expect(sockets.length).toBeGreaterThanOrEqual(2);
    const [before, after] = sockets;
    expect(before.delivered.length).toBeGreaterThanOrEqual(20);
    const resumeFrom = after.subscribe?.partitions ?? [];
    expect(resumeFrom.map((p) => p.partition).sort()).toEqual([0, 1]);
    expect(resumeFrom.some((p) => p.offset > 0)).toBe(true);
    for (const { partition, offset } of resumeFrom) {
      // what it asks for next follows what the page had processed before the drop, and the gateway starts there
      expect(offset).toBeLessThanOrEqual(before.delivered.filter((d) => d.partition === partition).length);
      expect(after.delivered.find((d) => d.partition === partition)?.offset).toBe(offset);
    }

    // credit: the gateway never had more out than the page granted on a socket, and the page granted more as it went
    for (const socket of sockets) expect(socket.overdrawn).toBe(0);
    expect(sockets.every((socket) => socket.subscribe?.credit === CREDIT)).toBe(true);
    expect(sockets.reduce((sum, socket) => sum + socket.creditFrames, 0)).toBeGreaterThan(0);
    expect(sockets.reduce((sum, socket) => sum + socket.delivered.length, 0)).toBeGreaterThan(sockets.length * CREDIT);
  }, 60_000);
});
