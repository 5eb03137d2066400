import { ControlPattern, ControlRequest, ControlResponse, RpcClient } from '@tributary/protocol';
import { ControllerChannel } from '../kafka/broker-context';

const NOT_CONTROLLER = 41;
/** Metadata reads may be served by any controller; everything else goes to the active one. */
const READ_PATTERNS: ReadonlySet<ControlPattern> = new Set(['metadata.fetch', 'quorum.describe']);

/**
 * The broker's line to the controller quorum: remembers the active controller, follows
 * NOT_CONTROLLER redirects, and tries the other voters when one is unreachable. Bounded:
 * at most two passes over the voters per call.
 */
export class QuorumChannel implements ControllerChannel {
  private readonly clients: Map<number, RpcClient>;
  private active: number;

  constructor(
    voters: { id: number; host: string; port: number }[],
    private readonly requestTimeoutMs = 10_000,
  ) {
    if (voters.length === 0) throw new Error('no controllers configured');
    this.clients = new Map(voters.map((v) => [v.id, new RpcClient({ host: v.host, port: v.port, requestTimeoutMs: requestTimeoutMs })]));
    this.active = voters[0].id;
  }

  async call<P extends ControlPattern>(pattern: P, request: ControlRequest<P>): Promise<ControlResponse<P>> {
    const ids = [...this.clients.keys()];
    let lastError: Error | null = null;
    for (let attempt = 0; attempt < ids.length * 2; attempt++) {
      const target = this.active;
      const client = this.clients.get(target) as RpcClient;
      // a long poll may legitimately take its whole wait: give it room beyond the request timeout
      const timeoutMs = pattern === 'metadata.fetch' ? this.requestTimeoutMs + (request as ControlRequest<'metadata.fetch'>).maxWaitMs : this.requestTimeoutMs;
      try {
        const answer = await client.request<ControlResponse<P> & { errorCode?: number; activeControllerId?: number | null }>(pattern, request, timeoutMs);
        if (answer.errorCode === NOT_CONTROLLER && !READ_PATTERNS.has(pattern)) {
          const next = answer.activeControllerId;
          this.active = next !== null && next !== undefined && this.clients.has(next) ? next : ids[(ids.indexOf(target) + 1) % ids.length];
          lastError = new Error(`controller ${target} is not active`);
          if (next === null || next === undefined) await new Promise((r) => setTimeout(r, 100)); // election in progress
          continue;
        }
        return answer;
      } catch (error) {
        lastError = error as Error;
        this.active = ids[(ids.indexOf(target) + 1) % ids.length];
      }
    }
    throw lastError ?? new Error('no controller answered');
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
  }
}
