import { KafkaConnection, SaslPlainCredentials } from '@tributary/client';
import { ControlRecordType, MetadataImage, NO_LEADER, encodeEndTxnMarker } from '@tributary/protocol';
import { ErrorCode } from '../replica/kafka-errors';
import { ReplicaManager } from '../replica/replica-manager';
import { TxnPartition } from './transaction-metadata';

/** How long a marker append waits for the ISR (acks=all), as the coordinator's own writes do. */
const MARKER_APPEND_TIMEOUT_MS = 5_000;
/** Connections to other brokers kept for WriteTxnMarkers; beyond it the oldest is closed. */
const MAX_MARKER_CONNECTIONS = 64;

export interface TxnMarker {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  /** The leader epoch of the coordinator's __transaction_state partition (Kafka's coordinator epoch). */
  coordinatorEpoch: number;
}

export interface MarkerResult extends TxnPartition {
  errorCode: number;
}

/**
 * A partition leader refused a marker because it has seen one from a newer coordinator epoch:
 * another broker coordinates the transaction now and will finish it from the stored decision.
 * This coordinator stops sending its markers (Kafka abandons them the same way).
 */
export class CoordinatorFencedError extends Error {
  constructor(readonly partition: TxnPartition) {
    super(`${partition.topic}-${partition.partition} saw a newer transaction coordinator`);
    this.name = 'CoordinatorFencedError';
  }
}

/**
 * Writes COMMIT/ABORT markers into partitions this broker leads (for its own coordinator and for
 * WriteTxnMarkers from others). A marker that lands on a __consumer_offsets partition also
 * settles the transaction's pending offset commits there.
 */
export class LocalMarkerWriter {
  constructor(
    private readonly replicas: ReplicaManager,
    private readonly onOffsetsMarker: (partition: number, producerId: number, commit: boolean) => void,
    private readonly offsetsTopic: string,
  ) {}

  async write(marker: TxnMarker, partitions: TxnPartition[]): Promise<MarkerResult[]> {
    const type = marker.commit ? ControlRecordType.Commit : ControlRecordType.Abort;
    // one buffer per partition: the append patches offsets into it
    const entries = partitions.map((p) => ({ topic: p.topic, partition: p.partition, records: encodeEndTxnMarker(type, marker) }));
    const results = await this.replicas.appendRecords(-1, MARKER_APPEND_TIMEOUT_MS, entries, 'coordinator');
    for (const r of results) if (r.errorCode === 0 && r.topic === this.offsetsTopic) this.onOffsetsMarker(r.partition, marker.producerId, marker.commit);
    return results.map((r) => ({ topic: r.topic, partition: r.partition, errorCode: r.errorCode }));
  }
}

/**
 * The coordinator's way to every partition leader of a transaction: local partitions through
 * the replica manager, the others with WriteTxnMarkers over the Kafka protocol. Answers the
 * partitions still to do (a deleted topic needs no marker).
 */
export class TxnMarkerChannel {
  private readonly connections = new Map<number, KafkaConnection>();

  constructor(
    private readonly brokerId: number,
    private readonly local: LocalMarkerWriter,
    private readonly metadata: () => MetadataImage,
    private readonly addressOf: (brokerId: number) => { host: string; port: number } | undefined,
    private readonly sasl: SaslPlainCredentials | null,
  ) {}

  /** Throws CoordinatorFencedError when a leader knows a newer coordinator of the transaction. */
  async write(marker: TxnMarker, partitions: TxnPartition[]): Promise<TxnPartition[]> {
    const image = this.metadata();
    const byLeader = new Map<number, TxnPartition[]>();
    const pending: TxnPartition[] = [];
    for (const p of partitions) {
      const topic = image.topicByName(p.topic);
      const leader = topic?.partitions.get(p.partition)?.leader;
      if (!topic || leader === undefined) continue; // deleted: nothing left to mark
      if (leader === NO_LEADER) pending.push(p);
      else byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    const answers = await Promise.all(
      [...byLeader].map(async ([leader, list]) => {
        try {
          return leader === this.brokerId ? await this.local.write(marker, list) : await this.remote(leader, marker, list);
        } catch {
          this.drop(leader);
          return list.map((p) => ({ ...p, errorCode: ErrorCode.NETWORK_EXCEPTION }));
        }
      }),
    );
    const fenced = answers.flat().find((r) => r.errorCode === ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    if (fenced) throw new CoordinatorFencedError({ topic: fenced.topic, partition: fenced.partition });
    for (const r of answers.flat()) {
      if (r.errorCode !== 0 && r.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) pending.push({ topic: r.topic, partition: r.partition });
    }
    return pending;
  }

  close(): void {
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
  }

  private async remote(leader: number, marker: TxnMarker, partitions: TxnPartition[]): Promise<MarkerResult[]> {
    const connection = await this.connect(leader);
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    const response = await connection.request(27, {
      markers: [{ producerId: BigInt(marker.producerId), producerEpoch: marker.producerEpoch, transactionResult: marker.commit, coordinatorEpoch: marker.coordinatorEpoch, topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })) }],
    });
    const answered = (response.markers[0]?.topics ?? []).flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode })));
    // a partition the answer left out was not written
    return partitions.map((p) => answered.find((a) => a.topic === p.topic && a.partition === p.partition) ?? { ...p, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
  }

  private async connect(brokerId: number): Promise<KafkaConnection> {
    const existing = this.connections.get(brokerId);
    if (existing?.connected) return existing;
    this.drop(brokerId);
    const address = this.addressOf(brokerId);
    if (!address) throw new Error(`broker ${brokerId} has no known address`);
    if (this.connections.size >= MAX_MARKER_CONNECTIONS) this.drop(this.connections.keys().next().value as number);
    const connection = new KafkaConnection({ host: address.host, port: address.port, clientId: `txn-markers-${this.brokerId}`, requestTimeoutMs: 10_000, sasl: this.sasl });
    this.connections.set(brokerId, connection);
    await connection.connect();
    return connection;
  }

  private drop(brokerId: number): void {
    this.connections.get(brokerId)?.close();
    this.connections.delete(brokerId);
  }
}
