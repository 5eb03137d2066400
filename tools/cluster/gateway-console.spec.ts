import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import { Browser, chromium, Locator, Page } from 'playwright-core';
import { Admin, ClusterClient, Consumer } from '@tributary/client';
import { freePort } from './free-port';
import { LocalCluster } from './local-cluster';
import { NodeProcess } from './node-process';

const exec = promisify(execFile);

/** Debian's chromium (`apt-get install -y chromium`); playwright never downloads a browser here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** The longest any one step in the browser may take: a wait that ends fails the test with what it waited for. */
const STEP_TIMEOUT_MS = 30_000;
const API_KEY = 'console-key-1';
const BEARER_TOKEN = 'console-token-1';

async function kcatProduce(bootstrap: string, topic: string, lines: string[], extra: string[] = []): Promise<void> {
  const produce = exec('kcat', ['-b', bootstrap, '-P', '-t', topic, '-K', ':', ...extra], { timeout: 60_000 });
  produce.child.stdin?.end(`${lines.join('\n')}\n`);
  await produce;
}

async function until(done: () => boolean | Promise<boolean>, what: string, timeoutMs = STEP_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The texts of every cell of a table's body, row by row. */
async function rows(table: Locator): Promise<string[][]> {
  const all = await table.locator('tbody tr').all();
  return Promise.all(all.map((row) => row.locator('td').allInnerTexts()));
}

/** Waits (bounded) for a row of `table` whose cells start with `cells`, and returns it. */
async function rowStartingWith(table: Locator, cells: string[]): Promise<string[]> {
  let found: string[] | undefined;
  await until(async () => {
    found = (await table.count()) > 0 ? (await rows(table)).find((row) => cells.every((cell, i) => row[i]?.trim() === cell)) : undefined;
    return found !== undefined;
  }, `a row ${JSON.stringify(cells)} in table ${await table.getAttribute('data-testid').catch(() => '?')}`);
  return found!;
}

/** The credit protocol as the browser spoke it: records granted (subscribe + credit frames) and records delivered. */
class CreditLedger {
  granted = 0;
  delivered = 0;
  /** Most records the gateway ever had out beyond what was granted (must stay 0). */
  overdrawn = 0;

  watch(page: Page): void {
    page.on('websocket', (socket) => {
      socket.on('framesent', ({ payload }) => {
        const frame = JSON.parse(String(payload)) as { type: string; credit?: number; records?: number };
        if (frame.type === 'subscribe') this.granted += frame.credit ?? 0;
        if (frame.type === 'credit') this.granted += frame.records ?? 0;
      });
      socket.on('framereceived', ({ payload }) => {
        const frame = JSON.parse(String(payload)) as { type: string; records?: unknown[] };
        if (frame.type !== 'records') return;
        this.delivered += frame.records?.length ?? 0;
        this.overdrawn = Math.max(this.overdrawn, this.delivered - this.granted);
      });
    });
  }
}

/** The web console at /console, driven in a real chromium against a controller, a broker and the gateway as processes. */
describe('gateway web console in a browser', () => {
  let cluster: LocalCluster;
  let client: ClusterClient;
  let admin: Admin;
  let browser: Browser;
  let page: Page;
  let consoleUrl: string;

  beforeAll(async () => {
    // a missing browser is a failure with its remedy, never a silently skipped suite
    if (!fs.existsSync(CHROMIUM)) throw new Error(`the console's browser test needs chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
    cluster = await LocalCluster.start({ controllers: 1, brokers: 1, gateway: true });
    consoleUrl = `http://127.0.0.1:${cluster.gateway!.httpPort}/console`;
    client = new ClusterClient({ brokers: cluster.bootstrap.split(','), clientId: 'console-test' });
    admin = new Admin(client);
  }, 120_000);

  beforeEach(async () => {
    page = await browser.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
  });

  afterEach(async () => {
    await page?.close();
  });

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await cluster?.stop();
  }, 60_000);

  it('serves the page, its script and its stylesheet with their content types', async () => {
    for (const [path, type] of [
      ['', 'text/html'],
      ['/app.js', 'text/javascript'],
      ['/app.css', 'text/css'],
    ]) {
      const response = await fetch(`${consoleUrl}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(new RegExp(`^${type}; charset=utf-8`));
    }
    // the console is not part of the REST API: the OpenAPI document (and the SDK made from it) stays the same
    const document = (await (await fetch(`http://127.0.0.1:${cluster.gateway!.httpPort}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/console'))).toEqual([]);
  });

  it('the overview lists the broker, marked as the cluster has it, with the topic count', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(consoleUrl);
    const broker = cluster.brokers[0];
    const row = await rowStartingWith(page.getByTestId('brokers'), [String(broker.id), '127.0.0.1', String(broker.ports.kafka)]);
    expect(row).toHaveLength(5);
    expect(await page.getByTestId('broker-count').innerText()).toBe('1');
    const userTopics = (await admin.listTopics()).length;
    expect(await page.getByTestId('topic-count').innerText()).toBe(String(userTopics));
    expect(errors).toEqual([]);
  });

  it('creates a topic through the form, shows its partitions and configs, and deletes it', async () => {
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${consoleUrl}#/topics`);
    const form = page.getByRole('form', { name: 'Create topic' });
    await form.getByLabel('Name').fill('console-made');
    await form.getByLabel('Partitions').fill('3');
    await form.getByRole('button', { name: 'Create topic' }).click();
    await page.getByText('Created topic console-made.').waitFor();
    await rowStartingWith(page.getByTestId('topics'), ['console-made', '3', '1']);
    const [described] = await admin.describeTopics(['console-made']);
    expect(described.partitions).toHaveLength(3);

    await page.getByRole('link', { name: 'console-made' }).first().click();
    const broker = String(cluster.brokers[0].id);
    for (const partition of ['0', '1', '2']) {
      // partition, leader, replicas, in sync, start offset, end offset, records
      expect(await rowStartingWith(page.getByTestId('partitions'), [partition])).toEqual([partition, broker, broker, broker, '0', '0', '0']);
    }
    await rowStartingWith(page.getByTestId('configs'), ['cleanup.policy', 'delete']);
    const configForm = page.getByRole('form', { name: 'Set a config' });
    await configForm.getByLabel('Config').fill('retention.ms');
    await configForm.getByLabel('Value').fill('3600000');
    await configForm.getByRole('button', { name: 'Set' }).click();
    await page.getByText('Set retention.ms to 3600000.').waitFor();
    expect((await rowStartingWith(page.getByTestId('configs'), ['retention.ms']))[1]).toBe('3600000');
    expect((await admin.describeConfigs('console-made', ['retention.ms']))['retention.ms'].value).toBe('3600000');
    await page.getByRole('button', { name: 'Reset retention.ms' }).click();
    await page.getByText('Reset retention.ms to its default.').waitFor();
    expect((await rowStartingWith(page.getByTestId('configs'), ['retention.ms']))[1]).toBe('604800000');

    await page.goto(`${consoleUrl}#/topics`);
    await page.getByRole('button', { name: 'Delete console-made' }).click();
    await page.getByText('Deleted topic console-made.').waitFor();
    await until(async () => !(await admin.listTopics()).includes('console-made'), 'the topic to be gone from the cluster');
    expect((await rows(page.getByTestId('topics'))).map((row) => row[0])).not.toContain('console-made');
  }, 90_000);

  it('produces a record through the form and shows it in the record browser: key, JSON value and header', async () => {
    await admin.createTopics([{ name: 'console-orders', partitions: 2, replicationFactor: 1 }]);
    await page.goto(`${consoleUrl}#/topics/console-orders/produce`);
    const form = page.getByRole('form', { name: 'Produce a record' });
    await form.getByLabel('Partition').selectOption('1');
    await form.getByLabel('Key (empty: no key)').fill('order-1');
    await form.getByLabel('Value (empty: a null value, a tombstone)').fill('{"item":"book","qty":2}');
    await form.getByLabel('Headers, one "name: value" a line').fill('source: console');
    await form.getByRole('button', { name: 'Produce' }).click();
    await page.getByText('Produced to partition 1 at offset 0.').waitFor();

    // what a Kafka client reads back is what the form sent
    const { stdout } = await exec('kcat', ['-b', cluster.bootstrap, '-C', '-t', 'console-orders', '-p', '1', '-o', 'beginning', '-e', '-q', '-f', '%k|%s|%h\n'], { timeout: 30_000 });
    expect(stdout.trim()).toBe('order-1|{"item":"book","qty":2}|source=console');

    await page.getByRole('link', { name: 'See it in the record browser' }).click();
    const [offset, timestamp, key, value, headers] = await rowStartingWith(page.getByTestId('records'), ['0']);
    expect(Number.isNaN(Date.parse(timestamp))).toBe(false);
    expect(key).toBe('string\norder-1');
    expect(JSON.parse(value.replace(/^json\n/, ''))).toEqual({ item: 'book', qty: 2 });
    expect(headers).toBe('source: console');
    expect(offset).toBe('0');

    // the same record as base64, by choice
    await page.getByRole('form', { name: 'Read records' }).getByLabel('Show as').selectOption('base64');
    await page.getByRole('button', { name: 'Read' }).click();
    await until(async () => (await rows(page.getByTestId('records')))[0]?.[2] === `base64\n${Buffer.from('order-1').toString('base64')}`, 'the key shown as base64');

    // from a time: the first record at or after it (two more records, created in 2030 and 2031)
    for (const [value, timestamp] of [['in-2030', '2030-01-01T00:00:00Z'], ['in-2031', '2031-01-01T00:00:00Z']]) {
      const produced = await fetch(`http://127.0.0.1:${cluster.gateway!.httpPort}/v3/clusters/${(await admin.describeCluster()).clusterId}/topics/console-orders/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ partition_id: 1, value: { type: 'STRING', data: value }, timestamp }),
      });
      expect(produced.status).toBe(200);
    }
    const readForm = page.getByRole('form', { name: 'Read records' });
    await readForm.getByLabel('or from time').fill('2030-06-01T00:00:00');
    await readForm.getByRole('button', { name: 'Read' }).click();
    await until(async () => (await rows(page.getByTestId('records')))[0]?.[0] === '2', 'the records from offset 2');
    const [fromTime] = await rows(page.getByTestId('records'));
    expect(fromTime[3]).toBe(`base64\n${Buffer.from('in-2031').toString('base64')}`);
  }, 90_000);

  it('tails what kcat produces over the WebSocket endpoint, never past the granted credit, holding records while paused', async () => {
    await admin.createTopics([{ name: 'console-live', partitions: 2, replicationFactor: 1 }]);
    const ledger = new CreditLedger();
    ledger.watch(page);
    await page.goto(`${consoleUrl}#/topics/console-live/tail`);
    const form = page.getByRole('form', { name: 'Live tail' });
    await form.getByLabel('Credit (records in flight)').fill('4');
    await form.getByRole('button', { name: 'Start' }).click();
    await until(async () => (await page.getByTestId('tail-state').innerText()) === 'live', 'the tail to be live');
    expect(ledger.granted).toBe(4);

    await kcatProduce(cluster.bootstrap, 'console-live', Array.from({ length: 20 }, (_, i) => `k${i}:{"n":${i}}`));
    await until(async () => (await page.getByTestId('tail-count').innerText()) === '20', '20 records in the tail');
    const shown = await rows(page.getByTestId('tail'));
    expect(shown.map((row) => row[3].replace(/^string\n/, '')).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`).sort());
    expect(shown.find((row) => row[3] === 'string\nk7')?.[4]).toBe('json\n{\n  "n": 7\n}');

    // paused: the page grants no credit, so the gateway stops once the window is used up
    await form.getByRole('button', { name: 'Pause' }).click();
    await kcatProduce(cluster.bootstrap, 'console-live', Array.from({ length: 20 }, (_, i) => `p${i}:paused-${i}`));
    await until(() => ledger.delivered === ledger.granted, 'the credit window to be used up while paused');
    expect(Number(await page.getByTestId('tail-count').innerText())).toBeLessThan(40);
    await form.getByRole('button', { name: 'Resume' }).click();
    await until(async () => (await page.getByTestId('tail-count').innerText()) === '40', 'all 40 records after resuming');
    expect(ledger.delivered).toBe(40);
    expect(ledger.overdrawn).toBe(0);

    await form.getByRole('button', { name: 'Stop' }).click();
    expect(await page.getByTestId('tail-state').innerText()).toBe('stopped');
  }, 120_000);

  it('shows a group’s lag per partition after a native consumer committed', async () => {
    await admin.createTopics([{ name: 'console-lagged', partitions: 2, replicationFactor: 1 }]);
    await kcatProduce(cluster.bootstrap, 'console-lagged', Array.from({ length: 10 }, (_, i) => `a${i}:v${i}`), ['-p', '0']);
    await kcatProduce(cluster.bootstrap, 'console-lagged', Array.from({ length: 6 }, (_, i) => `b${i}:v${i}`), ['-p', '1']);
    const consumer = new Consumer(client, { groupId: 'console-readers' });
    await consumer.commit([
      { topic: 'console-lagged', partition: 0, offset: 4 },
      { topic: 'console-lagged', partition: 1, offset: 6 },
    ]);

    await page.goto(`${consoleUrl}#/groups`);
    await rowStartingWith(page.getByTestId('groups'), ['console-readers']);
    expect((await rowStartingWith(page.getByTestId('groups'), ['console-readers']))[3]).toBe('6');
    await page.getByRole('link', { name: 'console-readers' }).click();
    // topic, partition, committed offset, log end offset, lag
    expect((await rowStartingWith(page.getByTestId('lags'), ['console-lagged', '0'])).slice(0, 5)).toEqual(['console-lagged', '0', '4', '10', '6']);
    expect((await rowStartingWith(page.getByTestId('lags'), ['console-lagged', '1'])).slice(0, 5)).toEqual(['console-lagged', '1', '6', '6', '0']);
    expect(await page.getByTestId('total-lag').innerText()).toBe('6');

    // the open page reads the lag again: more records, more lag
    await kcatProduce(cluster.bootstrap, 'console-lagged', ['c:late'], ['-p', '1']);
    await until(async () => (await page.getByTestId('total-lag').innerText()) === '7', 'the refreshed total lag');
  }, 90_000);

  it('with credentials on, asks for them, refuses a wrong key, and works over REST and WebSocket with an API key or a bearer token', async () => {
    const port = await freePort();
    const secured = new NodeProcess(
      'gateway',
      2,
      ['--http-port', String(port), '--brokers', `101@${cluster.bootstrap}`, '--api-keys', JSON.stringify([{ key: API_KEY, principal: 'User:operator' }]), '--bearer-tokens', JSON.stringify([{ token: BEARER_TOKEN, principal: 'User:viewer' }])],
      port,
      {},
    );
    secured.start();
    try {
      await secured.waitHealthy(60_000);
      await admin.createTopics([{ name: 'console-secured', partitions: 1, replicationFactor: 1 }]);
      await page.goto(`http://127.0.0.1:${port}/console#/topics/console-secured/tail`);
      const signIn = async (kind: 'apiKey' | 'bearer', secret: string) => {
        const login = page.getByRole('form', { name: 'Sign in' });
        await login.getByLabel('Credential').selectOption(kind);
        await login.getByLabel('Key or token').fill(secret);
        await login.getByRole('button', { name: 'Sign in' }).click();
      };
      await signIn('apiKey', 'not-the-key');
      await page.getByText('The gateway refused this credential').waitFor();
      await signIn('apiKey', API_KEY);

      const form = page.getByRole('form', { name: 'Live tail' });
      await form.getByRole('button', { name: 'Start' }).click();
      await until(async () => (await page.getByTestId('tail-state').innerText()) === 'live', 'the tail to be live with the key as its token');
      await kcatProduce(cluster.bootstrap, 'console-secured', ['s:secret']);
      await rowStartingWith(page.getByTestId('tail'), ['0', '0']);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn('bearer', BEARER_TOKEN);
      await page.getByText('signed in with a bearer token').waitFor();
      await page.goto(`http://127.0.0.1:${port}/console#/topics/console-secured/records`);
      expect((await rowStartingWith(page.getByTestId('records'), ['0'])).slice(2, 4)).toEqual(['string\ns', 'string\nsecret']);
    } finally {
      await secured.kill('SIGTERM', 5000);
    }
  }, 120_000);
});
