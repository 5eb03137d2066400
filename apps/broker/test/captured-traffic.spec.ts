import * as net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { decodeRequest, encodeRequest } from '@tributary/protocol';
import { FixedMetadataCluster } from './fixed-metadata-cluster';

const exec = promisify(execFile);

/** Largest request frame the proxy accepts; anything bigger means the stream is out of step. */
const MAX_FRAME_BYTES = 64 * 1024 * 1024;

interface CapturedFrame {
  /** Which client was talking when the frame went by ('kafkajs' or 'kcat'). */
  phase: string;
  connection: number;
  /** The 4-byte int32 size prefix, as sent. */
  sizePrefix: Buffer;
  /** The frame without its size prefix: what decodeRequest takes. */
  frame: Buffer;
}

/**
 * Splits a client->broker byte stream on the int32 big-endian size prefix. Chunks may end
 * mid-prefix or mid-frame and may hold several frames.
 */
class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (sizePrefix: Buffer, frame: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let at = 0;
    while (this.pending.length - at >= 4) {
      const size = this.pending.readInt32BE(at);
      if (size < 0 || size > MAX_FRAME_BYTES) throw new Error(`request frame size ${size} out of bounds`);
      if (this.pending.length - at - 4 < size) break;
      // copies, so the captured frames do not pin (or alias) the socket's chunks
      this.onFrame(Buffer.from(this.pending.subarray(at, at + 4)), Buffer.from(this.pending.subarray(at + 4, at + 4 + size)));
      at += 4 + size;
    }
    this.pending = at === 0 ? this.pending : Buffer.from(this.pending.subarray(at));
  }
}

/** A TCP proxy in front of the broker that records every request frame the clients send. */
class CapturingProxy {
  readonly frames: CapturedFrame[] = [];
  readonly errors: string[] = [];
  phase = 'setup';
  private connections = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(targetPort: number): Promise<CapturingProxy> {
    const server = net.createServer();
    const proxy = new CapturingProxy(server, targetPort);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    const connection = ++this.connections;
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    const splitter = new FrameSplitter((sizePrefix, frame) => this.frames.push({ phase: this.phase, connection, sizePrefix, frame }));
    const teardown = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('data', (chunk: Buffer) => {
      try {
        splitter.push(chunk);
      } catch (e) {
        this.errors.push(`connection ${connection} (${this.phase}): ${(e as Error).message}`);
        teardown();
      }
    });
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
  }
}

const API_VERSIONS = 18;
const METADATA = 3;
const PRODUCE = 0;
const FETCH = 1;

function describeFrame(f: CapturedFrame): string {
  const apiKey = f.frame.length >= 2 ? f.frame.readInt16BE(0) : NaN;
  const apiVersion = f.frame.length >= 4 ? f.frame.readInt16BE(2) : NaN;
  return `${f.phase} connection ${f.connection}: api key ${apiKey} v${apiVersion} (${f.frame.length} bytes)`;
}

function hexDiff(expected: Buffer, actual: Buffer): string {
  let first = 0;
  while (first < expected.length && first < actual.length && expected[first] === actual[first]) first++;
  const from = Math.max(0, first - 16);
  return [
    `lengths: captured ${expected.length}, re-encoded ${actual.length}; first difference at byte ${first}`,
    `captured   [${from}..]: ${expected.subarray(from, from + 64).toString('hex')}`,
    `re-encoded [${from}..]: ${actual.subarray(from, from + 64).toString('hex')}`,
  ].join('\n');
}

/**
 * Real client traffic (kafkajs and kcat/librdkafka) recorded by a proxy between the clients and
 * the broker: every request frame must decode, and re-encode to exactly the bytes on the wire.
 */
describe('captured client traffic', () => {
  let cluster: FixedMetadataCluster;
  let proxy: CapturingProxy;
  let bootstrap: string;

  beforeAll(async () => {
    cluster = await FixedMetadataCluster.start(1);
    cluster.createTopic('captured', 2);
    cluster.createTopic('captured-kcat', 1);
    // the group coordinator needs the offsets topic; there is no controller to create it on demand
    cluster.createTopic('__consumer_offsets', 1);
    const brokerPort = Number(cluster.bootstrap().split(':')[1]);
    proxy = await CapturingProxy.start(brokerPort);
    bootstrap = `127.0.0.1:${proxy.port}`;
    // advertise the proxy, so the clients' follow-up connections (to the broker by id) go through it too
    const registered = cluster.image.brokers.get(1)!;
    cluster.commit({
      type: 'registerBroker',
      brokerId: 1,
      incarnationId: registered.incarnationId,
      brokerEpoch: registered.brokerEpoch,
      endPoints: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: proxy.port, securityProtocol: 'PLAINTEXT' }],
      rack: registered.rack,
      fenced: false,
    });
  });

  afterAll(async () => {
    await proxy?.close();
    await cluster?.stop();
  });

  it('kafkajs and kcat requests decode and re-encode byte for byte', async () => {
    // --- kafkajs: metadata, produce (keys, headers, gzip), group consume
    proxy.phase = 'kafkajs';
    const kafka = new Kafka({ clientId: 'captured-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 } });
    const admin = kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: ['captured'] });
    expect(metadata.topics[0].partitions).toHaveLength(2);
    await admin.disconnect();

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'captured',
      acks: -1,
      messages: Array.from({ length: 6 }, (_, i) => ({ key: `key-${i}`, value: `plain-${i}`, headers: { source: 'kafkajs', n: String(i) } })),
    });
    await producer.send({
      topic: 'captured',
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 4 }, (_, i) => ({ key: `zkey-${i}`, value: `gzip-${i}`.repeat(8), headers: { codec: 'gzip' } })),
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'captured-group', sessionTimeout: 10_000, heartbeatInterval: 500 });
    const consumed: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'captured', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void consumed.push(message.value?.toString() ?? '') });
    for (let i = 0; i < 200 && consumed.length < 10; i++) await new Promise((r) => setTimeout(r, 100));
    await consumer.disconnect();
    expect(consumed).toHaveLength(10);

    // --- kcat (librdkafka): metadata, keyed produce with a header, consume to the end
    proxy.phase = 'kcat';
    const kcatOptions = { timeout: 10_000 };
    const { stdout: listing } = await exec('kcat', ['-b', bootstrap, '-L', '-t', 'captured-kcat', '-m', '10'], kcatOptions);
    expect(listing).toContain(`127.0.0.1:${proxy.port}`);
    const produce = exec('kcat', ['-b', bootstrap, '-P', '-t', 'captured-kcat', '-K', ':', '-H', 'a=b', '-m', '10'], kcatOptions);
    produce.child.stdin?.end('k1:one\nk2:two\nk3:three\n');
    await produce;
    const { stdout: read } = await exec(
      'kcat',
      ['-b', bootstrap, '-C', '-t', 'captured-kcat', '-o', 'beginning', '-e', '-q', '-m', '10', '-f', '%k=%s %h\n'],
      kcatOptions,
    );
    expect(read.split('\n').filter(Boolean)).toEqual(['k1=one a=b', 'k2=two a=b', 'k3=three a=b']);
    // and as a group member (librdkafka's own FindCoordinator/JoinGroup/SyncGroup/Heartbeat/OffsetCommit)
    const { stdout: grouped } = await exec('kcat', ['-b', bootstrap, '-G', 'captured-kcat-group', 'captured-kcat', '-o', 'beginning', '-e', '-q', '-f', '%s\n'], kcatOptions);
    expect(grouped.split('\n').filter(Boolean)).toEqual(['one', 'two', 'three']);
    proxy.phase = 'done';

    // --- every captured request: decode, re-encode, compare
    expect(proxy.errors).toEqual([]);
    const seen = new Map<string, Set<number>>();
    const clientIds = new Map<string, Set<string>>();
    const failures: string[] = [];
    for (const captured of proxy.frames) {
      const wire = Buffer.concat([captured.sizePrefix, captured.frame]);
      let decoded: ReturnType<typeof decodeRequest>;
      try {
        decoded = decodeRequest(captured.frame);
      } catch (e) {
        failures.push(`${describeFrame(captured)}: decode failed: ${(e as Error).message}\n  frame: ${captured.frame.subarray(0, 96).toString('hex')}`);
        continue;
      }
      const client = decoded.header.clientId ?? '(null)';
      if (!seen.has(captured.phase)) seen.set(captured.phase, new Set());
      seen.get(captured.phase)!.add(decoded.apiKey);
      if (!clientIds.has(captured.phase)) clientIds.set(captured.phase, new Set());
      clientIds.get(captured.phase)!.add(client);
      let reencoded: Buffer;
      try {
        reencoded = encodeRequest(decoded.apiKey, decoded.apiVersion, decoded.header.correlationId, decoded.header.clientId, decoded.body);
      } catch (e) {
        failures.push(`${describeFrame(captured)} client ${client}: re-encode failed: ${(e as Error).message}`);
        continue;
      }
      if (!reencoded.equals(wire)) failures.push(`${describeFrame(captured)} client ${client}: re-encoded bytes differ\n${hexDiff(wire, reencoded)}`);
    }
    expect(failures).toEqual([]);

    // both clients spoke, and each of them used the core APIs
    expect(proxy.frames.filter((f) => f.phase === 'setup' || f.phase === 'done')).toEqual([]);
    expect([...(clientIds.get('kafkajs') ?? [])]).toEqual(['captured-kafkajs']);
    expect([...(clientIds.get('kcat') ?? [])]).toEqual(['rdkafka']);
    for (const phase of ['kafkajs', 'kcat']) {
      const keys = [...(seen.get(phase) ?? [])].sort((a, b) => a - b);
      for (const apiKey of [PRODUCE, FETCH, METADATA, API_VERSIONS]) {
        expect({ phase, apiKey, seen: keys.includes(apiKey) }).toEqual({ phase, apiKey, seen: true });
      }
    }
    // both consumers went through the group protocol: FindCoordinator, JoinGroup, SyncGroup
    for (const phase of ['kafkajs', 'kcat']) expect({ phase, apis: [...(seen.get(phase) ?? [])] }).toEqual({ phase, apis: expect.arrayContaining([10, 11, 14]) });
  }, 60_000);
});
