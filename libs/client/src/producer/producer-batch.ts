import { BatchFields, RecordBatchBuilder, RecordHeaderInput, Bytes } from '@tributary/protocol';

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1 with acks=0, when the broker does not answer */
  offset: number;
  timestamp: number;
}

/** One send() call: its records may spread over several batches; it settles when all have. */
export class SendCompletion {
  readonly results: RecordMetadata[];
  private pendingBatches = 0;
  private settled = false;
  readonly promise: Promise<RecordMetadata[]>;
  private resolvePromise!: (results: RecordMetadata[]) => void;
  private rejectPromise!: (error: Error) => void;

  constructor(count: number) {
    this.results = new Array<RecordMetadata>(count);
    this.promise = new Promise((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    });
  }

  addBatch(): void {
    this.pendingBatches++;
  }

  batchDone(): void {
    if (--this.pendingBatches === 0 && !this.settled) {
      this.settled = true;
      this.resolvePromise(this.results);
    }
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectPromise(error);
  }
}

/**
 * Records bound for one partition, appended into a pooled builder until the batch is full or
 * lingered long enough. Segments map runs of the batch's records back to their send() calls.
 */
export class ProducerBatch {
  /** The builder while the batch is open; seal() hands it back for the next batch. */
  private builder: RecordBatchBuilder | null;
  /** [completion, index of the first record in the completion, offset delta in this batch, count] */
  private readonly segments: [SendCompletion, number, number, number][] = [];
  /** CreateTime of the first record; most batches hold one send() call's records, which share it */
  private firstTimestamp = -1;
  /** every record's CreateTime, kept only once one differs from the first (no per-record array otherwise) */
  private timestamps: number[] | null = null;
  count = 0;
  bytes = 0;
  built: Buffer | null = null;
  baseSequence = -1;
  attempts = 0;
  readonly createdAt = Date.now();

  constructor(
    readonly topic: string,
    readonly partition: number,
    builder: RecordBatchBuilder,
  ) {
    this.builder = builder;
  }

  /** Uncompressed bytes of the open batch. */
  get sizeInBytes(): number {
    return this.openBuilder().sizeInBytes;
  }

  append(key: Bytes, value: Bytes, timestamp: number, headers: readonly RecordHeaderInput[], completion: SendCompletion, index: number): void {
    const last = this.segments[this.segments.length - 1];
    if (last && last[0] === completion && last[1] + last[3] === index) last[3]++;
    else {
      this.segments.push([completion, index, this.count, 1]);
      completion.addBatch();
    }
    this.openBuilder().append(key, value, timestamp, headers);
    if (this.count === 0) this.firstTimestamp = timestamp;
    else if (this.timestamps) this.timestamps.push(timestamp);
    else if (timestamp !== this.firstTimestamp) {
      this.timestamps = new Array<number>(this.count).fill(this.firstTimestamp);
      this.timestamps.push(timestamp);
    }
    this.count++;
  }

  /**
   * Seals the batch: builds (and compresses) it once, and returns the emptied builder for reuse;
   * retries resend the same bytes and sequence.
   */
  seal(fields: BatchFields): RecordBatchBuilder {
    const builder = this.openBuilder();
    this.built = builder.build(fields);
    this.builder = null;
    return builder;
  }

  complete(baseOffset: number, logAppendTime: number): void {
    for (const [completion, first, delta, count] of this.segments) {
      for (let i = 0; i < count; i++) {
        completion.results[first + i] = {
          topic: this.topic,
          partition: this.partition,
          offset: baseOffset < 0 ? -1 : baseOffset + delta + i,
          timestamp: logAppendTime >= 0 ? logAppendTime : (this.timestamps?.[delta + i] ?? this.firstTimestamp),
        };
      }
      completion.batchDone();
    }
  }

  fail(error: Error): void {
    for (const [completion] of this.segments) completion.fail(error);
  }

  private openBuilder(): RecordBatchBuilder {
    if (!this.builder) throw new Error(`batch of ${this.topic}-${this.partition} is sealed`);
    return this.builder;
  }
}
