import { BatchFields, RecordBatchBuilder, RecordHeaderInput, Bytes } from '@tributary/protocol';

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1 with acks=0, when the broker does not answer */
  offset: number;
  timestamp: number;
}

/** A run of one send() call's records that sit next to each other in one batch. */
interface Segment {
  readonly completion: SendCompletion;
  /** index of the run's first record in the send() call */
  readonly first: number;
  /** offset delta of that record in the batch */
  readonly delta: number;
  count: number;
}

/**
 * One send() call: its records may spread over several batches; it settles when all have.
 * The per-record results are built only then, in one go, into a young array: an array allocated
 * at send() time lives as long as the send, is usually promoted by then, and every result written
 * into it survived the next scavenge.
 */
export class SendCompletion {
  private pendingBatches = 0;
  private settled = false;
  /** completed runs of this call's records, in the order their batches were acknowledged */
  private readonly doneBatches: ProducerBatch[] = [];
  private readonly doneSegments: Segment[] = [];
  readonly promise: Promise<RecordMetadata[]>;
  private resolvePromise!: (results: RecordMetadata[]) => void;
  private rejectPromise!: (error: Error) => void;

  constructor(readonly count: number) {
    this.promise = new Promise((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    });
  }

  addBatch(): void {
    this.pendingBatches++;
  }

  segmentDone(batch: ProducerBatch, segment: Segment): void {
    if (this.settled) return;
    this.doneBatches.push(batch);
    this.doneSegments.push(segment);
    if (--this.pendingBatches === 0) {
      this.settled = true;
      const results = this.results();
      this.doneBatches.length = 0;
      this.doneSegments.length = 0;
      this.resolvePromise(results);
    }
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.doneBatches.length = 0;
    this.doneSegments.length = 0;
    this.rejectPromise(error);
  }

  private results(): RecordMetadata[] {
    const results = new Array<RecordMetadata>(this.count);
    for (let s = 0; s < this.doneSegments.length; s++) {
      const batch = this.doneBatches[s];
      const { first, delta, count } = this.doneSegments[s];
      for (let i = 0; i < count; i++) results[first + i] = batch.metadataOf(delta + i);
    }
    return results;
  }
}

/**
 * Records bound for one partition, appended into a pooled builder until the batch is full or
 * lingered long enough. Segments map runs of the batch's records back to their send() calls.
 */
export class ProducerBatch {
  /** The builder while the batch is open; seal() hands it back for the next batch. */
  private builder: RecordBatchBuilder | null;
  private readonly segments: Segment[] = [];
  /** CreateTime of the first record; most batches hold one send() call's records, which share it */
  private firstTimestamp = -1;
  /** every record's CreateTime, kept only once one differs from the first (no per-record array otherwise) */
  private timestamps: number[] | null = null;
  private baseOffset = -1;
  private logAppendTime = -1;
  count = 0;
  bytes = 0;
  /** The sealed bytes, resent as they are on retries; released once the batch is acknowledged. */
  built: Buffer | null = null;
  private builtOwnsBuilderBuffer = false;
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

  /** Appends whatever the batch size; returns the bytes the record added. */
  append(key: Bytes, value: Bytes, timestamp: number, headers: readonly RecordHeaderInput[], completion: SendCompletion, index: number): number {
    return this.tryAppend(key, value, timestamp, headers, completion, index, Infinity);
  }

  /**
   * Appends unless the batch already holds records and would then exceed `maxBytes`; returns the
   * bytes the record added, or -1 when it was not appended (the batch is full).
   */
  tryAppend(key: Bytes, value: Bytes, timestamp: number, headers: readonly RecordHeaderInput[], completion: SendCompletion, index: number, maxBytes: number): number {
    const added = this.openBuilder().tryAppend(key, value, timestamp, headers, maxBytes);
    if (added < 0) return -1;
    const last = this.segments.length > 0 ? this.segments[this.segments.length - 1] : undefined;
    if (last !== undefined && last.completion === completion && last.first + last.count === index) last.count++;
    else {
      this.segments.push({ completion, first: index, delta: this.count, count: 1 });
      completion.addBatch();
    }
    if (this.count === 0) this.firstTimestamp = timestamp;
    else if (this.timestamps) this.timestamps.push(timestamp);
    else if (timestamp !== this.firstTimestamp) {
      this.timestamps = new Array<number>(this.count).fill(this.firstTimestamp);
      this.timestamps.push(timestamp);
    }
    this.count++;
    this.bytes += added;
    return added;
  }

  /**
   * Seals the batch: builds (and compresses) it once, and returns the emptied builder for reuse;
   * retries resend the same bytes and sequence.
   */
  seal(fields: BatchFields): RecordBatchBuilder {
    const builder = this.openBuilder();
    this.built = builder.build(fields);
    this.builtOwnsBuilderBuffer = !builder.hasBuffer;
    this.builder = null;
    return builder;
  }

  /**
   * The sealed bytes when they fill a whole builder buffer (see RecordBatchBuilder.recycle), for
   * the producer to reuse once the batch is acknowledged; null otherwise.
   */
  get recyclableBuffer(): Buffer | null {
    return this.builtOwnsBuilderBuffer ? this.built : null;
  }

  complete(baseOffset: number, logAppendTime: number): void {
    this.baseOffset = baseOffset;
    this.logAppendTime = logAppendTime;
    this.built = null;
    for (const segment of this.segments) segment.completion.segmentDone(this, segment);
    this.releaseSegments();
  }

  fail(error: Error): void {
    this.built = null;
    for (const { completion } of this.segments) completion.fail(error);
    this.releaseSegments();
  }

  /**
   * Forgets the send() calls once they are told. A batch is shared by the send() calls on either
   * side of it, and a pending call holds its acknowledged batches: kept, these links would chain
   * settled calls, and their results, to the newest pending one.
   */
  private releaseSegments(): void {
    this.segments.length = 0;
  }

  /** The acknowledged position and time of the record at `delta` (after complete()). */
  metadataOf(delta: number): RecordMetadata {
    return {
      topic: this.topic,
      partition: this.partition,
      offset: this.baseOffset < 0 ? -1 : this.baseOffset + delta,
      timestamp: this.logAppendTime >= 0 ? this.logAppendTime : (this.timestamps?.[delta] ?? this.firstTimestamp),
    };
  }

  private openBuilder(): RecordBatchBuilder {
    if (!this.builder) throw new Error(`batch of ${this.topic}-${this.partition} is sealed`);
    return this.builder;
  }
}
