import { TOPIC_CONFIGS, validateTopicConfig } from './topic-configs';

describe('topic configs', () => {
  it("default flush.messages and flush.ms to Kafka's Long.MAX_VALUE, written exactly", () => {
    const defaults = new Map(TOPIC_CONFIGS.map((c) => [c.name, c.defaultValue]));
    expect(defaults.get('flush.messages')).toBe('9223372036854775807');
    expect(defaults.get('flush.ms')).toBe('9223372036854775807');
    for (const config of TOPIC_CONFIGS) expect(validateTopicConfig(config.name, config.defaultValue)).toBeNull();
  });

  it('accepts integers within their type and names the problem otherwise', () => {
    expect(validateTopicConfig('retention.ms', '9223372036854775807')).toBeNull();
    expect(validateTopicConfig('retention.ms', '9223372036854775808')).toBe('retention.ms must fit in an int64, got 9223372036854775808');
    expect(validateTopicConfig('max.message.bytes', '2147483648')).toBe('max.message.bytes must fit in an int32, got 2147483648');
    expect(validateTopicConfig('segment.bytes', '1.5')).toBe('segment.bytes must be an integer, got "1.5"');
    expect(validateTopicConfig('flush.messages', '0')).toBe('flush.messages must be >= 1, got 0');
    expect(validateTopicConfig('cleanup.policy', 'compact,delete')).toBeNull();
    expect(validateTopicConfig('cleanup.policy', 'forever')).toContain('"forever"');
    expect(validateTopicConfig('no.such.config', '1')).toBe('unknown topic config "no.such.config"');
  });

  it('accepts min.cleanable.dirty.ratio in [0, 1] only, and max.compaction.lag.ms from 1 ms', () => {
    expect(validateTopicConfig('min.cleanable.dirty.ratio', '0.1')).toBeNull();
    expect(validateTopicConfig('min.cleanable.dirty.ratio', '0')).toBeNull();
    expect(validateTopicConfig('min.cleanable.dirty.ratio', '1')).toBeNull();
    expect(validateTopicConfig('min.cleanable.dirty.ratio', '1.5')).toBe('min.cleanable.dirty.ratio must be <= 1, got 1.5');
    expect(validateTopicConfig('min.cleanable.dirty.ratio', '-0.1')).toBe('min.cleanable.dirty.ratio must be >= 0, got -0.1');
    expect(validateTopicConfig('min.cleanable.dirty.ratio', '')).toBe('min.cleanable.dirty.ratio must be a number, got ""');
    expect(validateTopicConfig('max.compaction.lag.ms', '60000')).toBeNull();
    expect(validateTopicConfig('max.compaction.lag.ms', '0')).toBe('max.compaction.lag.ms must be >= 1, got 0');
  });
});
