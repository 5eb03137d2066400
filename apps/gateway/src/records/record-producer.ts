import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { ProducerRecord, RecordMetadata, TopicInfo } from '@tributary/client';
import { TRACEPARENT } from '@tributary/platform';
import { RecordHeaderInput } from '@tributary/protocol';
import { KafkaService } from '../cluster/kafka.service';
import { dataBytes, decodeBase64 } from './record-data';
import { ProduceRequest, ProduceResponse } from './produce.schemas';

/** A request checked against its topic and turned into bytes: what the producer sends. */
export interface PreparedRecord {
  record: ProducerRecord;
  key: ProduceResponse['key'];
  value: ProduceResponse['value'];
}

/**
 * REST records into the gateway's shared producer (acks=all, idempotent). Each record is its
 * own send(), so each gets its own result, while the producer still batches them per partition.
 */
@Injectable()
export class RecordProducer {
  constructor(private readonly kafka: KafkaService) {}

  /**
   * The topic's metadata (404 when unknown). Loading it before any send also keeps one request's
   * records in order: sends of a topic the producer already knows append synchronously.
   */
  topic(name: string): Promise<TopicInfo> {
    return this.kafka.cluster.topic(name);
  }

  /**
   * Converts a validated request; 422 for bad base64 or a partition the topic does not have. A
   * record without its own `traceparent` header gets `traceparent` (the HTTP request's trace).
   */
  prepare(request: ProduceRequest, topic: TopicInfo, traceparent?: string): PreparedRecord {
    if (request.partition_id !== undefined && request.partition_id >= topic.partitions.length) {
      throw new UnprocessableEntityException(`partition_id: topic ${topic.name} has ${topic.partitions.length} partitions (0-${topic.partitions.length - 1}), not ${request.partition_id}`);
    }
    const key = request.key ? dataBytes(request.key, 'key') : null;
    const value = request.value ? dataBytes(request.value, 'value') : null;
    const headers: RecordHeaderInput[] = (request.headers ?? []).map((header, i) => ({ key: header.name, value: header.value ? decodeBase64(header.value, `headers.${i}.value`) : null }));
    if (traceparent !== undefined && !headers.some((header) => header.key === TRACEPARENT)) headers.push({ key: TRACEPARENT, value: traceparent });
    return {
      record: { key, value, headers, partition: request.partition_id, timestamp: request.timestamp === undefined ? undefined : Date.parse(request.timestamp) },
      key: request.key && key ? { type: request.key.type, size: key.length } : null,
      value: request.value && value ? { type: request.value.type, size: value.length } : null,
    };
  }

  /** Sends one prepared record; resolves once the in-sync replicas have it. */
  async send(clusterId: string, topic: string, prepared: PreparedRecord): Promise<ProduceResponse> {
    const [metadata] = await this.kafka.producer.send(topic, prepared.record);
    return deliveryReport(clusterId, topic, prepared, metadata, new Date(metadata.timestamp).toISOString());
  }

  /** Sends prepared records in one producer call (in order per partition); all are acknowledged, or it fails. */
  sendAll(topic: string, prepared: PreparedRecord[]): Promise<RecordMetadata[]> {
    return this.kafka.producer.send(
      topic,
      prepared.map((p) => p.record),
    );
  }
}

function deliveryReport(clusterId: string, topic: string, prepared: PreparedRecord, metadata: RecordMetadata, timestamp: string): ProduceResponse {
  return {
    error_code: 200,
    cluster_id: clusterId,
    topic_name: topic,
    partition_id: metadata.partition,
    offset: metadata.offset,
    timestamp,
    key: prepared.key,
    value: prepared.value,
  };
}
