import * as fs from 'node:fs';
import * as net from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, chosen below the kernel's ephemeral range.
 * A port from inside that range (what listen(0) hands out) can be taken, between the moment it is
 * chosen and the moment its process binds it, by the source port of any outgoing connection:
 * cluster nodes connect to each other while others are still starting, which made starts fail
 * with EADDRINUSE now and then. A port is never handed out twice by one process: the nodes of one
 * cluster get their ports before any of them binds, so a port chosen twice (once in ~20,000 draws)
 * went to two nodes, and the second one failed to start.
 */
export async function freePort(): Promise<number> {
  const below = ephemeralRangeStart();
  const lowest = 10_000;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = lowest + Math.floor(Math.random() * (below - lowest));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port found between ${lowest} and ${below}`);
}

const handedOut = new Set<number>();

function ephemeralRangeStart(): number {
  try {
    const [start] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(start) && start > 12_000) return start;
  } catch {
    // not Linux: fall through to the IANA dynamic range's start
  }
  return 32_768;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
