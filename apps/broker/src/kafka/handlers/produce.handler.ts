import { SpanStatusCode } from '@opentelemetry/api';
import { Encodable, ProduceRequest, ProduceResponse, countRecords } from '@tributary/protocol';
import { startRequestSpan } from '../../telemetry/request-spans';
import { BrokerContext } from '../broker-context';
import { since } from '../versioned';

/**
 * Produce: hands each partition's record batches, as received, to the replica manager (acks 0, 1
 * or -1). No response at all for acks=0, as Kafka.
 */
export async function handleProduce(ctx: BrokerContext, request: ProduceRequest, apiVersion: number): Promise<Encodable<ProduceResponse> | null> {
  const entries = request.topicData.flatMap((topic) =>
    topic.partitionData.map((p) => ({ topic: topic.name, partition: p.index, records: p.records ?? Buffer.alloc(0) })),
  );
  const span = ctx.tracer ? startRequestSpan(ctx.tracer, 'Produce', entries, Date.now()) : null;
  const results = await ctx.replicas.appendRecords(request.acks, request.timeoutMs, entries);
  for (let i = 0; i < results.length; i++) {
    if (results[i].errorCode === 0) ctx.metrics.produced(entries[i].topic, entries[i].records.length, countRecords(entries[i].records));
  }
  if (span) {
    const failed = results.filter((r) => r.errorCode !== 0).length;
    span.setAttributes({ 'tributary.bytes': entries.reduce((sum, e) => sum + e.records.length, 0), 'tributary.partitions.failed': failed, 'tributary.acks': request.acks });
    if (failed > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `${failed} of ${results.length} partitions failed` });
    span.end();
  }
  if (request.acks === 0) return null;
  const byTopic = new Map<string, typeof results>();
  for (const result of results) byTopic.set(result.topic, [...(byTopic.get(result.topic) ?? []), result]);
  return {
    responses: [...byTopic].map(([name, partitions]) => ({
      name,
      partitionResponses: partitions.map((r) => ({
        index: r.partition,
        errorCode: r.errorCode,
        baseOffset: r.baseOffset,
        logAppendTimeMs: since(apiVersion, 2, r.logAppendTimeMs),
        logStartOffset: since(apiVersion, 5, r.logStartOffset),
        errorMessage: since(apiVersion, 8, r.errorCode === 0 ? null : r.errorMessage),
      })),
    })),
    throttleTimeMs: 0,
  };
}
