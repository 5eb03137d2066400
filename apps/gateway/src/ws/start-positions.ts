import { KafkaService } from '../cluster/kafka.service';
import { FrameError } from './error-frames';
import { WS_LIMITS } from './ws-limits';
import { SubscribeFrame, TopicPartitionOffset } from './ws-protocol';

/**
 * The partitions of a direct subscription and their first offsets: every partition of its topics
 * and the partitions it names; explicit offsets as given, else `from` (earliest, latest, an offset,
 * a timestamp) resolved to offsets now. Throws a FrameError for unknown partitions or too many.
 */
export async function startPositions(kafka: KafkaService, request: SubscribeFrame): Promise<TopicPartitionOffset[]> {
  const wanted = new Map<string, { topic: string; partition: number; offset?: number }>();
  for (const topic of request.topics ?? []) {
    const info = await kafka.cluster.topic(topic);
    for (const p of info.partitions) wanted.set(`${topic}\u0000${p.partition}`, { topic, partition: p.partition });
    if (wanted.size > WS_LIMITS.maxPartitionsPerSubscription) throw new FrameError(429, `a subscription covers at most ${WS_LIMITS.maxPartitionsPerSubscription} partitions`);
  }
  for (const p of request.partitions ?? []) {
    const info = await kafka.cluster.topic(p.topic);
    if (p.partition >= info.partitions.length) throw new FrameError(404, `partitions: topic ${p.topic} has no partition ${p.partition} (it has ${info.partitions.length})`);
    wanted.set(`${p.topic}\u0000${p.partition}`, p);
    if (wanted.size > WS_LIMITS.maxPartitionsPerSubscription) throw new FrameError(429, `a subscription covers at most ${WS_LIMITS.maxPartitionsPerSubscription} partitions`);
  }
  const from = request.from;
  const resolved = new Map<string, number>();
  for (const topic of new Set([...wanted.values()].filter((p) => p.offset === undefined).map((p) => p.topic))) {
    if (typeof from === 'object' && 'offset' in from) continue;
    const found = await kafka.admin.listOffsets(topic, typeof from === 'string' ? from : { timestamp: from.timestamp });
    // no record at or after the timestamp: start at the end, where the next one will be
    const latest = typeof from === 'object' && found.some((p) => p.offset < 0) ? await kafka.admin.listOffsets(topic, 'latest') : [];
    for (const p of found) resolved.set(`${topic}\u0000${p.partition}`, p.offset >= 0 ? p.offset : (latest.find((l) => l.partition === p.partition)?.offset ?? 0));
  }
  return [...wanted.entries()].map(([key, p]) => ({
    topic: p.topic,
    partition: p.partition,
    offset: p.offset ?? (typeof from === 'object' && 'offset' in from ? from.offset : resolved.get(key)!),
  }));
}
