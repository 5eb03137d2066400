import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import { CleanResult, LogCleaner } from './log-cleaner';
import { Clock, LogConfig, systemClock } from './log-config';
import { PartitionLog } from './partition-log';
import { BatchCodec } from './records';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface LogManagerOptions {
  dataDir: string;
  /** Defaults for every log; per-topic overrides go to createLog / reconfigure. */
  defaultConfig?: Partial<LogConfig>;
  clock?: Clock;
  batchCodec?: BatchCodec;
  /** log.retention.check.interval.ms */
  retentionCheckIntervalMs?: number;
  /** How often flush.ms is evaluated. */
  flushCheckIntervalMs?: number;
  /** log.flush.offset.checkpoint.interval.ms */
  recoveryPointCheckpointIntervalMs?: number;
  /** How often the dirtiest compacted partition is cleaned (one per run). */
  cleanerIntervalMs?: number;
  /** Bytes of segments the cleaner may read in one run (bounds its I/O). */
  cleanerMaxBytesPerRun?: number;
  /** First wait before a partition whose clean failed is tried again; doubles per failure in a row. */
  cleanerFailureBackoffMs?: number;
  /** Told of every failed clean (the broker logs it); the partition is retried after a backoff. */
  onCleanerError?: (tp: TopicPartition, error: Error, retryAtMs: number) => void;
}

/** A partition whose last clean failed (Kafka's "uncleanable" partition, here retried later). */
export interface UncleanablePartition extends TopicPartition {
  error: string;
  failures: number;
  retryAtMs: number;
}

/** What one cleaner run did: which partition it picked, how dirty it was, what the clean removed. */
export interface CleanerRun extends TopicPartition {
  dirtyRatio: number;
  result: CleanResult;
}

/** The longest wait between retries of a partition that keeps failing to clean. */
const MAX_CLEANER_BACKOFF_MS = 3_600_000;
/** Kafka's name: per partition, the first offset the cleaner has not cleaned yet. */
export const CLEANER_CHECKPOINT_FILE = 'cleaner-offset-checkpoint';

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const DELETED_SUFFIX = '-delete';

export function partitionDirName({ topic, partition }: TopicPartition): string {
  if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') throw new RangeError(`invalid topic name "${topic}"`);
  if (!Number.isInteger(partition) || partition < 0) throw new RangeError(`invalid partition ${partition}`);
  return `${topic}-${partition}`;
}

export function parsePartitionDirName(name: string): TopicPartition | null {
  const match = /^(.+)-(\d+)$/.exec(name);
  if (match === null || !TOPIC_NAME.test(match[1])) return null;
  return { topic: match[1], partition: Number(match[2]) };
}

/**
 * All partition logs under one data directory: opened (and recovered) at startup, created and
 * deleted on demand, and maintained by a small scheduler: retention, time-based flush, recovery
 * point checkpoints and compaction, each bounded per run.
 */
export class LogManager {
  private readonly logs = new Map<string, PartitionLog>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly clock: Clock;
  private readonly cleaner: LogCleaner;
  /** Per partition directory name: the first dirty offset (everything below it was cleaned). */
  private readonly cleanedUpTo = new Map<string, number>();
  /**
   * Partitions whose last clean could not move (their dirty data is all in an open
   * transaction), by the end offset of their inactive segments then: skipped until a segment
   * rolls, so an open transaction does not make one partition win every run for nothing.
   */
  private readonly stalled = new Map<string, number>();
  /** By partition directory name; an entry goes when its partition cleans again or is deleted. */
  private readonly uncleanable = new Map<string, { error: string; failures: number; retryAtMs: number }>();
  /** The clean in flight, if any: one at a time, whoever asks (the scheduler or a caller). */
  private cleaning: Promise<CleanerRun | null> | null = null;
  /** Aborted by close(): a running clean gives up at its next slice. */
  private readonly cleanerStop = new AbortController();

  private constructor(private readonly options: LogManagerOptions) {
    this.clock = options.clock ?? systemClock;
    this.cleaner = new LogCleaner({ clock: this.clock, batchCodec: options.batchCodec, maxBytesPerRun: options.cleanerMaxBytesPerRun });
  }

  /** Opens every partition found under the data directory (recovering unclean ones). */
  static open(options: LogManagerOptions): LogManager {
    const manager = new LogManager(options);
    fs.mkdirSync(options.dataDir, { recursive: true });
    for (const entry of fs.readdirSync(options.dataDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      if (entry.name.endsWith(DELETED_SUFFIX)) {
        fs.rmSync(path.join(options.dataDir, entry.name), { recursive: true, force: true });
        continue;
      }
      const tp = parsePartitionDirName(entry.name);
      if (tp !== null) manager.logs.set(entry.name, manager.openLog(entry.name, {}));
    }
    manager.loadCleanerCheckpoint();
    return manager;
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  getLog(tp: TopicPartition): PartitionLog | undefined {
    return this.logs.get(partitionDirName(tp));
  }

  /** Opens the partition's log, creating it when absent. */
  createLog(tp: TopicPartition, config: Partial<LogConfig> = {}): PartitionLog {
    const name = partitionDirName(tp);
    const existing = this.logs.get(name);
    if (existing) return existing;
    const log = this.openLog(name, config);
    this.logs.set(name, log);
    return log;
  }

  /** Removes the partition: renamed away at once (so a restart never reopens it), then deleted. */
  deleteLog(tp: TopicPartition): boolean {
    const name = partitionDirName(tp);
    const log = this.logs.get(name);
    if (!log) return false;
    this.logs.delete(name);
    this.uncleanable.delete(name);
    this.stalled.delete(name);
    if (this.cleanedUpTo.delete(name)) this.writeCleanerCheckpoint();
    log.close();
    const doomed = path.join(this.options.dataDir, `${name}.${Date.now().toString(36)}${DELETED_SUFFIX}`);
    fs.renameSync(log.dir, doomed);
    // a deleted topic's data is unlinked off the event loop (gigabytes took the broker's thread for
    // seconds), once a clean that may still write into it has given up; a crash before it is done
    // leaves the .deleted directory to the next start
    void (this.cleaning ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => fs.promises.rm(doomed, { recursive: true, force: true }))
      .catch(() => undefined);
    return true;
  }

  partitions(): TopicPartition[] {
    return [...this.logs.keys()].map((name) => parsePartitionDirName(name) as TopicPartition);
  }

  /** Starts the background scheduler; timers are unref'd so they never keep a process alive. */
  startScheduler(): void {
    const every = (ms: number, task: () => void) => {
      const timer = setInterval(task, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.retentionCheckIntervalMs ?? 300_000, () => this.runRetention());
    every(this.options.flushCheckIntervalMs ?? 1_000, () => this.runTimedFlushes());
    every(this.options.recoveryPointCheckpointIntervalMs ?? 60_000, () => this.checkpointRecoveryPoints());
    every(this.options.cleanerIntervalMs ?? 15_000, () => void this.runCleanerOnce());
  }

  runRetention(): number {
    let deleted = 0;
    for (const log of this.logs.values()) deleted += log.applyRetention();
    return deleted;
  }

  runTimedFlushes(): void {
    for (const log of this.logs.values()) log.maybeFlushByTime();
  }

  checkpointRecoveryPoints(): void {
    for (const log of this.logs.values()) log.checkpointRecoveryPoint();
  }

  /**
   * Cleans the dirtiest compacted partition, as Kafka's cleaner picks it: dirty bytes (inactive
   * segments written since its last clean, old enough for min.compaction.lag.ms) over all its
   * inactive bytes, above its min.cleanable.dirty.ratio, or any ratio once its dirty data is
   * older than max.compaction.lag.ms. One partition per run bounds the I/O. The cleaned-up-to
   * offsets are checkpointed, so a restart neither rescans clean data nor forgets dirty data.
   * A clean that throws (an I/O error, a torn segment, a bug) never escapes: the partition is
   * set aside as uncleanable, reported through onCleanerError, and skipped until its backoff
   * ends, so one bad partition neither stops the broker nor starves the others.
   * The clean runs in slices beside everything else (see LogCleaner); while one is in flight
   * another call resolves to null at once, so the scheduler never starts a second.
   */
  runCleanerOnce(): Promise<CleanerRun | null> {
    if (this.cleaning !== null || this.cleanerStop.signal.aborted) return Promise.resolve(null);
    const run = this.cleanDirtiest().finally(() => {
      this.cleaning = null;
    });
    this.cleaning = run;
    return run;
  }

  /** Resolves when no clean is in flight (a closing broker may wait for the abort to land). */
  async cleanerIdle(): Promise<void> {
    await this.cleaning;
  }

  private async cleanDirtiest(): Promise<CleanerRun | null> {
    const nowMs = this.clock.nowMs();
    let dirtiest: { name: string; log: PartitionLog; firstDirty: number; ratio: number } | null = null;
    for (const [name, log] of this.logs) {
      if (!log.config.cleanupPolicy.includes('compact')) {
        // compaction switched off: what it failed or stalled on no longer matters
        this.uncleanable.delete(name);
        this.stalled.delete(name);
        continue;
      }
      if ((this.uncleanable.get(name)?.retryAtMs ?? -Infinity) > nowMs) continue;
      if (this.stalled.get(name) === inactiveEndOffset(log)) continue;
      const firstDirty = this.firstDirtyOffset(name, log);
      const { ratio, overdue } = dirtiness(log, firstDirty, nowMs);
      if (!(ratio > log.config.minCleanableDirtyRatio || (overdue && ratio > 0))) continue;
      if (dirtiest === null || ratio > dirtiest.ratio) dirtiest = { name, log, firstDirty, ratio };
    }
    if (dirtiest === null) return null;
    const { name, log, firstDirty, ratio } = dirtiest;
    try {
      const result = await this.cleaner.clean(log, firstDirty, this.cleanerStop.signal);
      // deleted or closed meanwhile: nothing of it is this manager's to record any more
      if (this.logs.get(name) !== log) return null;
      // abandoned (the log changed under it): neither stalled nor failed, the next run retries
      if (result.abandoned !== null) return { ...(parsePartitionDirName(name) as TopicPartition), dirtyRatio: ratio, result };
      this.uncleanable.delete(name);
      if (result.cleanedUpToOffset === null) this.stalled.set(name, inactiveEndOffset(log));
      else {
        this.stalled.delete(name);
        this.cleanedUpTo.set(name, result.cleanedUpToOffset);
        this.writeCleanerCheckpoint();
      }
      return { ...(parsePartitionDirName(name) as TopicPartition), dirtyRatio: ratio, result };
    } catch (thrown) {
      if (this.logs.get(name) === log) this.markUncleanable(name, thrown instanceof Error ? thrown : new Error(String(thrown)), this.clock.nowMs());
      return null;
    }
  }

  /**
   * The first offset of a partition not cleaned yet: its checkpoint, while the log still looks
   * as the clean left it. A clean always ends where a segment begins, so a checkpoint past the
   * log end or inside a segment means a follower truncated below it and wrote new data there:
   * all of the log counts as dirty again (Kafka truncates the checkpoint on truncation). The
   * log start moving past it (retention) just moves it along.
   */
  private firstDirtyOffset(name: string, log: PartitionLog): number {
    const checkpoint = this.cleanedUpTo.get(name);
    if (checkpoint === undefined || checkpoint <= log.logStartOffset) return log.logStartOffset;
    if (checkpoint > log.logEndOffset || !log.segmentBaseOffsets().includes(checkpoint)) return log.logStartOffset;
    return checkpoint;
  }

  /** Partitions whose last clean failed, with when each is tried again. */
  uncleanablePartitions(): UncleanablePartition[] {
    return [...this.uncleanable].map(([name, state]) => ({ ...(parsePartitionDirName(name) as TopicPartition), ...state }));
  }

  /**
   * Clean stop: timers off, every log flushed and closed with its checkpoints. A clean in flight
   * is aborted: it finds its log closed at its next slice (milliseconds) and removes its
   * `.cleaned` file (cleanerIdle() resolves then); a crash before that leaves the file to
   * open(), which deletes it.
   */
  close(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    this.cleanerStop.abort();
    for (const log of this.logs.values()) log.close();
    this.logs.clear();
  }

  private loadCleanerCheckpoint(): void {
    for (const line of readCheckpoint(path.join(this.options.dataDir, CLEANER_CHECKPOINT_FILE)) ?? []) {
      const [topic, partition, offset] = line.split(' ');
      const name = `${topic}-${partition}`;
      const value = Number(offset);
      // entries of partitions gone from this directory, or that do not parse, are dropped
      if (this.logs.has(name) && Number.isSafeInteger(value) && value >= 0) this.cleanedUpTo.set(name, value);
    }
  }

  private writeCleanerCheckpoint(): void {
    const lines = [...this.cleanedUpTo].map(([name, offset]) => {
      const { topic, partition } = parsePartitionDirName(name) as TopicPartition;
      return `${topic} ${partition} ${offset}`;
    });
    writeCheckpoint(path.join(this.options.dataDir, CLEANER_CHECKPOINT_FILE), lines);
  }

  private markUncleanable(name: string, error: Error, nowMs: number): void {
    const failures = (this.uncleanable.get(name)?.failures ?? 0) + 1;
    const backoffMs = Math.min(MAX_CLEANER_BACKOFF_MS, (this.options.cleanerFailureBackoffMs ?? 60_000) * 2 ** (failures - 1));
    const retryAtMs = nowMs + backoffMs;
    this.uncleanable.set(name, { error: error.message, failures, retryAtMs });
    try {
      this.options.onCleanerError?.(parsePartitionDirName(name) as TopicPartition, error, retryAtMs);
    } catch {
      // a failing listener must not undo the containment it is told about
    }
  }

  private openLog(name: string, config: Partial<LogConfig>): PartitionLog {
    return PartitionLog.open(path.join(this.options.dataDir, name), {
      config: { ...this.options.defaultConfig, ...config },
      clock: this.clock,
      batchCodec: this.options.batchCodec,
    });
  }
}

/**
 * A compacted log's dirty ratio: bytes of its inactive segments from `firstDirty` on (up to the
 * first one younger than min.compaction.lag.ms) over the bytes of all inactive segments up to
 * there. Overdue: the first dirty segment's newest record is older than max.compaction.lag.ms
 * (Kafka looks at its oldest record; segments keep only their newest timestamp, so this is late
 * by at most one segment's time span).
 */
function dirtiness(log: PartitionLog, firstDirty: number, nowMs: number): { ratio: number; overdue: boolean } {
  let cleanBytes = 0;
  let dirtyBytes = 0;
  let overdue = false;
  for (const segment of log.inactiveSegments()) {
    if (segment.nextOffset <= firstDirty) {
      cleanBytes += segment.size;
      continue;
    }
    const ageMs = nowMs - segment.maxTimestamp;
    if (ageMs < log.config.minCompactionLagMs) break;
    if (dirtyBytes === 0) overdue = ageMs > log.config.maxCompactionLagMs;
    dirtyBytes += segment.size;
  }
  const total = cleanBytes + dirtyBytes;
  return { ratio: total === 0 ? 0 : dirtyBytes / total, overdue };
}

function inactiveEndOffset(log: PartitionLog): number {
  return log.inactiveSegments().at(-1)?.nextOffset ?? -1;
}
