import { LogConfig } from '@tributary/log-engine';

/**
 * Topic configs (Kafka names, as stored in the metadata image) to log-engine settings. Values
 * were validated by the controller; unknown or absent names keep the broker's defaults.
 */
export function topicLogConfig(configs: ReadonlyMap<string, string>, defaults: Partial<LogConfig> = {}): Partial<LogConfig> {
  const out: Partial<LogConfig> = { ...defaults };
  const num = (name: string) => (configs.has(name) ? Number(configs.get(name)) : undefined);
  const set = <K extends keyof LogConfig>(key: K, value: LogConfig[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set('segmentBytes', num('segment.bytes'));
  set('segmentMs', num('segment.ms'));
  set('indexIntervalBytes', num('index.interval.bytes'));
  set('maxMessageBytes', num('max.message.bytes'));
  set('retentionMs', num('retention.ms'));
  set('retentionBytes', num('retention.bytes'));
  set('deleteRetentionMs', num('delete.retention.ms'));
  set('minCompactionLagMs', num('min.compaction.lag.ms'));
  // Kafka's default is Long.MAX_VALUE: anything that large never forces a clean
  const maxCompactionLagMs = num('max.compaction.lag.ms');
  set('maxCompactionLagMs', maxCompactionLagMs !== undefined && maxCompactionLagMs < Number.MAX_SAFE_INTEGER ? maxCompactionLagMs : undefined);
  set('minCleanableDirtyRatio', num('min.cleanable.dirty.ratio'));
  // Kafka's "never" default is Long.MAX_VALUE; anything that large means no policy-driven fsync
  const flushMessages = num('flush.messages');
  set('flushMessages', flushMessages !== undefined && flushMessages < Number.MAX_SAFE_INTEGER ? flushMessages : undefined);
  const flushMs = num('flush.ms');
  set('flushMs', flushMs !== undefined && flushMs < Number.MAX_SAFE_INTEGER ? Math.max(1, flushMs) : undefined);
  const timestampType = configs.get('message.timestamp.type');
  if (timestampType === 'CreateTime' || timestampType === 'LogAppendTime') out.messageTimestampType = timestampType;
  const policy = configs.get('cleanup.policy')?.split(',').map((p) => p.trim()).sort().join(',');
  if (policy === 'delete' || policy === 'compact') out.cleanupPolicy = policy;
  else if (policy === 'compact,delete') out.cleanupPolicy = 'compact,delete';
  return out;
}

export function topicMinInsyncReplicas(configs: ReadonlyMap<string, string>, fallback: number): number {
  const value = Number(configs.get('min.insync.replicas'));
  return Number.isInteger(value) && value >= 1 ? value : fallback;
}
