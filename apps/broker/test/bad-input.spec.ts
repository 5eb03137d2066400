import * as net from 'node:net';
import { encodeBatch } from '@tributary/log-engine';
import { Kafka, logLevel } from 'kafkajs';
import { FixedMetadataCluster } from './fixed-metadata-cluster';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** Garbage from many connections at once: each bad connection closes, everyone else is served. */
describe('bad input on the Kafka listener', () => {
  let cluster: FixedMetadataCluster;
  beforeAll(async () => {
    cluster = await FixedMetadataCluster.start(1);
    cluster.createTopic('safe', 1);
  });
  afterAll(() => cluster.stop());

  it('closes connections that send random frames, oversized sizes or unknown APIs, and keeps serving', async () => {
    const port = Number(cluster.bootstrap().split(':')[1]);
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const payloads: Buffer[] = [];
    for (let i = 0; i < 60; i++) payloads.push(frame(Buffer.from(Array.from({ length: 1 + Math.floor(random() * 200) }, () => Math.floor(random() * 256)))));
    const huge = Buffer.alloc(4);
    huge.writeInt32BE(0x7ffffff0);
    payloads.push(huge);
    const unknownApi = Buffer.alloc(10);
    unknownApi.writeInt16BE(999, 0); // api key 999
    payloads.push(frame(unknownApi));
    const closed = await Promise.all(
      payloads.map(
        (payload) =>
          new Promise<boolean>((resolve) => {
            const socket = net.connect(port, '127.0.0.1', () => socket.write(payload));
            socket.on('close', () => resolve(true));
            socket.on('error', () => undefined);
            setTimeout(() => {
              socket.destroy();
              resolve(false);
            }, 5000);
          }),
      ),
    );
    expect(closed.every(Boolean)).toBe(true);

    const kafka = new Kafka({ clientId: 'after-garbage', brokers: [cluster.bootstrap()], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const [result] = await producer.send({ topic: 'safe', messages: [{ value: 'still serving' }] });
    expect(result.errorCode).toBe(0);
    await producer.disconnect();
  }, 60_000);

  it('answers a corrupt batch with CORRUPT_MESSAGE and an oversized one with MESSAGE_TOO_LARGE', async () => {
    const replicas = cluster.replicaManager(1);
    const corrupt = encodeBatch([{ value: 'x' }]);
    corrupt[corrupt.length - 1] ^= 0xff;
    const big = encodeBatch([{ value: Buffer.alloc(2 * 1024 * 1024) }]);
    const results = await replicas.appendRecords(1, 1000, [
      { topic: 'safe', partition: 0, records: corrupt },
      { topic: 'safe', partition: 0, records: big },
      { topic: 'missing', partition: 0, records: encodeBatch([{ value: 'x' }]) },
    ]);
    expect(results.map((r) => r.errorCode)).toEqual([2, 10, 3]);
  });
});
