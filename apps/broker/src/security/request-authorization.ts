import { AclOperation as Op, AclResourceType, DecodedRequest, MetadataImage, RequestApiKey, RequestBodyByApiKey, ResponseBodyByApiKey, Encodable } from '@tributary/protocol';
import { ConnectionInfo } from '../network/kafka-server';
import { Authorizer } from './authorizer';

const TOPIC_AUTHORIZATION_FAILED = 29;
const GROUP_AUTHORIZATION_FAILED = 30;
const CLUSTER_AUTHORIZATION_FAILED = 31;
const TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53;
const OPERATION_NOT_ATTEMPTED = 55;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const DENIED = 'not authorized';

/**
 * What to do with one request once ACLs are looked at: serve it (possibly with the resources the
 * caller may not touch removed, and their errors added to the answer afterwards), or answer it
 * with an authorization error without running it.
 */
export type Decision<K extends RequestApiKey> =
  | { kind: 'serve'; body: RequestBodyByApiKey[K]; addDenied?: (response: Encodable<ResponseBodyByApiKey[K]>) => void }
  | { kind: 'deny'; response: Encodable<ResponseBodyByApiKey[K]> };

type Rule<K extends RequestApiKey> = (body: RequestBodyByApiKey[K], access: Access, request: DecodedRequest) => Decision<K>;

/** The caller, the authorizer and the image, for the rules below. */
interface Access {
  topic(operation: number, name: string): boolean;
  group(operation: number, id: string): boolean;
  cluster(operation: number): boolean;
  transactionalId(operation: number, id: string): boolean;
  image: MetadataImage;
}

const serve = <K extends RequestApiKey>(body: RequestBodyByApiKey[K], addDenied?: (response: Encodable<ResponseBodyByApiKey[K]>) => void): Decision<K> => ({ kind: 'serve', body, addDenied });
const deny = <K extends RequestApiKey>(response: Encodable<ResponseBodyByApiKey[K]>): Decision<K> => ({ kind: 'deny', response });

/** Splits `items` by a permission check. */
function split<T>(items: readonly T[], allowed: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (allowed(item) ? yes : no).push(item);
  return [yes, no];
}

/**
 * The ACL checks of each Kafka API, as Kafka's broker makes them (operation and resource per
 * API). APIs not listed here are served only to principals that may ALTER the cluster: a new
 * API is closed until its rule is written, never open by omission.
 */
const RULES: { [K in RequestApiKey]?: Rule<K> } = {
  0: (body, access) => {
    if (body.transactionalId !== null && !access.transactionalId(Op.WRITE, body.transactionalId)) {
      return deny({ responses: body.topicData.map((t) => ({ name: t.name, partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: TRANSACTIONAL_ID_AUTHORIZATION_FAILED, baseOffset: -1, errorMessage: DENIED })) })) });
    }
    const [allowed, denied] = split(body.topicData, (t) => access.topic(Op.WRITE, t.name));
    return serve({ ...body, topicData: allowed }, (response) => {
      response.responses?.push(...denied.map((t) => ({ name: t.name, partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: TOPIC_AUTHORIZATION_FAILED, baseOffset: -1, errorMessage: DENIED })) })));
    });
  },
  1: (body, access) => {
    const follower = (body.replicaState?.replicaId ?? -1) >= 0 || body.replicaId >= 0;
    const nameOf = (t: { topic: string; topicId: string }) => (t.topicId && t.topicId !== ZERO_UUID ? access.image.topicsById.get(t.topicId)?.name ?? t.topic : t.topic);
    const [allowed, denied] = split(body.topics, (t) => (follower ? access.cluster(Op.CLUSTER_ACTION) : access.topic(Op.READ, nameOf(t))));
    return serve({ ...body, topics: allowed }, (response) => {
      response.responses?.push(...denied.map((t) => ({ topic: t.topic, topicId: t.topicId, partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: TOPIC_AUTHORIZATION_FAILED, highWatermark: -1, records: null })) })));
    });
  },
  2: (body, access) => {
    const [allowed, denied] = split(body.topics, (t) => access.topic(Op.DESCRIBE, t.name));
    return serve({ ...body, topics: allowed }, (response) => {
      response.topics?.push(...denied.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: TOPIC_AUTHORIZATION_FAILED, offset: -1, timestamp: -1 })) })));
    });
  },
  3: (body, access) => {
    // auto-creation needs CREATE on the cluster or on the topic
    const mayCreate = (name: string) => access.cluster(Op.CREATE) || access.topic(Op.CREATE, name);
    const requested = body.topics?.map((t) => t.name).filter((n): n is string => n !== null) ?? [];
    const allowAutoTopicCreation = body.allowAutoTopicCreation && requested.every((name) => access.image.topicByName(name) !== undefined || mayCreate(name));
    return serve({ ...body, allowAutoTopicCreation }, (response) => {
      const topics = response.topics ?? [];
      // a listing leaves out what the caller may not see; a topic asked for by name says so
      response.topics = body.topics === null
        ? topics.filter((t) => access.topic(Op.DESCRIBE, t.name ?? ''))
        : topics.map((t) => (access.topic(Op.DESCRIBE, t.name ?? '') ? t : { name: t.name, errorCode: TOPIC_AUTHORIZATION_FAILED, partitions: [] }));
    });
  },
  8: (body, access) => {
    const all = (errorCode: number) => body.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }));
    if (!access.group(Op.READ, body.groupId)) return deny({ topics: all(GROUP_AUTHORIZATION_FAILED) });
    const [allowed, denied] = split(body.topics, (t) => access.topic(Op.READ, t.name));
    return serve({ ...body, topics: allowed }, (response) => {
      response.topics?.push(...denied.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: TOPIC_AUTHORIZATION_FAILED })) })));
    });
  },
  9: (body, access) => {
    const groups = body.groups.length > 0 ? body.groups.map((g) => g.groupId) : [body.groupId];
    if (groups.every((g) => access.group(Op.DESCRIBE, g))) return serve(body);
    return deny({ errorCode: GROUP_AUTHORIZATION_FAILED, topics: [], groups: groups.map((groupId) => ({ groupId, errorCode: GROUP_AUTHORIZATION_FAILED, topics: [] })) });
  },
  10: (body, access) => {
    const keys = body.coordinatorKeys.length > 0 ? body.coordinatorKeys : [body.key];
    const check = (key: string) => (body.keyType === 1 ? access.transactionalId(Op.DESCRIBE, key) : access.group(Op.DESCRIBE, key));
    const errorCode = body.keyType === 1 ? TRANSACTIONAL_ID_AUTHORIZATION_FAILED : GROUP_AUTHORIZATION_FAILED;
    const [allowed, denied] = split(keys, check);
    if (allowed.length === 0) {
      return deny({ errorCode, errorMessage: DENIED, nodeId: -1, host: '', port: -1, coordinators: denied.map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode, errorMessage: DENIED })) });
    }
    return serve({ ...body, coordinatorKeys: body.coordinatorKeys.length > 0 ? allowed : [] }, (response) => {
      response.coordinators?.push(...denied.map((key) => ({ key, nodeId: -1, host: '', port: -1, errorCode, errorMessage: DENIED })));
    });
  },
  11: (body, access) => (access.group(Op.READ, body.groupId) ? serve(body) : deny({ errorCode: GROUP_AUTHORIZATION_FAILED, generationId: -1, memberId: body.memberId, leader: '', members: [] })),
  12: (body, access) => (access.group(Op.READ, body.groupId) ? serve(body) : deny({ errorCode: GROUP_AUTHORIZATION_FAILED })),
  13: (body, access) => (access.group(Op.READ, body.groupId) ? serve(body) : deny({ errorCode: GROUP_AUTHORIZATION_FAILED, members: [] })),
  14: (body, access) => (access.group(Op.READ, body.groupId) ? serve(body) : deny({ errorCode: GROUP_AUTHORIZATION_FAILED, assignment: Buffer.alloc(0) })),
  15: (body, access) => {
    const [allowed, denied] = split(body.groups, (g) => access.group(Op.DESCRIBE, g));
    return serve({ ...body, groups: allowed }, (response) => {
      response.groups?.push(...denied.map((groupId) => ({ groupId, errorCode: GROUP_AUTHORIZATION_FAILED, groupState: '', protocolType: '', protocolData: '', members: [] })));
    });
  },
  16: (body, access) =>
    serve(body, (response) => {
      if (!access.cluster(Op.DESCRIBE)) response.groups = (response.groups ?? []).filter((g) => access.group(Op.DESCRIBE, g.groupId ?? ''));
    }),
  19: (body, access) => {
    const [allowed, denied] = split(body.topics, (t) => access.cluster(Op.CREATE) || access.topic(Op.CREATE, t.name));
    return serve({ ...body, topics: allowed }, (response) => {
      response.topics?.push(...denied.map((t) => ({ name: t.name, errorCode: TOPIC_AUTHORIZATION_FAILED, errorMessage: DENIED })));
    });
  },
  20: (body, access) => {
    const nameOf = (t: { name: string | null; topicId: string }) => t.name ?? access.image.topicsById.get(t.topicId)?.name ?? '';
    const [allowedNames, deniedNames] = split(body.topicNames, (name) => access.topic(Op.DELETE, name));
    const [allowed, denied] = split(body.topics, (t) => access.topic(Op.DELETE, nameOf(t)));
    return serve({ ...body, topicNames: allowedNames, topics: allowed }, (response) => {
      response.responses?.push(
        ...deniedNames.map((name) => ({ name, errorCode: TOPIC_AUTHORIZATION_FAILED, errorMessage: DENIED })),
        ...denied.map((t) => ({ name: t.name, topicId: t.topicId, errorCode: TOPIC_AUTHORIZATION_FAILED, errorMessage: DENIED })),
      );
    });
  },
  21: (body, access) => {
    const [allowed, denied] = split(body.topics, (t) => access.topic(Op.DELETE, t.name));
    return serve({ ...body, topics: allowed }, (response) => {
      response.topics?.push(...denied.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode: TOPIC_AUTHORIZATION_FAILED })) })));
    });
  },
  22: (body, access) => {
    if (body.transactionalId !== null) {
      return access.transactionalId(Op.WRITE, body.transactionalId) ? serve(body) : deny({ errorCode: TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 });
    }
    // an idempotent producer needs IDEMPOTENT_WRITE on the cluster, or WRITE on some topic (Kafka 3+)
    const mayWriteSomewhere = access.cluster(Op.IDEMPOTENT_WRITE) || [...access.image.topicIdsByName.keys()].some((name) => access.topic(Op.WRITE, name));
    return mayWriteSomewhere ? serve(body) : deny({ errorCode: CLUSTER_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 });
  },
  23: (body, access) => {
    const follower = body.replicaId >= 0;
    const [allowed, denied] = split(body.topics, (t) => (follower ? access.cluster(Op.CLUSTER_ACTION) : access.topic(Op.DESCRIBE, t.topic)));
    return serve({ ...body, topics: allowed }, (response) => {
      response.topics?.push(...denied.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: TOPIC_AUTHORIZATION_FAILED, leaderEpoch: -1, endOffset: -1 })) })));
    });
  },
  24: (body, access, request) => {
    // v4+ is the brokers' batched form (KIP-890): cluster action, as Kafka requires
    if (request.apiVersion >= 4) {
      if (access.cluster(Op.CLUSTER_ACTION)) return serve(body);
      return deny({ errorCode: CLUSTER_AUTHORIZATION_FAILED, resultsByTransaction: [] });
    }
    const results = (code: (topic: string) => number) =>
      body.v3AndBelowTopics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: code(t.name) })) }));
    if (!access.transactionalId(Op.WRITE, body.v3AndBelowTransactionalId)) return deny({ resultsByTopicV3AndBelow: results(() => TRANSACTIONAL_ID_AUTHORIZATION_FAILED) });
    const denied = new Set(body.v3AndBelowTopics.filter((t) => !access.topic(Op.WRITE, t.name)).map((t) => t.name));
    if (denied.size > 0) return deny({ resultsByTopicV3AndBelow: results((topic) => (denied.has(topic) ? TOPIC_AUTHORIZATION_FAILED : OPERATION_NOT_ATTEMPTED)) });
    return serve(body);
  },
  25: (body, access) => {
    if (!access.transactionalId(Op.WRITE, body.transactionalId)) return deny({ errorCode: TRANSACTIONAL_ID_AUTHORIZATION_FAILED });
    return access.group(Op.READ, body.groupId) ? serve(body) : deny({ errorCode: GROUP_AUTHORIZATION_FAILED });
  },
  26: (body, access) => (access.transactionalId(Op.WRITE, body.transactionalId) ? serve(body) : deny({ errorCode: TRANSACTIONAL_ID_AUTHORIZATION_FAILED })),
  27: (body, access) =>
    access.cluster(Op.CLUSTER_ACTION)
      ? serve(body)
      : deny({ markers: body.markers.map((m) => ({ producerId: m.producerId, topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: CLUSTER_AUTHORIZATION_FAILED })) })) })) }),
  28: (body, access) => {
    const all = (code: (topic: string) => number) => body.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code(t.name) })) }));
    if (!access.transactionalId(Op.WRITE, body.transactionalId)) return deny({ topics: all(() => TRANSACTIONAL_ID_AUTHORIZATION_FAILED) });
    if (!access.group(Op.READ, body.groupId)) return deny({ topics: all(() => GROUP_AUTHORIZATION_FAILED) });
    const [allowed, denied] = split(body.topics, (t) => access.topic(Op.READ, t.name));
    return serve({ ...body, topics: allowed }, (response) => {
      response.topics?.push(...denied.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: TOPIC_AUTHORIZATION_FAILED })) })));
    });
  },
  61: (body, access) => {
    const [allowed, denied] = split(body.topics, (t) => access.topic(Op.READ, t.name));
    return serve({ ...body, topics: allowed }, (response) => {
      response.topics?.push(...denied.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: TOPIC_AUTHORIZATION_FAILED, errorMessage: DENIED, activeProducers: [] })) })));
    });
  },
  65: (body, access) => {
    const [allowed, denied] = split(body.transactionalIds, (id) => access.transactionalId(Op.DESCRIBE, id));
    return serve({ ...body, transactionalIds: allowed }, (response) => {
      response.transactionStates?.push(...denied.map((transactionalId) => ({ errorCode: TRANSACTIONAL_ID_AUTHORIZATION_FAILED, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [] })));
    });
  },
  // a listing leaves out the ids the caller may not describe
  66: (body, access) =>
    serve(body, (response) => {
      response.transactionStates = (response.transactionStates ?? []).filter((t) => access.transactionalId(Op.DESCRIBE, t.transactionalId ?? ''));
    }),
  29: (body, access) => (access.cluster(Op.DESCRIBE) ? serve(body) : deny({ errorCode: CLUSTER_AUTHORIZATION_FAILED, errorMessage: DENIED, resources: [] })),
  30: (body, access) => (access.cluster(Op.ALTER) ? serve(body) : deny({ results: body.creations.map(() => ({ errorCode: CLUSTER_AUTHORIZATION_FAILED, errorMessage: DENIED })) })),
  31: (body, access) => (access.cluster(Op.ALTER) ? serve(body) : deny({ filterResults: body.filters.map(() => ({ errorCode: CLUSTER_AUTHORIZATION_FAILED, errorMessage: DENIED, matchingAcls: [] })) })),
  32: (body, access) => {
    const check = (r: { resourceType: number; resourceName: string }) => configAccess(access, Op.DESCRIBE_CONFIGS, r);
    const [allowed, denied] = split(body.resources, (r) => check(r) === 0);
    return serve({ ...body, resources: allowed }, (response) => {
      response.results?.push(...denied.map((r) => ({ errorCode: check(r), errorMessage: DENIED, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })));
    });
  },
  33: (body, access) => {
    const check = (r: { resourceType: number; resourceName: string }) => configAccess(access, Op.ALTER_CONFIGS, r);
    const [allowed, denied] = split(body.resources, (r) => check(r) === 0);
    return serve({ ...body, resources: allowed }, (response) => {
      response.responses?.push(...denied.map((r) => ({ errorCode: check(r), errorMessage: DENIED, resourceType: r.resourceType, resourceName: r.resourceName })));
    });
  },
  37: (body, access) => {
    const [allowed, denied] = split(body.topics, (t) => access.topic(Op.ALTER, t.name));
    return serve({ ...body, topics: allowed }, (response) => {
      response.results?.push(...denied.map((t) => ({ name: t.name, errorCode: TOPIC_AUTHORIZATION_FAILED, errorMessage: DENIED })));
    });
  },
  42: (body, access) => {
    const [allowed, denied] = split(body.groupsNames, (g) => access.group(Op.DELETE, g));
    return serve({ ...body, groupsNames: allowed }, (response) => {
      response.results?.push(...denied.map((groupId) => ({ groupId, errorCode: GROUP_AUTHORIZATION_FAILED })));
    });
  },
  43: (body, access) =>
    access.cluster(Op.ALTER)
      ? serve(body)
      : deny({ errorCode: CLUSTER_AUTHORIZATION_FAILED, replicaElectionResults: (body.topicPartitions ?? []).map((t) => ({ topic: t.topic, partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode: CLUSTER_AUTHORIZATION_FAILED, errorMessage: DENIED })) })) }),
  44: (body, access) => {
    const check = (r: { resourceType: number; resourceName: string }) => configAccess(access, Op.ALTER_CONFIGS, r);
    const [allowed, denied] = split(body.resources, (r) => check(r) === 0);
    return serve({ ...body, resources: allowed }, (response) => {
      response.responses?.push(...denied.map((r) => ({ errorCode: check(r), errorMessage: DENIED, resourceType: r.resourceType, resourceName: r.resourceName })));
    });
  },
  47: (body, access) => (access.group(Op.DELETE, body.groupId) ? serve(body) : deny({ errorCode: GROUP_AUTHORIZATION_FAILED, topics: [] })),
  60: (body, access) => (access.cluster(Op.DESCRIBE) ? serve(body) : deny({ errorCode: CLUSTER_AUTHORIZATION_FAILED, errorMessage: DENIED, brokers: [] })),
};

/** Config resources: topics (2) by topic ACL, brokers (4, 8) by cluster ACL; 0 when allowed, else the error code. */
function configAccess(access: Access, operation: number, resource: { resourceType: number; resourceName: string }): number {
  if (resource.resourceType === 2) return access.topic(operation, resource.resourceName) ? 0 : TOPIC_AUTHORIZATION_FAILED;
  return access.cluster(operation) ? 0 : CLUSTER_AUTHORIZATION_FAILED;
}

/** APIs any connection may call before or without authorization. */
const ALWAYS_ALLOWED = new Set<number>([17, 18, 36]);

/** Applies the ACL rule of `request.apiKey`; with the authorizer off, everything is served as is. */
export function authorizeRequest<K extends RequestApiKey>(authorizer: Authorizer, image: MetadataImage, request: DecodedRequest & { apiKey: K }, connection: ConnectionInfo): Decision<K> {
  const body = request.body as RequestBodyByApiKey[K];
  if (!authorizer.enabled || ALWAYS_ALLOWED.has(request.apiKey)) return serve(body);
  const access: Access = {
    topic: (operation, name) => authorizer.allowsTopic(connection, operation, name),
    group: (operation, id) => authorizer.allowsGroup(connection, operation, id),
    cluster: (operation) => authorizer.allowsCluster(connection, operation),
    transactionalId: (operation, id) => authorizer.allows(connection, operation, AclResourceType.TRANSACTIONAL_ID, id),
    image,
  };
  const rule = RULES[request.apiKey] as Rule<K> | undefined;
  if (rule) return rule(body, access, request);
  if (access.cluster(Op.ALTER)) return serve(body);
  throw new Error(`API ${request.apiKey} has no ACL rule and ${connection.session.principal} may not ALTER the cluster`);
}
