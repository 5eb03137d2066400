/**
 * The topic configs Tributary understands, with Kafka's names, types, defaults and bounds. The
 * controller validates CreateTopics / AlterConfigs against them; brokers turn them into log
 * settings and answer DescribeConfigs with them.
 */
export type ConfigType = 'long' | 'int' | 'double' | 'boolean' | 'string' | 'list';

export interface ConfigDefinition {
  name: string;
  type: ConfigType;
  defaultValue: string;
  /** Inclusive lower bound for numbers. */
  min?: number;
  /** Inclusive upper bound for doubles. */
  max?: number;
  /** Allowed values for strings / list items. */
  oneOf?: readonly string[];
  doc: string;
}

const DAY_MS = 24 * 3600 * 1000;
/** Kafka's Long.MAX_VALUE, written out: String(2 ** 63 - 1) would print the nearest double, 9223372036854776000. */
const LONG_MAX = '9223372036854775807';

export const TOPIC_CONFIGS: readonly ConfigDefinition[] = [
  { name: 'cleanup.policy', type: 'list', defaultValue: 'delete', oneOf: ['delete', 'compact'], doc: 'delete old segments, compact by key, or both' },
  { name: 'compression.type', type: 'string', defaultValue: 'producer', oneOf: ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'], doc: 'batches are stored as the producer sent them' },
  { name: 'delete.retention.ms', type: 'long', defaultValue: String(DAY_MS), min: 0, doc: 'how long tombstones survive compaction' },
  { name: 'flush.messages', type: 'long', defaultValue: LONG_MAX, min: 1, doc: 'fsync after this many records' },
  { name: 'flush.ms', type: 'long', defaultValue: LONG_MAX, min: 0, doc: 'fsync at least this often' },
  { name: 'index.interval.bytes', type: 'int', defaultValue: '4096', min: 0, doc: 'bytes between offset index entries' },
  { name: 'max.message.bytes', type: 'int', defaultValue: String(1024 * 1024 + 12), min: 0, doc: 'largest record batch accepted' },
  { name: 'message.timestamp.type', type: 'string', defaultValue: 'CreateTime', oneOf: ['CreateTime', 'LogAppendTime'], doc: 'producer timestamps or broker append time' },
  { name: 'max.compaction.lag.ms', type: 'long', defaultValue: LONG_MAX, min: 1, doc: 'dirty records older than this are compacted whatever the dirty ratio' },
  { name: 'min.cleanable.dirty.ratio', type: 'double', defaultValue: '0.5', min: 0, max: 1, doc: 'share of uncompacted bytes a log needs before it is compacted' },
  { name: 'min.compaction.lag.ms', type: 'long', defaultValue: '0', min: 0, doc: 'records younger than this are not compacted' },
  { name: 'min.insync.replicas', type: 'int', defaultValue: '1', min: 1, doc: 'replicas that must acknowledge an acks=all write' },
  { name: 'retention.bytes', type: 'long', defaultValue: '-1', min: -1, doc: 'maximum partition size before old segments go (-1: unbounded)' },
  { name: 'retention.ms', type: 'long', defaultValue: String(7 * DAY_MS), min: -1, doc: 'how long records are kept (-1: forever)' },
  { name: 'segment.bytes', type: 'int', defaultValue: String(1024 * 1024 * 1024), min: 14, doc: 'segment file size' },
  { name: 'segment.ms', type: 'long', defaultValue: String(7 * DAY_MS), min: 1, doc: 'roll a segment after this long' },
  { name: 'unclean.leader.election.enable', type: 'boolean', defaultValue: 'false', doc: 'elect an out-of-sync replica when no ISR member is alive' },
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((c) => [c.name, c]));

export function topicConfigDefinition(name: string): ConfigDefinition | undefined {
  return BY_NAME.get(name);
}

/** Null when `value` is valid for topic config `name`, else a message naming the problem. */
export function validateTopicConfig(name: string, value: string | null): string | null {
  const definition = BY_NAME.get(name);
  if (!definition) return `unknown topic config "${name}"`;
  if (value === null) return null; // back to the default
  switch (definition.type) {
    case 'int':
    case 'long': {
      if (!/^-?\d+$/.test(value.trim())) return `${name} must be an integer, got "${value}"`;
      const n = Number(value);
      if (definition.type === 'int' && (n > 2 ** 31 - 1 || n < -(2 ** 31))) return `${name} must fit in an int32, got ${value}`;
      if (definition.type === 'long' && (BigInt(value.trim()) > 2n ** 63n - 1n || BigInt(value.trim()) < -(2n ** 63n))) return `${name} must fit in an int64, got ${value}`;
      if (definition.min !== undefined && n < definition.min) return `${name} must be >= ${definition.min}, got ${value}`;
      return null;
    }
    case 'double': {
      const n = value.trim() === '' ? NaN : Number(value);
      if (!Number.isFinite(n)) return `${name} must be a number, got "${value}"`;
      if (definition.min !== undefined && n < definition.min) return `${name} must be >= ${definition.min}, got ${value}`;
      if (definition.max !== undefined && n > definition.max) return `${name} must be <= ${definition.max}, got ${value}`;
      return null;
    }
    case 'boolean':
      return value === 'true' || value === 'false' ? null : `${name} must be true or false, got "${value}"`;
    case 'string':
      return definition.oneOf && !definition.oneOf.includes(value) ? `${name} must be one of ${definition.oneOf.join(', ')}, got "${value}"` : null;
    case 'list': {
      const items = value.split(',').map((v) => v.trim());
      const bad = items.find((v) => definition.oneOf && !definition.oneOf.includes(v));
      return bad === undefined ? null : `${name} items must be among ${definition.oneOf?.join(', ')}, got "${bad}"`;
    }
  }
}

/** Kafka's topic name rule: 1-249 chars of [a-zA-Z0-9._-], not "." or "..". */
export function validateTopicName(name: string): string | null {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name "${name}" is not allowed`;
  if (name.length > 249) return `topic name is longer than 249 characters`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) return `topic name "${name}" has characters outside [a-zA-Z0-9._-]`;
  return null;
}
