import { MetadataImage, MetadataRecord } from '@tributary/protocol';
import { ControllerChannel } from '../kafka/broker-context';

export interface MetadataLoaderOptions {
  /** Records per fetch. */
  maxRecords: number;
  /** Long-poll wait on the controller when nothing is new. */
  maxWaitMs: number;
  /** Pause after a failed fetch (controller down, election in progress). */
  backoffMs: number;
}

export const DEFAULT_METADATA_LOADER_OPTIONS: MetadataLoaderOptions = { maxRecords: 10_000, maxWaitMs: 1_000, backoffMs: 500 };

/**
 * Follows the committed metadata log from the controller quorum into this broker's image, the
 * KRaft way: long-poll fetches from the next offset, a snapshot when the broker is too far
 * behind, and a callback after every change (the publisher turns it into replica roles).
 */
export class MetadataLoader {
  readonly image = new MetadataImage();
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly options: MetadataLoaderOptions;
  private caughtUpWaiters: { offset: number; resolve: () => void }[] = [];

  constructor(
    private readonly controller: ControllerChannel,
    private readonly onChange: (image: MetadataImage) => void,
    private readonly onError: (error: Error) => void = () => undefined,
    options: Partial<MetadataLoaderOptions> = {},
  ) {
    this.options = { ...DEFAULT_METADATA_LOADER_OPTIONS, ...options };
  }

  /** The last metadata offset applied (reported in heartbeats). */
  get offset(): number {
    return this.image.offset;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Resolves once the image has applied at least `offset`. */
  waitFor(offset: number): Promise<void> {
    if (this.image.offset >= offset) return Promise.resolve();
    return new Promise((resolve) => this.caughtUpWaiters.push({ offset, resolve }));
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        let from = this.image.offset + 1;
        const answer = await this.controller.call('metadata.fetch', { fromOffset: from, maxRecords: this.options.maxRecords, maxWaitMs: this.options.maxWaitMs });
        if (answer.errorCode !== 0) throw new Error(answer.errorMessage ?? `metadata fetch failed with error ${answer.errorCode}`);
        let changed = false;
        if (answer.snapshot) {
          this.loadSnapshot(answer.snapshot.offset, answer.snapshot.records);
          from = answer.snapshot.offset + 1;
          changed = true;
        }
        // several records may share an offset (one log entry holds one command's records)
        for (const { offset, record } of answer.records) {
          if (offset < from) continue;
          this.image.apply(record, offset);
          changed = true;
        }
        if (answer.highWatermark > this.image.offset) {
          // the answer is complete up to highWatermark: entries without records (Raft no-ops) count too
          this.image.offset = answer.highWatermark;
          changed = true;
        }
        if (changed) {
          this.onChange(this.image);
          const ready = this.caughtUpWaiters.filter((w) => w.offset <= this.image.offset);
          this.caughtUpWaiters = this.caughtUpWaiters.filter((w) => w.offset > this.image.offset);
          for (const w of ready) w.resolve();
        }
      } catch (error) {
        this.onError(error as Error);
        await new Promise((r) => setTimeout(r, this.options.backoffMs));
      }
    }
  }

  private loadSnapshot(offset: number, records: readonly MetadataRecord[]): void {
    const fresh = new MetadataImage();
    for (const record of records) fresh.apply(record, offset);
    fresh.offset = offset;
    // replace the image's contents in place: holders of the image object keep seeing the latest
    Object.assign(this.image, fresh);
  }
}
