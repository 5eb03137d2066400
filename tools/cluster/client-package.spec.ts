import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LocalCluster } from './local-cluster';

const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const PACKAGE_DIR = path.join(ROOT, 'dist/libs/client');
const RECORDS = 100;

/** Produces RECORDS records with a codec whose native library the package must bring, then reads them back in a group. */
const CJS_SCRIPT = `
const { Admin, ClusterClient, Consumer, Producer } = require('@tributary/client');

async function main() {
  const [bootstrap, topic] = process.argv.slice(2);
  const client = new ClusterClient({ brokers: bootstrap.split(','), clientId: 'package-cjs' });
  await new Admin(client).createTopics([{ name: topic, partitions: 2, replicationFactor: 1 }]);
  const producer = new Producer(client, { compression: 'zstd' });
  await producer.send(topic, Array.from({ length: ${RECORDS} }, (_, i) => ({ key: 'k' + i, value: 'cjs-' + i })));
  await producer.close();
  const consumer = new Consumer(client, { groupId: topic + '-group', fromBeginning: true, maxWaitMs: 100 });
  consumer.subscribe([topic]);
  const values = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('consumed only ' + values.length)), 20000);
    consumer.run({ eachRecord: (r) => {
      values.push(r.value.toString());
      if (values.length === ${RECORDS}) { clearTimeout(timer); resolve(); }
    } }).catch(reject);
  });
  await consumer.stop();
  await client.close();
  console.log(JSON.stringify({ values }));
}
main().catch((error) => { console.error(error); process.exit(1); });
`;

const ESM_SCRIPT = `
import { createRequire } from 'node:module';
import client, { Admin, ClusterClient, Consumer, Producer } from '@tributary/client';

const [bootstrap, topic] = process.argv.slice(2);
const cluster = new ClusterClient({ brokers: bootstrap.split(','), clientId: 'package-esm' });
await new Admin(cluster).createTopics([{ name: topic, partitions: 2, replicationFactor: 1 }]);
const producer = new Producer(cluster, { compression: 'lz4' });
await producer.send(topic, Array.from({ length: ${RECORDS} }, (_, i) => ({ key: 'k' + i, value: 'esm-' + i })));
await producer.close();
const consumer = new Consumer(cluster, { groupId: topic + '-group', fromBeginning: true, maxWaitMs: 100 });
consumer.subscribe([topic]);
const values = [];
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('consumed only ' + values.length)), 20000);
  consumer.run({ eachRecord: (r) => {
    values.push(r.value.toString());
    if (values.length === ${RECORDS}) { clearTimeout(timer); resolve(); }
  } }).catch(reject);
});
await consumer.stop();
await cluster.close();
// import and require share one module instance
const required = createRequire(import.meta.url)('@tributary/client');
console.log(JSON.stringify({ values, sameInstance: required.Producer === Producer && client.Consumer === Consumer }));
`;

/**
 * A web app's use of '@tributary/client/browser', run here by Node against a real gateway: a topic
 * created and a record produced through the REST SDK, then read back over a WebSocket subscription.
 */
const BROWSER_SCRIPT = `
import { rest, GatewaySubscription } from '@tributary/client/browser';

const [gateway, topic] = process.argv.slice(2);
const client = rest.createGatewayClient({ baseUrl: 'http://' + gateway });
const clusters = await rest.listClusters({ client, throwOnError: true });
const cluster_id = clusters.data.data[0].cluster_id;
await rest.createTopic({ client, path: { cluster_id }, body: { topic_name: topic, partitions_count: 1, replication_factor: 1 }, throwOnError: true });
const produced = await rest.produceRecord({ client, path: { cluster_id, topic_name: topic }, body: { key: { type: 'STRING', data: 'k' }, value: { data: { from: 'browser entry' } } }, throwOnError: true });
const subscription = new GatewaySubscription({ url: 'ws://' + gateway + '/v1/ws', topics: [topic], from: 'earliest', valueFormat: 'json' });
const timer = setTimeout(() => { console.error('no record over the WebSocket'); process.exit(1); }, 20000);
let received;
for await (const record of subscription) {
  received = { partition: record.partition, offset: record.offset, key: record.key, value: record.value };
  break;
}
clearTimeout(timer);
await subscription.close();
console.log(JSON.stringify({ produced: { partition: produced.data.partition_id, offset: produced.data.offset }, received }));
`;

/** A browser bundle of the entry (esbuild, the bundler of the gateway's console): Node built-ins cannot be resolved there. */
const BROWSER_APP = `
import { rest, GatewaySubscription } from '@tributary/client/browser';
export const client = rest.createGatewayClient({ baseUrl: location.origin });
export const tail = (topic) => new GatewaySubscription({ url: 'wss://' + location.host + '/v1/ws', topics: [topic] });
`;

/**
 * A TypeScript user of the package, compiled against the shipped declarations alone. Library
 * checking is skipped (checking @types/node costs most of the time), and a declaration whose
 * import does not resolve would then silently type as any: so the types crossing into the bundled
 * protocol declarations must reject a wrong assignment.
 */
const TS_USER = `
import { ConsumedBatch, Consumer, ConsumerOptions, ClusterClient, Producer, RecordMetadata } from '@tributary/client';
import { GatewayRecord, GatewaySubscription, rest } from '@tributary/client/browser';

const batch = {} as ConsumedBatch;
// @ts-expect-error a record's value is Buffer | null (from the protocol declarations)
export const value: number = batch.records[0].value;
// @ts-expect-error offsets are numbers
export const offset: string = batch.records[0].offset;

export async function roundTrip(bootstrap: string): Promise<RecordMetadata[]> {
  const client = new ClusterClient({ brokers: [bootstrap], clientId: 'typed' });
  const options: ConsumerOptions = { groupId: 'g', assignors: ['cooperative-sticky'] };
  const consumer = new Consumer(client, options);
  consumer.subscribe(['t'], { onPartitionsRevoked: (partitions) => console.log(partitions.map((p) => p.partition + 1)) });
  return new Producer(client, { compression: 'snappy' }).send('t', { key: 'k', value: Buffer.from('v') });
}

export async function firstOffset(baseUrl: string, topic: string): Promise<number> {
  const client = rest.createGatewayClient({ baseUrl });
  const produced = await rest.produceRecord({ client, path: { cluster_id: 'c', topic_name: topic }, body: { value: { data: 1 } }, throwOnError: true });
  // @ts-expect-error the SDK's response types come through the browser entry's declarations
  const wrong: string = produced.data.offset;
  void wrong;
  for await (const record of new GatewaySubscription({ url: 'ws://h/v1/ws', topics: [topic] })) return (record satisfies GatewayRecord).offset;
  return produced.data.offset;
}
`;

/** A web app in TypeScript: DOM types, no Node types, every shipped declaration it reaches checked. */
const TS_BROWSER_USER = `
import { GatewaySubscription, rest } from '@tributary/client/browser';

export const client = rest.createGatewayClient({ baseUrl: location.origin });
export async function lastValue(topic: string): Promise<unknown> {
  for await (const record of new GatewaySubscription({ url: 'wss://' + location.host + '/v1/ws', topics: [topic] })) {
    // @ts-expect-error offsets are numbers
    const offset: string = record.offset;
    return [offset, record.value];
  }
  return null;
}
`;

/** @tributary/client as npm users get it: built, packed, installed into a fresh project, run from plain Node. */
describe('the @tributary/client npm package', () => {
  let cluster: LocalCluster;
  let project: string;

  beforeAll(async () => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-client-package-'));
    const install = (async () => {
      // the same command as `npx nx build client`
      await exec('node', ['-r', './tools/scripts/register.js', 'tools/package/build-client-package.ts'], { cwd: ROOT, timeout: 60_000 });
      const { stdout } = await exec('npm', ['pack', '--pack-destination', project], { cwd: PACKAGE_DIR, timeout: 30_000 });
      fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'package-user', version: '1.0.0', private: true }));
      // dependencies come from the local npm cache; only the registry's metadata may be fetched
      await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(project, stdout.trim().split('\n').at(-1)!)], { cwd: project, timeout: 60_000 });
    })();
    const started = LocalCluster.start({ controllers: 1, brokers: 1, gateway: true });
    [cluster] = await Promise.all([started, install]);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    if (project) fs.rmSync(project, { recursive: true, force: true });
  }, 60_000);

  it('ships the built JavaScript, declarations and ESM entry, and no TypeScript sources or workspace imports', async () => {
    const installed = path.join(project, 'node_modules/@tributary/client');
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
    expect(manifest.exports['.']).toEqual({ types: './lib/client/src/index.d.ts', import: './index.mjs', require: './lib/client/src/index.js' });
    expect(manifest.exports['./browser']).toEqual({ types: './lib/client/src/browser.d.ts', import: './browser.mjs', require: './lib/client/src/browser.js' });
    const files = fs.readdirSync(installed, { recursive: true }).map(String);
    expect(files).toEqual(expect.arrayContaining(['index.mjs', 'browser.mjs', 'README.md', 'lib/client/src/index.js', 'lib/client/src/index.d.ts', 'lib/client/src/browser.js', 'lib/client/src/browser.d.ts', 'lib/protocol/src/index.js']));
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    const shipped = files.filter((f) => f.endsWith('.js') || f.endsWith('.d.ts')).map((f) => fs.readFileSync(path.join(installed, f), 'utf8'));
    expect(shipped.filter((code) => code.includes('@tributary/protocol'))).toEqual([]);
  });

  it('a CommonJS script requires it, produces zstd records and consumes them in a group', async () => {
    fs.writeFileSync(path.join(project, 'round-trip.cjs'), CJS_SCRIPT);
    const { stdout } = await exec('node', ['round-trip.cjs', cluster.bootstrap, 'package-cjs'], { cwd: project, timeout: 30_000 });
    const { values } = JSON.parse(stdout) as { values: string[] };
    expect(values.sort()).toEqual(Array.from({ length: RECORDS }, (_, i) => `cjs-${i}`).sort());
  }, 40_000);

  it('an ES module imports it by name, produces lz4 records and consumes them in a group; import and require share one instance', async () => {
    fs.writeFileSync(path.join(project, 'round-trip.mjs'), ESM_SCRIPT);
    const { stdout } = await exec('node', ['round-trip.mjs', cluster.bootstrap, 'package-esm'], { cwd: project, timeout: 30_000 });
    const { values, sameInstance } = JSON.parse(stdout) as { values: string[]; sameInstance: boolean };
    expect(values.sort()).toEqual(Array.from({ length: RECORDS }, (_, i) => `esm-${i}`).sort());
    expect(sameInstance).toBe(true);
  }, 40_000);

  it('an ES module imports @tributary/client/browser, produces through the REST SDK to a real gateway and reads the record back over a WebSocket', async () => {
    fs.writeFileSync(path.join(project, 'browser-entry.mjs'), BROWSER_SCRIPT);
    const gateway = `127.0.0.1:${cluster.gateway!.httpPort}`;
    const { stdout } = await exec('node', ['browser-entry.mjs', gateway, 'package-browser'], { cwd: project, timeout: 30_000 });
    const { produced, received } = JSON.parse(stdout) as { produced: { partition: number; offset: number }; received: unknown };
    expect(produced).toEqual({ partition: 0, offset: 0 });
    expect(received).toEqual({ partition: 0, offset: 0, key: 'k', value: { from: 'browser entry' } });
  }, 40_000);

  it('a bundler targeting browsers bundles @tributary/client/browser: it reaches no Node built-in and none of the native client', async () => {
    fs.writeFileSync(path.join(project, 'browser-app.mjs'), BROWSER_APP);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the workspace's esbuild, resolved from the repository
    const esbuild = require(require.resolve('esbuild', { paths: [ROOT] })) as typeof import('esbuild');
    const result = await esbuild.build({ absWorkingDir: project, entryPoints: ['browser-app.mjs'], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toEqual(expect.arrayContaining(['node_modules/@tributary/client/browser.mjs', 'node_modules/@tributary/client/lib/client/src/gateway/ws-subscription.js']));
    // the 'ws' fallback (for Node without a global WebSocket) resolves to the package's browser stub
    expect(inputs.filter((input) => input.includes('node_modules/ws/'))).toEqual(['node_modules/ws/browser.js']);
    expect(inputs.filter((input) => /lib\/protocol\/|\/network\/|\/producer\/|\/consumer\//.test(input))).toEqual([]);
  }, 40_000);

  it('TypeScript code type-checks against the shipped declarations (node16 resolution, strict)', async () => {
    fs.writeFileSync(path.join(project, 'user.ts'), TS_USER);
    const tsconfig = {
      compilerOptions: { strict: true, noEmit: true, module: 'node16', moduleResolution: 'node16', target: 'ES2022', skipLibCheck: true, typeRoots: [path.join(ROOT, 'node_modules/@types')], types: ['node'] },
      files: ['user.ts'],
    };
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
    await expect(exec(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', project], { cwd: project, timeout: 60_000 })).resolves.toBeDefined();
  }, 60_000);

  it('a browser TypeScript project (DOM lib, no Node types, library checks on) type-checks against @tributary/client/browser', async () => {
    fs.writeFileSync(path.join(project, 'browser-user.ts'), TS_BROWSER_USER);
    const tsconfig = {
      compilerOptions: { strict: true, noEmit: true, module: 'node16', moduleResolution: 'node16', target: 'ES2022', lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [], skipLibCheck: false },
      files: ['browser-user.ts'],
    };
    fs.writeFileSync(path.join(project, 'tsconfig.browser.json'), JSON.stringify(tsconfig));
    await expect(exec(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.browser.json'], { cwd: project, timeout: 60_000 })).resolves.toBeDefined();
  }, 60_000);
});
