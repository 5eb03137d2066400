import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

/**
 * The peer baselines of ../shared/bench/peers (NATS JetStream, Redis Streams), run in the same
 * session as our own figures so that ratios compare like with like on a noisy machine.
 */
export const PEERS_DIR = resolve(__dirname, '../../../../shared/bench/peers');
const NODE_DIR = process.env.PEERS_NODE_DIR ?? join(process.env.TMPDIR ?? tmpdir(), 'peerbench');

export interface PeerFigures {
  natsPublish?: number;
  natsConsume?: number;
  redisXadd?: number;
  redisXread?: number;
  /** NATS JetStream end-to-end latency at 10,000 msg/s, in ms. */
  natsE2eP50Ms?: number;
  natsE2eP99Ms?: number;
  natsE2eP999Ms?: number;
}

/** Why the peers cannot run here, or null when they can. */
export function peersUnavailable(): string | null {
  if (!existsSync(join(PEERS_DIR, 'peers.sh'))) return `no peer scripts at ${PEERS_DIR}`;
  const missing = ['nats-server', 'redis-server', 'redis-benchmark'].filter((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0);
  if (missing.length > 0 || !existsSync(join(NODE_DIR, 'node_modules', 'nats'))) {
    return `peers not installed (${[...missing, 'nats client'].join(', ')}): run ${join(PEERS_DIR, 'setup.sh')}`;
  }
  return null;
}

/** One run of peers.sh with `records` messages of 100 B; rates in messages per second, latencies in ms. */
export function runPeers(records: number): PeerFigures {
  const result = spawnSync('bash', [join(PEERS_DIR, 'peers.sh')], { env: { ...process.env, N: String(records), PEERS_NODE_DIR: NODE_DIR }, encoding: 'utf8', timeout: 10 * 60_000 });
  const figure = (pattern: RegExp) => {
    const match = pattern.exec(result.stdout ?? '');
    return match ? Number(match[1]) : undefined;
  };
  return {
    natsPublish: figure(/nats_js_publish_100B rec\/s (\d+)/),
    natsConsume: figure(/nats_js_consume_100B rec\/s (\d+)/),
    redisXadd: figure(/redis_xadd_100B_pipelined rec\/s ([\d.]+)/),
    redisXread: figure(/redis_xread_100B rec\/s (\d+)/),
    natsE2eP50Ms: figure(/nats_js_e2e_latency_ms_at_\d+\/s n=\d+ p50 ([\d.]+)/),
    natsE2eP99Ms: figure(/nats_js_e2e_latency_ms_at_\d+\/s n=\d+ p50 [\d.]+ p99 ([\d.]+)/),
    natsE2eP999Ms: figure(/nats_js_e2e_latency_ms_at_\d+\/s n=\d+ p50 [\d.]+ p99 [\d.]+ p99\.9 ([\d.]+)/),
  };
}
