import { logConfig } from '@tributary/log-engine';
import { topicLogConfig } from './topic-log-config';

describe('topicLogConfig: compaction settings', () => {
  it('turns min.cleanable.dirty.ratio and max.compaction.lag.ms into log settings the log accepts', () => {
    const out = topicLogConfig(new Map([['cleanup.policy', 'compact'], ['min.cleanable.dirty.ratio', '0.1'], ['max.compaction.lag.ms', '60000'], ['min.compaction.lag.ms', '1000']]));
    expect(out).toEqual({ cleanupPolicy: 'compact', minCleanableDirtyRatio: 0.1, maxCompactionLagMs: 60_000, minCompactionLagMs: 1000 });
    expect(logConfig(out)).toMatchObject(out);
  });

  it("reads Kafka's default max.compaction.lag.ms (Long.MAX_VALUE) as never forcing a clean", () => {
    const out = topicLogConfig(new Map([['max.compaction.lag.ms', '9223372036854775807']]));
    expect(out.maxCompactionLagMs).toBeUndefined();
    expect(logConfig(out).maxCompactionLagMs).toBe(Infinity);
    expect(logConfig(out).minCleanableDirtyRatio).toBe(0.5);
  });
});
