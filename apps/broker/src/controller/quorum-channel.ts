import { ControlPattern, ControlRequest, ControlResponse, RpcClient } from '@tributary/protocol';
import { ControllerChannel } from '../kafka/broker-context';

const NOT_CONTROLLER = 41;
/** Metadata reads may be served by any controller; everything else goes to the active one. */
const READ_PATTERNS: ReadonlySet<ControlPattern> = new Set(['metadata.fetch', 'quorum.describe']);
/**
 * How long a controller that failed a call is passed over while another may answer. A dead
 * controller costs a call its client's reconnect backoff (up to seconds): without this, calls
 * cycling through the voters during an election kept landing on it.
 */
const PASS_OVER_MS = 2_000;

/**
 * The broker's line to the controller quorum: remembers the active controller, follows
 * NOT_CONTROLLER redirects, and tries the other voters when one is unreachable (passing over,
 * for a while, one that just failed). Bounded: at most two passes over the voters per call.
 */
export class QuorumChannel implements ControllerChannel {
  private readonly clients: Map<number, RpcClient>;
  private active: number;
  private readonly failedUntil = new Map<number, number>();

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
      const target = this.passedOver(this.active) ? this.nextAfter(this.active) : this.active;
      const client = this.clients.get(target) as RpcClient;
      // a long poll may legitimately take its whole wait: give it room beyond the request timeout
      const timeoutMs = pattern === 'metadata.fetch' ? this.requestTimeoutMs + (request as ControlRequest<'metadata.fetch'>).maxWaitMs : this.requestTimeoutMs;
      try {
        const answer = await client.request<ControlResponse<P> & { errorCode?: number; activeControllerId?: number | null }>(pattern, request, timeoutMs);
        if (answer.errorCode === NOT_CONTROLLER && !READ_PATTERNS.has(pattern)) {
          const next = answer.activeControllerId;
          this.failedUntil.delete(target);
          this.active = next !== null && next !== undefined && this.clients.has(next) ? next : this.nextAfter(target);
          lastError = new Error(`controller ${target} is not active`);
          if (next === null || next === undefined) await new Promise((r) => setTimeout(r, 100)); // election in progress
          continue;
        }
        this.failedUntil.delete(target);
        this.active = target;
        return answer;
      } catch (error) {
        lastError = error as Error;
        this.failedUntil.set(target, Date.now() + PASS_OVER_MS);
        this.active = this.nextAfter(target);
      }
    }
    throw lastError ?? new Error('no controller answered');
  }

  private passedOver(id: number): boolean {
    return (this.failedUntil.get(id) ?? 0) > Date.now();
  }

  /** The voter after `id` in order that is not passed over; the plain next one when all are. */
  private nextAfter(id: number): number {
    const ids = [...this.clients.keys()];
    const at = ids.indexOf(id);
    for (let step = 1; step < ids.length; step++) {
      const candidate = ids[(at + step) % ids.length];
      if (!this.passedOver(candidate)) return candidate;
    }
    return ids[(at + 1) % ids.length];
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
  }
}
