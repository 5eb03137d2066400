import * as net from 'node:net';
import { RpcServer } from '@tributary/protocol';
import { QuorumChannel } from './quorum-channel';

const NOT_CONTROLLER = 41;

/** A controller that died: it accepts connections and drops them at once (counted). */
async function deadController(): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, accepted: () => accepted, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('QuorumChannel', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('passes over a controller that just failed while the others elect, then follows the new active one', async () => {
    const dead = await deadController();
    closers.push(dead.close);
    let activeId: number | null = null;
    const servers = await Promise.all(
      [2, 3].map(async (id) => {
        const server = new RpcServer({ port: 0 });
        server.handle('topics.create', () => (activeId === id ? { errorCode: 0, errorMessage: null, results: [] } : { errorCode: NOT_CONTROLLER, errorMessage: 'not active', activeControllerId: activeId }));
        const address = await server.listen();
        closers.push(() => server.close());
        return { id, port: address.port };
      }),
    );
    const channel = new QuorumChannel([{ id: 1, host: '127.0.0.1', port: dead.port }, ...servers.map((s) => ({ id: s.id, host: '127.0.0.1', port: s.port }))], 2_000);
    closers.push(async () => channel.close());
    const create = () => channel.call('topics.create', { topics: [], validateOnly: false });

    // no leader yet: every voter is tried, the dead one once, the call fails to be retried
    await expect(create()).rejects.toThrow(/not active/);
    expect(dead.accepted()).toBe(1);
    activeId = 3;
    await expect(create()).resolves.toMatchObject({ errorCode: 0 });
    await expect(create()).resolves.toMatchObject({ errorCode: 0 });
    expect(dead.accepted()).toBe(1);
  });
});
