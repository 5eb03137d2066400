import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogCleaner } from './log-cleaner';
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
  /** How often one compacted partition is cleaned. */
  cleanerIntervalMs?: number;
  /** Bytes of segments the cleaner may read in one run (bounds its I/O). */
  cleanerMaxBytesPerRun?: number;
}

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
  private cleanerCursor = 0;

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
    log.close();
    const doomed = path.join(this.options.dataDir, `${name}.${Date.now().toString(36)}${DELETED_SUFFIX}`);
    fs.renameSync(log.dir, doomed);
    fs.rmSync(doomed, { recursive: true, force: true });
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
    every(this.options.cleanerIntervalMs ?? 15_000, () => this.runCleanerOnce());
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

  /** Cleans the next compacted partition in round-robin order (one per run bounds the I/O). */
  runCleanerOnce(): void {
    const compacted = [...this.logs.values()].filter((log) => log.config.cleanupPolicy.includes('compact'));
    if (compacted.length === 0) return;
    const log = compacted[this.cleanerCursor++ % compacted.length];
    this.cleaner.clean(log);
  }

  /** Clean stop: timers off, every log flushed and closed with its checkpoints. */
  close(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    for (const log of this.logs.values()) log.close();
    this.logs.clear();
  }

  private openLog(name: string, config: Partial<LogConfig>): PartitionLog {
    return PartitionLog.open(path.join(this.options.dataDir, name), {
      config: { ...this.options.defaultConfig, ...config },
      clock: this.clock,
      batchCodec: this.options.batchCodec,
    });
  }
}
