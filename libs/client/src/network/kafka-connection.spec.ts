import * as net from 'node:net';
import { DecodedRequest, apiDeclarations, decodeRequest, encodeResponse } from '@tributary/protocol';
import { ConnectionError, KafkaConnection, RequestTimeoutError } from './kafka-connection';

type Reply = (request: DecodedRequest, socket: net.Socket) => void;

/** A minimal Kafka-speaking server on a real socket, answering with our codecs. */
async function fakeBroker(reply: Reply, maxVersions: Record<number, number> = {}): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
        buffered = buffered.subarray(4 + frame.length);
        const request = decodeRequest(frame);
        if (request.apiKey === 18) {
          const apiKeys = [18, 3, 60].map((apiKey) => ({ apiKey, minVersion: apiDeclarations(apiKey)?.minVersion ?? 0, maxVersion: maxVersions[apiKey] ?? apiDeclarations(apiKey)?.maxVersion ?? 0 }));
          socket.write(encodeResponse(18, request.apiVersion, request.header.correlationId, { errorCode: 0, apiKeys }));
        } else {
          reply(request, socket);
        }
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

const describeCluster = (request: DecodedRequest, clusterId: string) =>
  encodeResponse(60, request.apiVersion, request.header.correlationId, { errorCode: 0, clusterId, controllerId: 1, brokers: [] });

describe('KafkaConnection', () => {
  it('negotiates the highest common version per API', async () => {
    const versions: number[] = [];
    const broker = await fakeBroker((request, socket) => {
      versions.push(request.apiVersion);
      socket.write(describeCluster(request, 'c1'));
    }, { 60: 0 });
    const connection = new KafkaConnection({ host: '127.0.0.1', port: broker.port });
    await connection.connect();
    expect(connection.versionFor(60)).toBe(0);
    expect((await connection.request(60, {})).clusterId).toBe('c1');
    expect(versions).toEqual([0]);
    expect(() => connection.versionFor(0)).toThrow(/does not support API 0/);
    connection.close();
    await broker.close();
  });

  it('matches out-of-order responses by correlation id', async () => {
    const held: DecodedRequest[] = [];
    let socketRef: net.Socket | null = null;
    const broker = await fakeBroker((request, socket) => {
      socketRef = socket;
      held.push(request);
      if (held.length === 3) for (const r of held.reverse()) socket.write(describeCluster(r, `answer-${r.header.correlationId}`));
    });
    const connection = new KafkaConnection({ host: '127.0.0.1', port: broker.port });
    await connection.connect();
    const answers = await Promise.all([connection.request(60, {}), connection.request(60, {}), connection.request(60, {})]);
    expect(answers.map((a) => a.clusterId)).toEqual(['answer-2', 'answer-3', 'answer-4']);
    expect(socketRef).not.toBeNull();
    connection.close();
    await broker.close();
  });

  it('times a request out and rejects pending requests when the broker goes away', async () => {
    const broker = await fakeBroker(() => undefined);
    const connection = new KafkaConnection({ host: '127.0.0.1', port: broker.port, requestTimeoutMs: 100 });
    await connection.connect();
    await expect(connection.request(60, {})).rejects.toBeInstanceOf(RequestTimeoutError);
    const pending = connection.request(60, {});
    await broker.close();
    await expect(pending).rejects.toBeInstanceOf(ConnectionError);
    await expect(connection.request(60, {})).rejects.toThrow(/closed|ECONNRESET/);
  });

  it('fails clearly when nothing listens', async () => {
    const connection = new KafkaConnection({ host: '127.0.0.1', port: 1 });
    await expect(connection.connect()).rejects.toThrow(/cannot connect to 127.0.0.1:1/);
  });
});
