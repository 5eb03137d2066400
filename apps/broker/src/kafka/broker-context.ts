import type { Tracer } from '@opentelemetry/api';
import { ControlPattern, ControlRequest, ControlResponse, MetadataImage } from '@tributary/protocol';
import type { GroupCoordinator } from '../groups/group-coordinator';
import type { TransactionCoordinator } from '../transactions/transaction-coordinator';
import type { LocalMarkerWriter } from '../transactions/txn-markers';
import { ReplicaManager } from '../replica/replica-manager';
import type { Authorizer } from '../security/authorizer';
import type { PlainAuthenticator } from '../security/plain-authenticator';
import type { BrokerMetrics } from '../telemetry/broker-metrics';

/** The broker's line to the active controller (internal RPC); admin requests are forwarded on it. */
export interface ControllerChannel {
  call<P extends ControlPattern>(pattern: P, request: ControlRequest<P>): Promise<ControlResponse<P>>;
}

/** Everything the Kafka API handlers read or call; built once by the broker app. */
export interface BrokerContext {
  readonly brokerId: number;
  readonly clusterId: string;
  /** The listener name whose endpoints Metadata and FindCoordinator advertise. */
  readonly listenerName: string;
  metadata(): MetadataImage;
  readonly replicas: ReplicaManager;
  readonly controller: ControllerChannel;
  readonly autoCreateTopics: boolean;
  /** Producer ids for InitProducerId (blocks allocated by the controller). */
  readonly producerIds: { next(): Promise<number> };
  /** Consumer groups (classic protocol) coordinated by this broker. */
  readonly groups: GroupCoordinator;
  /** Transactions whose transactional id this broker coordinates. */
  readonly transactions: TransactionCoordinator;
  /** Writes transaction markers into partitions this broker leads (WriteTxnMarkers). */
  readonly txnMarkers: LocalMarkerWriter;
  /** SASL/PLAIN logins; null when the listener is plain (no login required). */
  readonly sasl: PlainAuthenticator | null;
  readonly authorizer: Authorizer;
  readonly metrics: BrokerMetrics;
  /** Spans for Produce and Fetch; null when tracing is off (no trace work at all). */
  readonly tracer: Tracer | null;
}

/** The advertised endpoint of `brokerId` on the context's listener, if it has one. */
export function endpointOf(ctx: BrokerContext, brokerId: number): { host: string; port: number; rack: string | null } | undefined {
  const broker = ctx.metadata().brokers.get(brokerId);
  const endpoint = broker?.endPoints.find((e) => e.name === ctx.listenerName) ?? broker?.endPoints[0];
  return endpoint && broker ? { host: endpoint.host, port: endpoint.port, rack: broker.rack } : undefined;
}
