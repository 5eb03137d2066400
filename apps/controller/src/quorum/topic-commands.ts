import {
  CreatableTopic,
  CreatePartitionsCommand,
  CreatePartitionsResult,
  CreateTopicResult,
  DeleteTopicResult,
  MetadataImage,
  MetadataRecord,
  PartitionRecord,
  validateTopicConfig,
  validateTopicName,
} from '@tributary/protocol';
import { ErrorResult, OK, fail } from './controller-errors';
import { PlacementError, placeReplicas } from './replica-placement';

export interface CommandContext {
  newTopicId(): string;
  /** In [0, 1): start index and shift of replica placement. */
  random(): number;
  defaultPartitions: number;
  defaultReplicationFactor: number;
}

export interface CommandOutcome<R> {
  results: R[];
  /** Records to commit through the metadata log, in order. */
  records: MetadataRecord[];
}

/**
 * CreateTopics: validates names, counts, placement and configs against the current image and
 * produces the TopicRecord, PartitionRecords and ConfigRecords of every valid topic. Each topic
 * succeeds or fails on its own; a name twice in one request fails both.
 */
export function createTopics(image: MetadataImage, topics: CreatableTopic[], ctx: CommandContext, validateOnly: boolean): CommandOutcome<CreateTopicResult> {
  const records: MetadataRecord[] = [];
  const counts = new Map<string, number>();
  for (const t of topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const brokers = image.activeBrokers().map((b) => ({ brokerId: b.brokerId, rack: b.rack }));
  const results = topics.map((topic): CreateTopicResult => {
    const base = { name: topic.name, topicId: null, numPartitions: -1, replicationFactor: -1 };
    const invalidName = validateTopicName(topic.name);
    if (invalidName) return { ...base, ...fail('INVALID_TOPIC_EXCEPTION', invalidName) };
    if ((counts.get(topic.name) ?? 0) > 1) return { ...base, ...fail('INVALID_REQUEST', `topic ${topic.name} appears more than once in the request`) };
    if (image.topicByName(topic.name)) return { ...base, ...fail('TOPIC_ALREADY_EXISTS', `topic '${topic.name}' already exists`) };
    for (const config of topic.configs) {
      const problem = validateTopicConfig(config.name, config.value);
      if (problem) return { ...base, ...fail('INVALID_CONFIG', problem) };
    }
    let placement: number[][];
    if (topic.assignments.length > 0) {
      if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
        return { ...base, ...fail('INVALID_REQUEST', 'give either explicit assignments or numPartitions/replicationFactor, not both') };
      }
      const problem = checkAssignments(image, topic.assignments.map((a) => a.partitionIndex), topic.assignments.map((a) => a.brokerIds), 0);
      if (problem) return { ...base, ...problem };
      placement = [...topic.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex).map((a) => a.brokerIds);
    } else {
      const partitions = topic.numPartitions === -1 ? ctx.defaultPartitions : topic.numPartitions;
      const replicationFactor = topic.replicationFactor === -1 ? ctx.defaultReplicationFactor : topic.replicationFactor;
      if (!Number.isInteger(partitions) || partitions < 1) return { ...base, ...fail('INVALID_PARTITIONS', `number of partitions must be at least 1, got ${partitions}`) };
      if (!Number.isInteger(replicationFactor) || replicationFactor < 1 || replicationFactor > 32767) {
        return { ...base, ...fail('INVALID_REPLICATION_FACTOR', `replication factor must be at least 1, got ${replicationFactor}`) };
      }
      try {
        placement = placeReplicas(brokers, partitions, replicationFactor, 0, Math.floor(ctx.random() * brokers.length), Math.floor(ctx.random() * brokers.length));
      } catch (error) {
        if (!(error instanceof PlacementError)) throw error;
        return { ...base, ...fail('INVALID_REPLICATION_FACTOR', `${error.message}`) };
      }
    }
    const topicId = ctx.newTopicId();
    if (!validateOnly) {
      records.push({ type: 'topic', name: topic.name, topicId });
      for (const config of topic.configs) {
        if (config.value !== null) records.push({ type: 'config', resourceType: 'topic', resourceName: topic.name, name: config.name, value: config.value });
      }
      placement.forEach((replicas, partitionId) => records.push(newPartition(topicId, partitionId, replicas)));
    }
    return { name: topic.name, topicId, numPartitions: placement.length, replicationFactor: placement[0].length, ...OK };
  });
  return { results, records };
}

/** DeleteTopics by name or by id. */
export function deleteTopics(image: MetadataImage, targets: { name: string | null; topicId: string | null }[]): CommandOutcome<DeleteTopicResult> {
  const records: MetadataRecord[] = [];
  const removed = new Set<string>();
  const results = targets.map((target): DeleteTopicResult => {
    const topic = target.topicId !== null ? image.topicsById.get(target.topicId) : target.name !== null ? image.topicByName(target.name) : undefined;
    if (!topic) {
      return target.topicId !== null
        ? { ...target, ...fail('UNKNOWN_TOPIC_ID', `no topic with id ${target.topicId}`) }
        : { ...target, ...fail('UNKNOWN_TOPIC_OR_PARTITION', `topic '${target.name}' does not exist`) };
    }
    if (!removed.has(topic.topicId)) {
      removed.add(topic.topicId);
      records.push({ type: 'removeTopic', topicId: topic.topicId });
    }
    return { name: topic.name, topicId: topic.topicId, ...OK };
  });
  return { results, records };
}

export type CreatePartitionsTopic = CreatePartitionsCommand['topics'][number];

/** CreatePartitions: grows a topic to `count` partitions (never shrinks). */
export function createPartitions(image: MetadataImage, topics: CreatePartitionsTopic[], ctx: CommandContext, validateOnly: boolean): CommandOutcome<CreatePartitionsResult> {
  const records: MetadataRecord[] = [];
  const brokers = image.activeBrokers().map((b) => ({ brokerId: b.brokerId, rack: b.rack }));
  const results = topics.map((request): CreatePartitionsResult => {
    const topic = image.topicByName(request.name);
    if (!topic) return { name: request.name, ...fail('UNKNOWN_TOPIC_OR_PARTITION', `topic '${request.name}' does not exist`) };
    const current = topic.partitions.size;
    if (request.count <= current) {
      return { name: request.name, ...fail('INVALID_PARTITIONS', `topic has ${current} partitions; the new count must be larger, got ${request.count}`) };
    }
    const replicationFactor = topic.partitions.get(0)?.replicas.length ?? 1;
    let placement: number[][];
    if (request.assignments) {
      const added = request.count - current;
      if (request.assignments.length !== added) {
        return { name: request.name, ...fail('INVALID_REPLICA_ASSIGNMENT', `expected ${added} assignments, got ${request.assignments.length}`) };
      }
      const problem = checkAssignments(image, request.assignments.map((_, i) => current + i), request.assignments, current);
      if (problem) return { name: request.name, ...problem };
      placement = request.assignments;
    } else {
      try {
        placement = placeReplicas(brokers, request.count - current, replicationFactor, current, Math.floor(ctx.random() * brokers.length), 0);
      } catch (error) {
        if (!(error instanceof PlacementError)) throw error;
        return { name: request.name, ...fail('INVALID_REPLICATION_FACTOR', error.message) };
      }
    }
    if (!validateOnly) placement.forEach((replicas, i) => records.push(newPartition(topic.topicId, current + i, replicas)));
    return { name: request.name, ...OK };
  });
  return { results, records };
}

function newPartition(topicId: string, partitionId: number, replicas: number[]): PartitionRecord {
  return { type: 'partition', topicId, partitionId, replicas, isr: [...replicas], leader: replicas[0], leaderEpoch: 0, partitionEpoch: 0 };
}

function checkAssignments(image: MetadataImage, partitionIds: number[], assignments: number[][], firstPartitionId: number): ErrorResult | null {
  const sorted = [...partitionIds].sort((a, b) => a - b);
  if (sorted.some((id, i) => id !== firstPartitionId + i)) {
    return fail('INVALID_REPLICA_ASSIGNMENT', `partition indexes must be consecutive from ${firstPartitionId}`);
  }
  const replicationFactor = assignments[0]?.length ?? 0;
  for (const replicas of assignments) {
    if (replicas.length === 0 || replicas.length !== replicationFactor) return fail('INVALID_REPLICA_ASSIGNMENT', 'every partition needs the same, non-zero number of replicas');
    if (new Set(replicas).size !== replicas.length) return fail('INVALID_REPLICA_ASSIGNMENT', `duplicate broker in assignment [${replicas.join(', ')}]`);
    const unknown = replicas.find((id) => !image.brokers.has(id));
    if (unknown !== undefined) return fail('INVALID_REPLICA_ASSIGNMENT', `broker ${unknown} is not registered`);
  }
  return null;
}
