import { KafkaConnection, SaslPlainCredentials } from '@tributary/client';
import { ErrorCode } from './kafka-errors';
import { LeaderEndpoint } from './replica-fetcher';
import { FetchParams, FetchPartitionResult } from './replica-manager';

export interface LeaderAddress {
  host: string;
  port: number;
}

/**
 * A follower's link to its leader over the Kafka protocol itself (Fetch with a replica id,
 * OffsetForLeaderEpoch, ListOffsets), on the same zero-copy read path consumers use.
 * Reconnects on the next call after a failure.
 */
export class KafkaLeaderEndpoint implements LeaderEndpoint {
  private connection: KafkaConnection | null = null;

  constructor(
    private readonly brokerId: number,
    private readonly address: () => LeaderAddress | undefined,
    private readonly topicIdOf: (topic: string) => string | undefined,
    /** The inter-broker login when listeners require SASL. */
    private readonly sasl: SaslPlainCredentials | null = null,
    private readonly requestTimeoutMs = 30_000,
  ) {}

  async fetch(params: FetchParams): Promise<FetchPartitionResult[]> {
    const connection = await this.connect();
    const byTopic = new Map<string, FetchParams['partitions']>();
    for (const p of params.partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
    // the replica id moved into a tagged ReplicaState in Fetch v15
    const modern = connection.versionFor(1) >= 15;
    const response = await connection.request(1, {
      ...(modern ? { replicaState: { replicaId: this.brokerId, replicaEpoch: -1 } } : { replicaId: this.brokerId }),
      maxWaitMs: params.maxWaitMs,
      minBytes: params.minBytes,
      maxBytes: params.maxBytes,
      isolationLevel: 0,
      topics: [...byTopic].map(([topic, partitions]) => ({
        topic,
        topicId: this.topicIdOf(topic) ?? '00000000-0000-0000-0000-000000000000',
        partitions: partitions.map((p) => ({ partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 })),
      })),
    });
    const topicNames = new Map([...byTopic.keys()].map((name) => [this.topicIdOf(name), name]));
    return response.responses.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.topic || (topicNames.get(t.topicId) ?? ''),
        partition: p.partitionIndex,
        errorCode: p.errorCode,
        highWatermark: Number(p.highWatermark),
        lastStableOffset: Number(p.lastStableOffset),
        logStartOffset: Number(p.logStartOffset),
        records: p.records ?? Buffer.alloc(0),
      })),
    );
  }

  async offsetForLeaderEpoch(topic: string, partition: number, leaderEpoch: number): Promise<{ errorCode: number; leaderEpoch: number; endOffset: number }> {
    const connection = await this.connect();
    const response = await connection.request(23, { replicaId: this.brokerId, topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, leaderEpoch }] }] });
    const answer = response.topics[0]?.partitions[0];
    if (!answer) return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, leaderEpoch: -1, endOffset: -1 };
    return { errorCode: answer.errorCode, leaderEpoch: answer.leaderEpoch, endOffset: Number(answer.endOffset) };
  }

  async logOffsets(topic: string, partition: number): Promise<{ errorCode: number; logStartOffset: number; logEndOffset: number }> {
    const connection = await this.connect();
    const ask = async (timestamp: number) => {
      const response = await connection.request(2, { replicaId: this.brokerId, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp, currentLeaderEpoch: -1 }] }] });
      return response.topics[0]?.partitions[0];
    };
    const [earliest, latest] = [await ask(-2), await ask(-1)];
    if (!earliest || !latest) return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, logStartOffset: -1, logEndOffset: -1 };
    return { errorCode: earliest.errorCode || latest.errorCode, logStartOffset: Number(earliest.offset), logEndOffset: Number(latest.offset) };
  }

  close(): void {
    this.connection?.close();
    this.connection = null;
  }

  private async connect(): Promise<KafkaConnection> {
    if (this.connection?.connected) return this.connection;
    this.connection?.close();
    const address = this.address();
    if (!address) throw new Error('the leader has no known address');
    const connection = new KafkaConnection({ host: address.host, port: address.port, clientId: `replica-fetcher-${this.brokerId}`, requestTimeoutMs: this.requestTimeoutMs, sasl: this.sasl });
    this.connection = connection;
    await connection.connect();
    return connection;
  }
}
