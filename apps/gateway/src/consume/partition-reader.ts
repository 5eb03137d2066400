import { Injectable, NotFoundException } from '@nestjs/common';
import { ClusterClient, isStaleMetadataError, kafkaError } from '@tributary/client';
import { ConsumedRecord, readRecordBatches } from '@tributary/protocol';
import { KafkaService } from '../cluster/kafka.service';

export interface ReadRequest {
  /** First offset; undefined: the log start. */
  offset: number | undefined;
  maxRecords: number;
  maxBytes: number;
  /** How long the broker may hold the Fetch while there is nothing to return. */
  timeoutMs: number;
}

export interface ReadResult {
  records: ConsumedRecord[];
  nextOffset: number;
  highWatermark: number;
}

const LEADER_NOT_AVAILABLE = 5;
/** A long poll's request timeout is its wait plus this much. */
const REQUEST_TIMEOUT_MARGIN_MS = 10_000;

/**
 * Reads a partition by offset with one Fetch to its leader, as a stateless consumer would.
 * Immediate reads share the gateway's pooled connections; a read that may wait (timeout_ms > 0)
 * gets connections of its own for its duration, because a broker answers each connection's
 * requests in order and a held Fetch would delay the produce acknowledgements behind it.
 */
@Injectable()
export class PartitionReader {
  constructor(private readonly kafka: KafkaService) {}

  async read(topic: string, partition: number, request: ReadRequest): Promise<ReadResult> {
    const info = await this.kafka.cluster.topic(topic);
    const state = info.partitions.find((p) => p.partition === partition);
    if (!state) throw new NotFoundException(`topic ${topic} has no partition ${partition}`);
    if (state.leader < 0) throw kafkaError(LEADER_NOT_AVAILABLE, `${topic}-${partition}`);
    const fetchOffset = request.offset ?? (await this.kafka.admin.listOffsets(topic, 'earliest')).find((o) => o.partition === partition)?.offset ?? 0;
    const cluster = request.timeoutMs > 0 ? new ClusterClient({ ...this.kafka.cluster.options, clientId: 'tributary-gateway-reader', requestTimeoutMs: request.timeoutMs + REQUEST_TIMEOUT_MARGIN_MS }) : this.kafka.cluster;
    try {
      if (cluster !== this.kafka.cluster) await cluster.connect();
      const connection = await cluster.connection(state.leader);
      const response = await connection.request(1, {
        replicaId: -1,
        maxWaitMs: request.timeoutMs,
        minBytes: 1,
        maxBytes: request.maxBytes,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic, topicId: info.topicId, partitions: [{ partition, fetchOffset, partitionMaxBytes: request.maxBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 }] }],
        forgottenTopicsData: [],
        rackId: '',
      });
      const answer = response.responses.flatMap((t) => t.partitions).find((p) => p.partitionIndex === partition);
      if (!answer) throw kafkaError(-1, `fetch ${topic}-${partition}`, 'the leader did not answer for the partition');
      if (answer.errorCode !== 0) {
        if (isStaleMetadataError(answer.errorCode)) this.kafka.cluster.invalidate(topic);
        throw kafkaError(answer.errorCode, `fetch ${topic}-${partition} at offset ${fetchOffset}`);
      }
      return { ...collect(answer.records ?? Buffer.alloc(0), fetchOffset, request.maxRecords), highWatermark: Number(answer.highWatermark) };
    } finally {
      if (cluster !== this.kafka.cluster) await cluster.close();
    }
  }
}

/** The data records at or after `fetchOffset`, at most `maxRecords`, and the offset after the last one looked at. */
function collect(bytes: Buffer, fetchOffset: number, maxRecords: number): { records: ConsumedRecord[]; nextOffset: number } {
  const records: ConsumedRecord[] = [];
  let nextOffset = fetchOffset;
  for (const batch of readRecordBatches(bytes)) {
    if (batch.lastOffset < nextOffset) continue;
    if (!batch.isControl) {
      for (const record of batch.records()) {
        if (record.offset < nextOffset) continue;
        if (records.length === maxRecords) return { records, nextOffset };
        records.push(record);
        nextOffset = record.offset + 1;
      }
    }
    // a control batch, or compacted-away offsets at a batch's end, are passed over
    nextOffset = Math.max(nextOffset, batch.lastOffset + 1);
  }
  return { records, nextOffset };
}
