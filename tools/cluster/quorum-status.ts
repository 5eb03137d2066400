import { NodeProcess } from './node-process';

/** What a controller's /health/ready reports about the quorum. */
export interface QuorumStatus {
  ready: boolean;
  activeController: number | null;
  term: number;
  appliedOffset: number;
}

/** A controller's quorum status, or null when it does not answer within a second. */
export async function quorumStatus(node: NodeProcess): Promise<QuorumStatus | null> {
  try {
    return (await (await fetch(`${node.healthUrl}/ready`, { signal: AbortSignal.timeout(1000) })).json()) as QuorumStatus;
  } catch {
    return null;
  }
}

/** The active controller among running `nodes` as they report it, and how long finding it took; throws after `timeoutMs`. */
export async function activeController(nodes: NodeProcess[], timeoutMs: number): Promise<{ id: number; elapsedMs: number }> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const answers = await Promise.all(nodes.filter((n) => n.running).map(quorumStatus));
    const active = answers.find((a) => a?.activeController !== null && a?.activeController !== undefined)?.activeController;
    if (active !== undefined && active !== null && nodes.find((n) => n.id === active)?.running) return { id: active, elapsedMs: Date.now() - started };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no active controller within ${timeoutMs} ms`);
}
