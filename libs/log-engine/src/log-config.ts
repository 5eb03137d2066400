/** Per-partition log settings, with Kafka's topic-config names and defaults. */
export interface LogConfig {
  /** segment.bytes */
  segmentBytes: number;
  /** segment.ms */
  segmentMs: number;
  /** index.interval.bytes */
  indexIntervalBytes: number;
  /** max.message.bytes: the largest batch accepted */
  maxMessageBytes: number;
  /** message.timestamp.type */
  messageTimestampType: 'CreateTime' | 'LogAppendTime';
  /** retention.ms (-1: forever) */
  retentionMs: number;
  /** retention.bytes (-1: unbounded) */
  retentionBytes: number;
  /** cleanup.policy */
  cleanupPolicy: 'delete' | 'compact' | 'compact,delete';
  /** delete.retention.ms: how long tombstones survive compaction */
  deleteRetentionMs: number;
  /** min.compaction.lag.ms */
  minCompactionLagMs: number;
  /** max.compaction.lag.ms: dirty data older than this is compacted whatever the dirty ratio (Infinity: never forced) */
  maxCompactionLagMs: number;
  /** min.cleanable.dirty.ratio: share of dirty bytes (written since the last clean) a log needs before it is compacted */
  minCleanableDirtyRatio: number;
  /** flush.messages: fsync after this many records (Infinity: leave it to flush.ms / the OS) */
  flushMessages: number;
  /** flush.ms: fsync at least this often when there is unflushed data (Infinity: never by time) */
  flushMs: number;
}

export const DEFAULT_LOG_CONFIG: LogConfig = {
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 3600 * 1000,
  indexIntervalBytes: 4096,
  maxMessageBytes: 1024 * 1024 + 12,
  messageTimestampType: 'CreateTime',
  retentionMs: 7 * 24 * 3600 * 1000,
  retentionBytes: -1,
  cleanupPolicy: 'delete',
  deleteRetentionMs: 24 * 3600 * 1000,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Infinity,
  minCleanableDirtyRatio: 0.5,
  flushMessages: Infinity,
  flushMs: Infinity,
};

export function logConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  const config = { ...DEFAULT_LOG_CONFIG, ...overrides };
  const positive: (keyof LogConfig)[] = ['segmentBytes', 'segmentMs', 'indexIntervalBytes', 'maxMessageBytes', 'flushMessages', 'flushMs', 'maxCompactionLagMs'];
  for (const key of positive) {
    if (!((config[key] as number) > 0)) throw new RangeError(`log config ${key} must be > 0, got ${config[key]}`);
  }
  if (!(config.minCleanableDirtyRatio >= 0 && config.minCleanableDirtyRatio <= 1)) throw new RangeError(`log config minCleanableDirtyRatio must be in [0, 1], got ${config.minCleanableDirtyRatio}`);
  if (config.segmentBytes < 14) throw new RangeError('log config segmentBytes must be at least 14');
  if (config.segmentBytes > 2 ** 31 - 1) throw new RangeError('log config segmentBytes must fit in an int32 file position');
  return config;
}

/** Time source, injected so retention and rolling are testable. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };
