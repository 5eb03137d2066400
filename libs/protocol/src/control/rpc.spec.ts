import * as net from 'node:net';
import { RpcClient, RpcError, RpcRemoteError } from './rpc-client';
import { RpcFrameDecoder, RpcFrameError, encodeFrame } from './rpc-frames';
import { RpcServer } from './rpc-server';

async function rawSocket(port: number): Promise<{ socket: net.Socket; gone: Promise<void> }> {
  const socket = net.connect(port, '127.0.0.1');
  const gone = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, gone };
}

describe('control-plane RPC', () => {
  let server: RpcServer;
  let port: number;
  const errors: Error[] = [];

  beforeEach(async () => {
    errors.length = 0;
    server = new RpcServer({ port: 0, maxFrameBytes: 1024, onConnectionError: (e) => errors.push(e) });
    server.handle('echo', (data) => ({ echoed: data }));
    server.handle('fail', () => {
      throw new Error('handler says no');
    });
    server.handle('slow', () => new Promise((r) => setTimeout(() => r('late'), 200)));
    port = (await server.listen()).port;
  });
  afterEach(() => server.close());

  it('answers requests with msgpack round trips of structured data', async () => {
    const client = new RpcClient({ host: '127.0.0.1', port });
    const data = { n: 1, s: 'x', list: [1, 2, 3], nested: { ok: true, none: null }, bytes: Buffer.from('hi') };
    expect(await client.request('echo', data)).toEqual({ echoed: data });
    client.close();
  });

  it('delivers a burst of events written in one turn, in order, with requests among them answered', async () => {
    const received: number[] = [];
    server.handle('tick', (data) => void received.push(data as number));
    const client = new RpcClient({ host: '127.0.0.1', port });
    await client.request('echo', 'connected');
    const answers: Promise<unknown>[] = [];
    for (let i = 0; i < 2_000; i++) {
      void client.emit('tick', i);
      if (i % 500 === 0) answers.push(client.request('echo', i));
    }
    expect(await Promise.all(answers)).toEqual([0, 500, 1000, 1500].map((i) => ({ echoed: i })));
    for (let waited = 0; received.length < 2_000 && waited < 100; waited++) await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
    client.close();
  });

  it('reports a remote failure, an unknown pattern and a timeout as typed errors', async () => {
    const client = new RpcClient({ host: '127.0.0.1', port });
    await expect(client.request('fail', null)).rejects.toThrow(new RpcRemoteError('handler says no'));
    await expect(client.request('nope', null)).rejects.toThrow(/no handler for "nope"/);
    await expect(client.request('slow', null, 50)).rejects.toThrow(/timed out after 50 ms/);
    client.close();
  });

  it('reconnects after the server restarts on the same port', async () => {
    const client = new RpcClient({ host: '127.0.0.1', port, reconnectBackoffMinMs: 10 });
    expect(await client.request('echo', 1)).toEqual({ echoed: 1 });
    await server.close();
    await expect(client.request('echo', 2)).rejects.toBeInstanceOf(RpcError);
    server = new RpcServer({ port });
    server.handle('echo', (data) => ({ echoed: data }));
    await server.listen();
    let answer: unknown;
    for (let attempt = 0; attempt < 50 && answer === undefined; attempt++) {
      answer = await client.request('echo', 3).catch(() => new Promise((r) => setTimeout(() => r(undefined), 20)));
    }
    expect(answer).toEqual({ echoed: 3 });
    client.close();
  });

  it('closes only the connection that sent an oversized frame or garbage', async () => {
    const client = new RpcClient({ host: '127.0.0.1', port });
    const oversized = await rawSocket(port);
    oversized.socket.write(encodeFrame({ kind: 'request', id: 1, pattern: 'echo', data: 'x'.repeat(5000) }));
    await oversized.gone;
    const garbage = await rawSocket(port);
    garbage.socket.write(Buffer.from([0, 0, 0, 3, 0xc1, 0xc1, 0xc1]));
    await garbage.gone;
    expect(errors.map((e) => e.name)).toEqual(['RpcFrameError', 'RpcFrameError']);
    expect(await client.request('echo', 'still serving')).toEqual({ echoed: 'still serving' });
    client.close();
  });

  it('the decoder splits frames across chunks and bounds buffering', () => {
    const decoder = new RpcFrameDecoder(100);
    const bytes = Buffer.concat([encodeFrame({ kind: 'event', id: 0, pattern: 'a', data: 1 }), encodeFrame({ kind: 'event', id: 0, pattern: 'b', data: 2 })]);
    const out = [];
    for (let i = 0; i < bytes.length; i += 3) out.push(...decoder.push(bytes.subarray(i, i + 3)));
    expect(out.map((e) => e.pattern)).toEqual(['a', 'b']);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(101);
    expect(() => new RpcFrameDecoder(100).push(head)).toThrow(RpcFrameError);
  });
});
