import * as net from 'node:net';
import { KafkaServer, RequestHandler } from './kafka-server';
import { FrameTooLargeError, RequestFramer } from './request-framer';

function frame(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** A raw client: sends bytes, collects response frames. */
class RawClient {
  readonly frames: string[] = [];
  closed = false;
  private readonly framer = new RequestFramer(1 << 20);
  private waiters: (() => void)[] = [];
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      for (const f of this.framer.push(chunk)) this.frames.push(f.toString());
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiters.splice(0).forEach((w) => w());
    });
    socket.on('error', () => undefined);
  }
  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
    });
  }
  async until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
}

describe('RequestFramer', () => {
  it('splits frames across and within chunks', () => {
    const framer = new RequestFramer(100);
    const bytes = Buffer.concat([frame('one'), frame('two'), frame('three')]);
    const out: string[] = [];
    for (let i = 0; i < bytes.length; i += 3) out.push(...framer.push(bytes.subarray(i, i + 3)).map(String));
    expect(out).toEqual(['one', 'two', 'three']);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('rejects negative and oversized frame sizes before buffering them', () => {
    expect(() => new RequestFramer(10).push(frame('x'.repeat(11)))).toThrow(FrameTooLargeError);
    const negative = Buffer.alloc(4);
    negative.writeInt32BE(-5);
    expect(() => new RequestFramer(10).push(negative)).toThrow(FrameTooLargeError);
  });
});

describe('KafkaServer', () => {
  let server: KafkaServer;
  let port: number;
  const errors: Error[] = [];
  let handler: RequestHandler;

  beforeEach(async () => {
    errors.length = 0;
    handler = (f) => frame(`re:${f}`);
    server = new KafkaServer((f, c) => handler(f, c), { port: 0, maxRequestBytes: 1024, maxInFlightPerConnection: 4, onConnectionError: (_i, e) => errors.push(e) });
    port = (await server.listen()).port;
  });
  afterEach(() => server.close());

  it('answers in request order even when handlers finish out of order', async () => {
    handler = async (f) => {
      const delay = Number(f.toString());
      await new Promise((r) => setTimeout(r, delay));
      return frame(`done ${delay}`);
    };
    const client = await RawClient.connect(port);
    client.socket.write(Buffer.concat([frame('60'), frame('1'), frame('30')]));
    await client.until(() => client.frames.length === 3);
    expect(client.frames).toEqual(['done 60', 'done 1', 'done 30']);
    client.socket.destroy();
  });

  it('sends nothing for requests without a response (acks=0) and keeps order for the rest', async () => {
    handler = (f) => (f.toString().startsWith('silent') ? null : frame(`re:${f}`));
    const client = await RawClient.connect(port);
    client.socket.write(Buffer.concat([frame('a'), frame('silent'), frame('b')]));
    await client.until(() => client.frames.length === 2);
    expect(client.frames).toEqual(['re:a', 're:b']);
    client.socket.destroy();
  });

  it('closes only the connection that sent an oversized frame', async () => {
    const bad = await RawClient.connect(port);
    const good = await RawClient.connect(port);
    bad.socket.write(frame('x'.repeat(2000)));
    await bad.until(() => bad.closed);
    good.socket.write(frame('still here'));
    await good.until(() => good.frames.length === 1);
    expect(good.frames).toEqual(['re:still here']);
    expect(errors[0]).toBeInstanceOf(FrameTooLargeError);
    good.socket.destroy();
  });

  it('closes the connection whose handler fails, and keeps serving others', async () => {
    handler = (f) => {
      if (f.toString() === 'boom') throw new Error('handler failed');
      return frame(`re:${f}`);
    };
    const bad = await RawClient.connect(port);
    bad.socket.write(frame('boom'));
    await bad.until(() => bad.closed);
    const good = await RawClient.connect(port);
    good.socket.write(frame('ok'));
    await good.until(() => good.frames.length === 1);
    expect(errors.map((e) => e.message)).toEqual(['handler failed']);
    good.socket.destroy();
  });

  it('applies back-pressure: stops reading while too many requests are unanswered', async () => {
    const release: (() => void)[] = [];
    let started = 0;
    handler = (f) => {
      started++;
      return new Promise((resolve) => release.push(() => resolve(frame(`re:${f}`))));
    };
    const client = await RawClient.connect(port);
    const many = Array.from({ length: 50 }, (_, i) => frame(String(i)));
    client.socket.write(Buffer.concat(many));
    await new Promise((r) => setTimeout(r, 100));
    expect(started).toBe(4); // maxInFlightPerConnection

    for (let guard = 0; guard < 100 && client.frames.length < 50; guard++) {
      release.splice(0).forEach((r) => r());
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(client.frames).toEqual(many.map((_, i) => `re:${i}`));
    client.socket.destroy();
  });
});
