import { AclFilter } from '../metadata/acl-rules';
import { AclBinding, BrokerEndpoint, MetadataRecord } from '../metadata/metadata-records';

/**
 * The control-plane messages between brokers and controllers (carried by the internal RPC as
 * msgpack). One pattern name per request; the request and response types travel together so
 * both sides compile against the same contract.
 */

export interface ErrorFields {
  errorCode: number;
  errorMessage: string | null;
}

/** Any controller answers requests that need the active one with this, naming who is active. */
export interface NotControllerAnswer extends ErrorFields {
  activeControllerId: number | null;
}

// --- broker lifecycle -------------------------------------------------------------------------

export interface BrokerRegistrationRequest {
  brokerId: number;
  incarnationId: string;
  rack: string | null;
  listeners: BrokerEndpoint[];
  /** Features the broker supports: name -> [min, max]. */
  features: Record<string, [number, number]>;
}

export interface BrokerRegistrationResponse extends ErrorFields {
  brokerEpoch: number;
}

export interface BrokerHeartbeatRequest {
  brokerId: number;
  brokerEpoch: number;
  currentMetadataOffset: number;
  wantShutDown: boolean;
}

export interface BrokerHeartbeatResponse extends ErrorFields {
  isCaughtUp: boolean;
  isFenced: boolean;
  shouldShutDown: boolean;
}

// --- metadata log -----------------------------------------------------------------------------

export interface MetadataFetchRequest {
  /** The next offset the broker needs. */
  fromOffset: number;
  maxRecords: number;
  /** Long poll: how long to wait when nothing newer is committed. */
  maxWaitMs: number;
}

export interface MetadataFetchResponse extends ErrorFields {
  /** Committed records from fromOffset on, in order, with their offsets. */
  records: { offset: number; record: MetadataRecord }[];
  /** Set when fromOffset is older than the retained log: load this snapshot first. */
  snapshot: { offset: number; records: MetadataRecord[] } | null;
  /** The answer holds every record up to this offset (entries without records included). */
  highWatermark: number;
}

// --- partitions -------------------------------------------------------------------------------

export interface AlterPartitionCommand {
  brokerId: number;
  brokerEpoch: number;
  topicId: string;
  partitionId: number;
  leaderEpoch: number;
  partitionEpoch: number;
  newIsr: number[];
}

export interface AlterPartitionAnswer extends ErrorFields {
  leaderId: number;
  leaderEpoch: number;
  partitionEpoch: number;
  isr: number[];
}

// --- forwarded admin requests -----------------------------------------------------------------

export interface CreatableTopic {
  name: string;
  /** -1: the cluster default */
  numPartitions: number;
  /** -1: the cluster default */
  replicationFactor: number;
  /** Explicit placement; when given, numPartitions and replicationFactor must be -1. */
  assignments: { partitionIndex: number; brokerIds: number[] }[];
  configs: { name: string; value: string | null }[];
}

export interface CreateTopicsCommand {
  topics: CreatableTopic[];
  validateOnly: boolean;
}

export interface CreateTopicResult extends ErrorFields {
  name: string;
  topicId: string | null;
  numPartitions: number;
  replicationFactor: number;
}

export interface DeleteTopicsCommand {
  topics: { name: string | null; topicId: string | null }[];
}

export interface DeleteTopicResult extends ErrorFields {
  name: string | null;
  topicId: string | null;
}

export interface CreatePartitionsCommand {
  topics: { name: string; count: number; assignments: number[][] | null }[];
  validateOnly: boolean;
}

export interface CreatePartitionsResult extends ErrorFields {
  name: string;
}

export interface AlterConfigsCommand {
  resources: {
    resourceType: 'topic' | 'broker';
    resourceName: string;
    /** set: value; delete: null. Incremental APPEND/SUBTRACT are resolved by the sender. */
    configs: { name: string; value: string | null }[];
  }[];
  /** AlterConfigs (not incremental) replaces the whole set: unlisted keys are removed. */
  replace: boolean;
  validateOnly: boolean;
}

export interface AlterConfigsResult extends ErrorFields {
  resourceType: 'topic' | 'broker';
  resourceName: string;
}

/** CreateAcls: each binding stored, or refused with its own error. */
export interface CreateAclsCommand {
  creations: AclBinding[];
}

/** DeleteAcls: every stored binding matched by each filter is removed and reported. */
export interface DeleteAclsCommand {
  filters: AclFilter[];
}

export interface DeleteAclsFilterResult extends ErrorFields {
  matching: AclBinding[];
}

/** ElectLeaders: 0 preferred, 1 unclean; partitions null means all of them. */
export interface ElectLeadersCommand {
  electionType: number;
  partitions: ElectLeadersTarget[] | null;
}

export interface ElectLeadersTarget {
  topic: string;
  partitionId: number;
}

export interface ElectLeadersResult extends ErrorFields, ElectLeadersTarget {}

export interface AllocateProducerIdsRequest {
  brokerId: number;
  brokerEpoch: number;
}

export interface AllocateProducerIdsResponse extends ErrorFields {
  firstProducerId: number;
  size: number;
}

export interface DescribeQuorumResponse {
  leaderId: number | null;
  leaderEpoch: number;
  highWatermark: number;
  voters: { id: number; logEndOffset: number; lastContactMs: number | null }[];
}

/** Pattern names and their request/response types. */
export interface ControlPlaneContract {
  'broker.register': [BrokerRegistrationRequest, BrokerRegistrationResponse];
  'broker.heartbeat': [BrokerHeartbeatRequest, BrokerHeartbeatResponse];
  'metadata.fetch': [MetadataFetchRequest, MetadataFetchResponse];
  'partition.alter': [AlterPartitionCommand, AlterPartitionAnswer];
  'topics.create': [CreateTopicsCommand, { results: CreateTopicResult[] } & ErrorFields];
  'topics.delete': [DeleteTopicsCommand, { results: DeleteTopicResult[] } & ErrorFields];
  'partitions.create': [CreatePartitionsCommand, { results: CreatePartitionsResult[] } & ErrorFields];
  'configs.alter': [AlterConfigsCommand, { results: AlterConfigsResult[] } & ErrorFields];
  'leaders.elect': [ElectLeadersCommand, { results: ElectLeadersResult[] } & ErrorFields];
  'acls.create': [CreateAclsCommand, { results: ErrorFields[] } & ErrorFields];
  'acls.delete': [DeleteAclsCommand, { results: DeleteAclsFilterResult[] } & ErrorFields];
  'producerIds.allocate': [AllocateProducerIdsRequest, AllocateProducerIdsResponse];
  'quorum.describe': [Record<string, never>, DescribeQuorumResponse & ErrorFields];
}

export type ControlPattern = keyof ControlPlaneContract;
export type ControlRequest<P extends ControlPattern> = ControlPlaneContract[P][0];
export type ControlResponse<P extends ControlPattern> = ControlPlaneContract[P][1];
