import { execFile } from 'node:child_process';
import * as net from 'node:net';
import { promisify } from 'node:util';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { decodeRequest, encodeRequest, readRecordBatches, RecordBatch } from '@tributary/protocol';
import { freePort } from './free-port';
import { LocalCluster } from './local-cluster';

const exec = promisify(execFile);
const KCAT_VALUE = 'from kcat '.repeat(30).trim();

/** One request frame a client sent, without its size prefix. */
interface CapturedRequest {
  client: string;
  frame: Buffer;
}

/**
 * A TCP proxy in front of the broker that keeps every request frame clients send through it. The
 * broker advertises the proxy's port, so clients reach it through the proxy after bootstrap too.
 */
class CapturingProxy {
  readonly requests: CapturedRequest[] = [];
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | null = null;
  client = 'none';

  async listen(port: number, brokerPort: () => number): Promise<void> {
    this.server = net.createServer((inbound) => {
      const outbound = net.connect(brokerPort(), '127.0.0.1');
      this.sockets.add(inbound).add(outbound);
      const client = this.client;
      let pending = Buffer.alloc(0);
      inbound.on('data', (chunk: Buffer) => {
        outbound.write(chunk);
        pending = Buffer.concat([pending, chunk]);
        // bounded by the bytes received: each turn consumes one whole frame
        while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
          const size = pending.readInt32BE(0);
          this.requests.push({ client, frame: Buffer.from(pending.subarray(4, 4 + size)) });
          pending = pending.subarray(4 + size);
        }
      });
      outbound.pipe(inbound);
      const close = () => {
        inbound.destroy();
        outbound.destroy();
      };
      inbound.on('close', close).on('error', close);
      outbound.on('close', close).on('error', close);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Real traffic of kafkajs and kcat (librdkafka): every request they send decodes, and re-encodes to the same bytes. */
describe('captured client traffic', () => {
  let cluster: LocalCluster;
  const proxy = new CapturingProxy();
  let bootstrap: string;

  beforeAll(async () => {
    const proxyPort = await freePort();
    bootstrap = `127.0.0.1:${proxyPort}`;
    cluster = await LocalCluster.start({ controllers: 1, brokers: 1, brokerArgs: ['--advertised-port', String(proxyPort)] });
    await proxy.listen(proxyPort, () => Number(cluster.bootstrap.split(':')[1]));

    proxy.client = 'kafkajs';
    const kafka = new Kafka({ brokers: [bootstrap], clientId: 'capture', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'captured', numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: 'captured', acks: -1, messages: [{ key: 'k1', value: 'plain', headers: { h: 'v' } }, { key: 'k2', value: 'two' }] });
    await producer.send({ topic: 'captured', acks: -1, compression: CompressionTypes.GZIP, messages: [{ key: 'k3', value: 'gzipped'.repeat(20) }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'capture-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'captured', fromBeginning: true });
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kafkajs consumed ${seen} of 3 records`)), 30_000);
      void consumer.run({
        eachMessage: async () => {
          if (++seen === 3) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();

    proxy.client = 'kcat';
    await exec('kcat', ['-b', bootstrap, '-L'], { timeout: 30_000 });
    const produce = exec('kcat', ['-b', bootstrap, '-P', '-t', 'captured', '-K', ':', '-z', 'lz4'], { timeout: 30_000 });
    // long enough to compress: librdkafka sends a batch uncompressed when compression would not shrink it
    produce.child.stdin!.end(`k4:${KCAT_VALUE}\nk5:again\n`);
    await produce;
    const { stdout } = await exec('kcat', ['-b', bootstrap, '-C', '-t', 'captured', '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { timeout: 30_000 });
    expect(stdout.split('\n').filter(Boolean)).toHaveLength(5);
  }, 120_000);

  afterAll(async () => {
    await proxy.close();
    await cluster?.stop();
  });

  function apisSentBy(client: string): Set<number> {
    return new Set(proxy.requests.filter((r) => r.client === client).map((r) => r.frame.readInt16BE(0)));
  }

  it('captured connect, metadata, admin, produce, fetch and group traffic from both clients', () => {
    // ApiVersions 18, Metadata 3, Produce 0, Fetch 1, ListOffsets 2, FindCoordinator 10, JoinGroup 11, SyncGroup 14, OffsetCommit 8, CreateTopics 19, InitProducerId 22
    for (const api of [18, 3, 0, 1, 2, 10, 11, 14, 19, 22]) expect(apisSentBy('kafkajs')).toContain(api);
    for (const api of [18, 3, 0, 1]) expect(apisSentBy('kcat')).toContain(api);
  });

  it('decodes every request frame and re-encodes it to the same bytes', () => {
    const mismatches: string[] = [];
    for (const { client, frame } of proxy.requests) {
      const request = decodeRequest(frame);
      const again = encodeRequest(request.apiKey, request.apiVersion, request.header.correlationId, request.header.clientId ?? null, request.body as never);
      if (!again.subarray(4).equals(frame)) mismatches.push(`${client} api ${request.apiKey} v${request.apiVersion}`);
    }
    expect(proxy.requests.length).toBeGreaterThan(20);
    expect(mismatches).toEqual([]);
  });

  it('reads the record batches inside the captured Produce requests, compressed ones included', () => {
    const values: string[] = [];
    const codecs = new Set<number>();
    for (const { frame } of proxy.requests) {
      const request = decodeRequest(frame);
      if (request.apiKey !== 0) continue;
      for (const topic of request.body.topicData) {
        for (const partition of topic.partitionData) {
          if (!partition.records) continue;
          for (const batch of readRecordBatches(partition.records) as Iterable<RecordBatch>) {
            expect(batch.isCrcValid()).toBe(true);
            codecs.add(batch.compression);
            for (const record of batch.records()) values.push(record.value?.toString() ?? '');
          }
        }
      }
    }
    expect(values.sort()).toEqual(['again', KCAT_VALUE, 'gzipped'.repeat(20), 'plain', 'two'].sort());
    expect([...codecs].sort()).toEqual([0, 1, 3]); // none, gzip (kafkajs), lz4 (kcat)
  });
});
