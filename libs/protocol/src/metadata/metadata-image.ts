import {
  AclBinding,
  BrokerEndpoint,
  ConfigResourceType,
  MetadataRecord,
  NO_LEADER_CHANGE,
  PartitionChangeRecord,
  PartitionRecord,
} from './metadata-records';

export interface TopicImage {
  name: string;
  topicId: string;
  partitions: Map<number, PartitionImage>;
}

export interface PartitionImage {
  partitionId: number;
  replicas: number[];
  isr: number[];
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
}

export interface BrokerImage {
  brokerId: number;
  incarnationId: string;
  brokerEpoch: number;
  endPoints: BrokerEndpoint[];
  rack: string | null;
  fenced: boolean;
}

export class MetadataApplyError extends Error {}

/**
 * The cluster metadata as of one offset of the metadata log: the same on every controller and
 * broker that applied the same records. Pure and synchronous; `apply` validates each record
 * against the current state and throws MetadataApplyError on a record that cannot apply (a bug
 * upstream, never silently skipped).
 */
export class MetadataImage {
  readonly topicsById = new Map<string, TopicImage>();
  readonly topicIdsByName = new Map<string, string>();
  readonly brokers = new Map<number, BrokerImage>();
  /** resourceType:resourceName -> name -> value */
  readonly configs = new Map<string, Map<string, string>>();
  readonly acls = new Map<string, AclBinding>();
  readonly features = new Map<string, number>();
  nextProducerId = 0;
  /** Offset of the last applied record (-1: nothing applied). */
  offset = -1;

  topicByName(name: string): TopicImage | undefined {
    const id = this.topicIdsByName.get(name);
    return id === undefined ? undefined : this.topicsById.get(id);
  }

  topicConfig(topic: string): Map<string, string> {
    return this.configs.get(configKey('topic', topic)) ?? new Map();
  }

  config(resourceType: ConfigResourceType, resourceName: string): Map<string, string> {
    return this.configs.get(configKey(resourceType, resourceName)) ?? new Map();
  }

  /** Brokers that are registered and unfenced: eligible for leadership and placement. */
  activeBrokers(): BrokerImage[] {
    return [...this.brokers.values()].filter((b) => !b.fenced).sort((a, b) => a.brokerId - b.brokerId);
  }

  /** A deep copy: lets the controller compute the effect of records before they commit. */
  clone(): MetadataImage {
    const copy = new MetadataImage();
    for (const [id, topic] of this.topicsById) {
      const partitions = new Map([...topic.partitions].map(([p, part]) => [p, { ...part, replicas: [...part.replicas], isr: [...part.isr] }]));
      copy.topicsById.set(id, { ...topic, partitions });
    }
    for (const [name, id] of this.topicIdsByName) copy.topicIdsByName.set(name, id);
    for (const [id, broker] of this.brokers) copy.brokers.set(id, { ...broker, endPoints: [...broker.endPoints] });
    for (const [key, entries] of this.configs) copy.configs.set(key, new Map(entries));
    for (const [id, acl] of this.acls) copy.acls.set(id, { ...acl });
    for (const [name, level] of this.features) copy.features.set(name, level);
    copy.nextProducerId = this.nextProducerId;
    copy.offset = this.offset;
    return copy;
  }

  /** A copy with `records` applied at the offsets that follow this image's. */
  withApplied(records: readonly MetadataRecord[]): MetadataImage {
    const copy = this.clone();
    for (const record of records) copy.apply(record, copy.offset + 1);
    return copy;
  }

  apply(record: MetadataRecord, offset: number): void {
    switch (record.type) {
      case 'topic':
        if (this.topicIdsByName.has(record.name)) throw new MetadataApplyError(`topic ${record.name} already exists`);
        this.topicsById.set(record.topicId, { name: record.name, topicId: record.topicId, partitions: new Map() });
        this.topicIdsByName.set(record.name, record.topicId);
        break;
      case 'removeTopic': {
        const topic = this.requireTopic(record.topicId);
        this.topicsById.delete(record.topicId);
        this.topicIdsByName.delete(topic.name);
        this.configs.delete(configKey('topic', topic.name));
        break;
      }
      case 'partition':
        this.applyPartition(record);
        break;
      case 'partitionChange':
        this.applyPartitionChange(record);
        break;
      case 'registerBroker':
        this.brokers.set(record.brokerId, {
          brokerId: record.brokerId,
          incarnationId: record.incarnationId,
          brokerEpoch: record.brokerEpoch,
          endPoints: record.endPoints,
          rack: record.rack,
          fenced: record.fenced,
        });
        break;
      case 'fenceBroker':
      case 'unfenceBroker': {
        const broker = this.requireBroker(record.brokerId, record.brokerEpoch);
        broker.fenced = record.type === 'fenceBroker';
        break;
      }
      case 'unregisterBroker':
        this.requireBroker(record.brokerId, record.brokerEpoch);
        this.brokers.delete(record.brokerId);
        break;
      case 'config': {
        const key = configKey(record.resourceType, record.resourceName);
        const entries = this.configs.get(key) ?? new Map<string, string>();
        if (record.value === null) entries.delete(record.name);
        else entries.set(record.name, record.value);
        if (entries.size === 0) this.configs.delete(key);
        else this.configs.set(key, entries);
        break;
      }
      case 'acl': {
        const { type: _type, id, ...binding } = record;
        this.acls.set(id, binding);
        break;
      }
      case 'removeAcl':
        if (!this.acls.delete(record.id)) throw new MetadataApplyError(`unknown ACL ${record.id}`);
        break;
      case 'producerIds':
        if (record.nextProducerId <= this.nextProducerId) throw new MetadataApplyError('producer id blocks must move forward');
        this.nextProducerId = record.nextProducerId;
        break;
      case 'featureLevel':
        this.features.set(record.name, record.featureLevel);
        break;
    }
    this.offset = offset;
  }

  private applyPartition(record: PartitionRecord): void {
    const topic = this.requireTopic(record.topicId);
    topic.partitions.set(record.partitionId, {
      partitionId: record.partitionId,
      replicas: [...record.replicas],
      isr: [...record.isr],
      leader: record.leader,
      leaderEpoch: record.leaderEpoch,
      partitionEpoch: record.partitionEpoch,
    });
  }

  private applyPartitionChange(record: PartitionChangeRecord): void {
    const partition = this.requireTopic(record.topicId).partitions.get(record.partitionId);
    if (!partition) throw new MetadataApplyError(`unknown partition ${record.topicId}/${record.partitionId}`);
    if (record.leader !== undefined && record.leader !== NO_LEADER_CHANGE && record.leader !== partition.leader) {
      partition.leader = record.leader;
      partition.leaderEpoch++;
    }
    if (record.isr) partition.isr = [...record.isr];
    if (record.replicas) partition.replicas = [...record.replicas];
    partition.partitionEpoch++;
  }

  private requireTopic(topicId: string): TopicImage {
    const topic = this.topicsById.get(topicId);
    if (!topic) throw new MetadataApplyError(`unknown topic id ${topicId}`);
    return topic;
  }

  private requireBroker(brokerId: number, brokerEpoch: number): BrokerImage {
    const broker = this.brokers.get(brokerId);
    if (!broker || broker.brokerEpoch !== brokerEpoch) throw new MetadataApplyError(`no broker ${brokerId} with epoch ${brokerEpoch}`);
    return broker;
  }
}

function configKey(resourceType: ConfigResourceType, resourceName: string): string {
  return `${resourceType}:${resourceName}`;
}
