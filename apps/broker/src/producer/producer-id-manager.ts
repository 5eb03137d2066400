import { ControllerChannel } from '../kafka/broker-context';

/** Fetch the next block once fewer ids than this are left in the current one. */
const PREFETCH_BELOW = 100;
/** Attempts to get a block before InitProducerId fails (each attempt is one controller call). */
const MAX_FETCH_ATTEMPTS = 3;

/**
 * Hands out producer ids from blocks the active controller allocates to this broker, so ids are
 * unique across the cluster without a round trip per producer. The next block is fetched ahead
 * of time, and concurrent callers share one fetch.
 */
export class ProducerIdManager {
  private blocks: { next: number; end: number }[] = [];
  private pending: Promise<void> | null = null;

  constructor(
    private readonly controller: ControllerChannel,
    private readonly identity: () => { brokerId: number; brokerEpoch: number },
  ) {}

  async next(): Promise<number> {
    for (let attempt = 0; attempt < MAX_FETCH_ATTEMPTS; attempt++) {
      while (this.blocks.length > 0 && this.blocks[0].next >= this.blocks[0].end) this.blocks.shift();
      const block = this.blocks[0];
      if (block) {
        const id = block.next++;
        const left = this.blocks.reduce((sum, b) => sum + (b.end - b.next), 0);
        if (left < PREFETCH_BELOW) void this.fetchBlock().catch(() => undefined);
        return id;
      }
      await this.fetchBlock();
    }
    throw new Error('no producer id block could be allocated');
  }

  private fetchBlock(): Promise<void> {
    this.pending ??= (async () => {
      try {
        const answer = await this.controller.call('producerIds.allocate', this.identity());
        if (answer.errorCode !== 0) throw new Error(answer.errorMessage ?? `producer id allocation failed with error ${answer.errorCode}`);
        this.blocks.push({ next: answer.firstProducerId, end: answer.firstProducerId + answer.size });
      } finally {
        this.pending = null;
      }
    })();
    return this.pending;
  }
}
