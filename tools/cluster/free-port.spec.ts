import * as net from 'node:net';
import { freePort } from './free-port';

describe('freePort', () => {
  it('hands out ports that can be bound, never the same one twice in a process', async () => {
    const ports: number[] = [];
    // 2,000 draws from ~20,000 ports: drawing at random alone repeats one almost surely
    for (let i = 0; i < 2000; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(ports[0], '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
