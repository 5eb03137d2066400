/**
 * The records of the cluster metadata log (KRaft-style): the controller quorum commits them
 * through Raft, and every controller and broker applies them, in order, to a MetadataImage.
 * Field names follow Kafka's metadata record schemas (lower camelCase); the log carries them as
 * msgpack, not as Kafka's binary record format.
 */

/** Kafka's "no leader" value, and PartitionChangeRecord's "leader unchanged" sentinel. */
export const NO_LEADER = -1;
export const NO_LEADER_CHANGE = -2;

export interface BrokerEndpoint {
  name: string;
  host: string;
  port: number;
  securityProtocol: string;
}

export interface TopicRecord {
  type: 'topic';
  name: string;
  topicId: string;
}

export interface RemoveTopicRecord {
  type: 'removeTopic';
  topicId: string;
}

export interface PartitionRecord {
  type: 'partition';
  topicId: string;
  partitionId: number;
  replicas: number[];
  isr: number[];
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
}

/** A change to one partition; absent fields are unchanged. A leader change bumps the leader epoch. */
export interface PartitionChangeRecord {
  type: 'partitionChange';
  topicId: string;
  partitionId: number;
  leader?: number;
  isr?: number[];
  replicas?: number[];
}

export interface RegisterBrokerRecord {
  type: 'registerBroker';
  brokerId: number;
  incarnationId: string;
  brokerEpoch: number;
  endPoints: BrokerEndpoint[];
  rack: string | null;
  fenced: boolean;
  features?: Record<string, { minSupportedVersion: number; maxSupportedVersion: number }>;
}

export interface FenceBrokerRecord {
  type: 'fenceBroker';
  brokerId: number;
  brokerEpoch: number;
}

export interface UnfenceBrokerRecord {
  type: 'unfenceBroker';
  brokerId: number;
  brokerEpoch: number;
}

export interface UnregisterBrokerRecord {
  type: 'unregisterBroker';
  brokerId: number;
  brokerEpoch: number;
}

export type ConfigResourceType = 'topic' | 'broker';

/** A config entry; value null removes it (back to the default). */
export interface ConfigRecord {
  type: 'config';
  resourceType: ConfigResourceType;
  resourceName: string;
  name: string;
  value: string | null;
}

export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export interface AccessControlEntryRecord extends AclBinding {
  type: 'acl';
  id: string;
}

export interface RemoveAccessControlEntryRecord {
  type: 'removeAcl';
  id: string;
}

/** The next producer id block handed out: [nextProducerId - blockSize, nextProducerId) went to brokerId. */
export interface ProducerIdsRecord {
  type: 'producerIds';
  brokerId: number;
  brokerEpoch: number;
  nextProducerId: number;
}

export interface FeatureLevelRecord {
  type: 'featureLevel';
  name: string;
  featureLevel: number;
}

export type MetadataRecord =
  | TopicRecord
  | RemoveTopicRecord
  | PartitionRecord
  | PartitionChangeRecord
  | RegisterBrokerRecord
  | FenceBrokerRecord
  | UnfenceBrokerRecord
  | UnregisterBrokerRecord
  | ConfigRecord
  | AccessControlEntryRecord
  | RemoveAccessControlEntryRecord
  | ProducerIdsRecord
  | FeatureLevelRecord;
