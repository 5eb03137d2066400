import {
  ControlPattern,
  ControlRequest,
  ControlResponse,
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  ElectLeadersRequest,
  ElectLeadersResponse,
  Encodable,
} from '@tributary/protocol';
import { BrokerContext } from '../broker-context';
import { since } from '../versioned';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
/** Longest a forwarded admin request waits for this broker's metadata to show its effect. */
const MAX_PROPAGATION_WAIT_MS = 5_000;

/** How often a waiting admin request looks at the image: the change usually lands within a few ms. */
const VISIBILITY_POLL_MS = 1;

/**
 * After the controller committed a change, wait (bounded) until this broker's image shows it,
 * so a client that asks this broker for metadata next sees what it just created or deleted.
 * A 10 ms poll added ~5 ms to every topic creation (~18 -> ~13 ms through a 3-voter quorum);
 * the check is a map lookup, and only admin requests wait here.
 */
export async function untilVisible(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + Math.min(Math.max(timeoutMs, 0), MAX_PROPAGATION_WAIT_MS);
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, VISIBILITY_POLL_MS));
}

/** Kafka's NOT_CONTROLLER: what a change gets when no controller took it before its timeout. */
const NOT_CONTROLLER = 41;
/** Pause between attempts while the quorum elects an active controller. */
const FORWARD_RETRY_MS = 50;
/** Longest a change is held for an active controller (its own timeout when shorter): below clients' request timeouts. */
const MAX_FORWARD_WAIT_MS = 20_000;

/**
 * Forwards a change to the active controller. While none takes it (the active one died and the
 * quorum is electing) the change is held and retried, as Kafka's forwarding does, so clients see
 * a slower answer rather than an error (kafkajs gives up on a per-topic NOT_CONTROLLER); after
 * the change's timeout it is answered NOT_CONTROLLER. Never a thrown handler: that closes the
 * client's connection with every other request in flight on it.
 */
async function forward<P extends ControlPattern>(ctx: BrokerContext, pattern: P, request: ControlRequest<P>, timeoutMs: number): Promise<ControlResponse<P> | { unavailable: string }> {
  const waitMs = Math.min(Math.max(timeoutMs, 0), MAX_FORWARD_WAIT_MS);
  const deadline = Date.now() + waitMs;
  // bounded: each pass takes at least FORWARD_RETRY_MS until the deadline
  for (;;) {
    try {
      return await ctx.controller.call(pattern, request);
    } catch (error) {
      if (Date.now() + FORWARD_RETRY_MS >= deadline) {
        return { unavailable: `no active controller took the request within ${waitMs} ms (${error instanceof Error ? error.message : String(error)}); retry` };
      }
      await new Promise((resolve) => setTimeout(resolve, FORWARD_RETRY_MS));
    }
  }
}

/** CreateTopics, forwarded to the active controller (any broker accepts it, as in KRaft). */
export async function handleCreateTopics(ctx: BrokerContext, request: CreateTopicsRequest, apiVersion: number): Promise<Encodable<CreateTopicsResponse>> {
  const forwarded = await forward(ctx, 'topics.create', {
    topics: request.topics.map((t) => ({ name: t.name, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor, assignments: t.assignments, configs: t.configs })),
    validateOnly: request.validateOnly,
  }, request.timeoutMs);
  const answer =
    'unavailable' in forwarded
      ? { results: request.topics.map((t) => ({ name: t.name, topicId: null, errorCode: NOT_CONTROLLER, errorMessage: forwarded.unavailable, numPartitions: -1, replicationFactor: -1 })) }
      : forwarded;
  if (!request.validateOnly) {
    const created = answer.results.filter((r) => r.errorCode === 0);
    await untilVisible(() => created.every((r) => (ctx.metadata().topicByName(r.name)?.partitions.size ?? 0) >= r.numPartitions), request.timeoutMs);
  }
  return {
    throttleTimeMs: 0,
    topics: answer.results.map((r) => ({
      name: r.name,
      topicId: since(apiVersion, 7, r.topicId ?? ZERO_UUID),
      errorCode: r.errorCode,
      errorMessage: since(apiVersion, 1, r.errorMessage),
      numPartitions: since(apiVersion, 5, r.numPartitions),
      replicationFactor: since(apiVersion, 5, r.replicationFactor),
      configs: since(apiVersion, 5, []),
    })),
  };
}

/** DeleteTopics by name (v0-5: topicNames) or by name/id (v6+: topics). */
export async function handleDeleteTopics(ctx: BrokerContext, request: DeleteTopicsRequest, apiVersion: number): Promise<Encodable<DeleteTopicsResponse>> {
  const targets = [
    ...request.topicNames.map((name) => ({ name, topicId: null })),
    ...request.topics.map((t) => ({ name: t.name, topicId: t.topicId && t.topicId !== ZERO_UUID ? t.topicId : null })),
  ];
  const forwarded = await forward(ctx, 'topics.delete', { topics: targets }, request.timeoutMs);
  const answer = 'unavailable' in forwarded ? { results: targets.map((t) => ({ name: t.name, topicId: t.topicId, errorCode: NOT_CONTROLLER, errorMessage: forwarded.unavailable })) } : forwarded;
  const deleted = answer.results.filter((r) => r.errorCode === 0);
  await untilVisible(() => deleted.every((r) => (r.topicId ? !ctx.metadata().topicsById.has(r.topicId) : !ctx.metadata().topicByName(r.name ?? ''))), request.timeoutMs);
  return {
    throttleTimeMs: 0,
    responses: answer.results.map((r) => ({ name: r.name, topicId: since(apiVersion, 6, r.topicId ?? ZERO_UUID), errorCode: r.errorCode, errorMessage: since(apiVersion, 5, r.errorMessage) })),
  };
}

export async function handleCreatePartitions(ctx: BrokerContext, request: CreatePartitionsRequest): Promise<Encodable<CreatePartitionsResponse>> {
  const forwarded = await forward(ctx, 'partitions.create', {
    topics: request.topics.map((t) => ({ name: t.name, count: t.count, assignments: t.assignments?.map((a) => a.brokerIds) ?? null })),
    validateOnly: request.validateOnly,
  }, request.timeoutMs);
  const answer = 'unavailable' in forwarded ? { results: request.topics.map((t) => ({ name: t.name, errorCode: NOT_CONTROLLER, errorMessage: forwarded.unavailable })) } : forwarded;
  if (!request.validateOnly) {
    const grown = request.topics.filter((_topic, i) => answer.results[i]?.errorCode === 0);
    await untilVisible(() => grown.every((t) => (ctx.metadata().topicByName(t.name)?.partitions.size ?? 0) >= t.count), request.timeoutMs);
  }
  return { throttleTimeMs: 0, results: answer.results.map((r) => ({ name: r.name, errorCode: r.errorCode, errorMessage: r.errorMessage })) };
}

/** ElectLeaders (preferred or unclean), forwarded to the active controller; answered once this broker sees the new leaders. */
export async function handleElectLeaders(ctx: BrokerContext, request: ElectLeadersRequest, apiVersion: number): Promise<Encodable<ElectLeadersResponse>> {
  const partitions = request.topicPartitions?.flatMap((t) => t.partitions.map((partitionId) => ({ topic: t.topic, partitionId }))) ?? null;
  // v0 has no election type: it is always a preferred election
  const answer = await ctx.controller.call('leaders.elect', { electionType: apiVersion >= 1 ? request.electionType : 0, partitions });
  const elected = answer.results.filter((r) => r.errorCode === 0);
  const leaderOf = (topic: string, partitionId: number) => ctx.metadata().topicByName(topic)?.partitions.get(partitionId)?.leader;
  const before = new Map(elected.map((r) => [`${r.topic}-${r.partitionId}`, leaderOf(r.topic, r.partitionId)]));
  await untilVisible(() => elected.every((r) => leaderOf(r.topic, r.partitionId) !== before.get(`${r.topic}-${r.partitionId}`)), request.timeoutMs);
  const byTopic = new Map<string, { partitionId: number; errorCode: number; errorMessage: string | null }[]>();
  for (const r of answer.results) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), { partitionId: r.partitionId, errorCode: r.errorCode, errorMessage: r.errorMessage }]);
  return { throttleTimeMs: 0, errorCode: since(apiVersion, 1, 0), replicaElectionResults: [...byTopic].map(([topic, partitionResult]) => ({ topic, partitionResult })) };
}
