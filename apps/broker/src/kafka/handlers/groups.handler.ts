import {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  Encodable,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetCommitResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  RequestHeader,
  SyncGroupRequest,
  SyncGroupResponse,
} from '@tributary/protocol';
import { GroupCoordinator } from '../../groups/group-coordinator';
import { ConnectionInfo } from '../../network/kafka-server';
import { since } from '../versioned';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;
const INVALID_REQUEST = 42;

type CoordinatorAnswer = { errorCode: number; errorMessage: string | null; nodeId: number; host: string; port: number };

/**
 * The consumer-group APIs of the classic protocol, mapped onto the GroupCoordinator;
 * FindCoordinator also answers for transactional ids (key type 1).
 */
export class GroupHandlers {
  constructor(
    private readonly coordinator: GroupCoordinator,
    private readonly findTransactionCoordinator: (transactionalId: string) => Promise<CoordinatorAnswer>,
  ) {}

  async findCoordinator(request: FindCoordinatorRequest, apiVersion: number): Promise<Encodable<FindCoordinatorResponse>> {
    const keys = apiVersion >= 4 ? request.coordinatorKeys : [request.key];
    const answers = await Promise.all(
      keys.map(async (key) => {
        if (request.keyType === KEY_TYPE_TRANSACTION) return { key, ...(await this.findTransactionCoordinator(key)) };
        if (request.keyType !== KEY_TYPE_GROUP) return { key, errorCode: INVALID_REQUEST, errorMessage: `unknown coordinator key type ${request.keyType}`, nodeId: -1, host: '', port: -1 };
        return { key, ...(await this.coordinator.findCoordinator(key)) };
      }),
    );
    if (apiVersion >= 4) return { throttleTimeMs: 0, coordinators: answers };
    const [one] = answers;
    return { throttleTimeMs: since(apiVersion, 1, 0), errorCode: one.errorCode, errorMessage: since(apiVersion, 1, one.errorMessage), nodeId: one.nodeId, host: one.host, port: one.port };
  }

  async joinGroup(request: JoinGroupRequest, apiVersion: number, header: RequestHeader, connection: ConnectionInfo): Promise<Encodable<JoinGroupResponse>> {
    const result = await this.coordinator.join({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      clientId: header.clientId ?? '',
      clientHost: `/${connection.remoteAddress}`,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: apiVersion >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols,
      requireKnownMemberId: apiVersion >= 4,
    });
    return {
      throttleTimeMs: since(apiVersion, 2, 0),
      errorCode: result.errorCode,
      generationId: result.generationId,
      protocolType: since(apiVersion, 7, result.protocolType),
      protocolName: apiVersion >= 7 ? result.protocolName : (result.protocolName ?? ''),
      leader: result.leader,
      memberId: result.memberId,
      members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: since(apiVersion, 5, m.groupInstanceId), metadata: m.metadata })),
    };
  }

  async syncGroup(request: SyncGroupRequest, apiVersion: number): Promise<Encodable<SyncGroupResponse>> {
    const result = await this.coordinator.sync({ groupId: request.groupId, memberId: request.memberId, generationId: request.generationId, assignments: request.assignments });
    return {
      throttleTimeMs: since(apiVersion, 1, 0),
      errorCode: result.errorCode,
      protocolType: since(apiVersion, 5, result.protocolType),
      protocolName: since(apiVersion, 5, result.protocolName),
      assignment: result.assignment,
    };
  }

  heartbeat(request: HeartbeatRequest, apiVersion: number): Encodable<HeartbeatResponse> {
    return { throttleTimeMs: since(apiVersion, 1, 0), errorCode: this.coordinator.heartbeat(request.groupId, request.memberId, request.generationId) };
  }

  leaveGroup(request: LeaveGroupRequest, apiVersion: number): Encodable<LeaveGroupResponse> {
    const ids = apiVersion >= 3 ? request.members.map((m) => m.memberId) : [request.memberId];
    const result = this.coordinator.leave(request.groupId, ids);
    return {
      throttleTimeMs: since(apiVersion, 1, 0),
      errorCode: apiVersion >= 3 ? (result.members.length === 0 ? result.errorCode : 0) : result.errorCode,
      members: since(apiVersion, 3, result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: null, errorCode: m.errorCode }))),
    };
  }

  async offsetCommit(request: OffsetCommitRequest, apiVersion: number): Promise<Encodable<OffsetCommitResponse>> {
    const offsets = request.topics.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: Number(p.committedOffset), leaderEpoch: apiVersion >= 6 ? p.committedLeaderEpoch : -1, metadata: p.committedMetadata })),
    );
    const errorCode = await this.coordinator.commit(request.groupId, request.memberId, request.generationIdOrMemberEpoch, offsets);
    return {
      throttleTimeMs: since(apiVersion, 3, 0),
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
    };
  }

  offsetFetch(request: OffsetFetchRequest, apiVersion: number): Encodable<OffsetFetchResponse> {
    const fetchGroup = (groupId: string, topics: { name: string; partitionIndexes: number[] }[] | null) =>
      this.coordinator.fetchOffsets(groupId, topics?.map((t) => ({ name: t.name, partitions: t.partitionIndexes })) ?? null, apiVersion >= 7 && request.requireStable);
    if (apiVersion >= 8) {
      return {
        throttleTimeMs: 0,
        groups: request.groups.map((g) => {
          const answer = fetchGroup(g.groupId, g.topics);
          return {
            groupId: g.groupId,
            errorCode: answer.errorCode,
            topics: answer.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: p.leaderEpoch, metadata: p.metadata, errorCode: p.errorCode })) })),
          };
        }),
      };
    }
    const answer = fetchGroup(request.groupId, request.topics);
    return {
      throttleTimeMs: since(apiVersion, 3, 0),
      errorCode: since(apiVersion, 2, answer.errorCode),
      topics: answer.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partition,
          committedOffset: p.offset,
          committedLeaderEpoch: since(apiVersion, 5, p.leaderEpoch),
          metadata: p.metadata,
          errorCode: apiVersion < 2 ? answer.errorCode : p.errorCode,
        })),
      })),
    };
  }

  describeGroups(request: DescribeGroupsRequest, apiVersion: number): Encodable<DescribeGroupsResponse> {
    return {
      throttleTimeMs: since(apiVersion, 1, 0),
      groups: request.groups.map((groupId) => {
        const { errorCode, group } = this.coordinator.describeGroup(groupId);
        return {
          errorCode,
          groupId,
          groupState: group?.state ?? (errorCode === 0 ? 'Dead' : ''),
          protocolType: group?.protocolType ?? '',
          protocolData: group?.protocolName ?? '',
          members: [...(group?.members.values() ?? [])].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: since(apiVersion, 4, m.groupInstanceId),
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: m.protocols.find((p) => p.name === group?.protocolName)?.metadata ?? Buffer.alloc(0),
            memberAssignment: m.assignment,
          })),
          authorizedOperations: since(apiVersion, 3, -2147483648),
        };
      }),
    };
  }

  listGroups(request: ListGroupsRequest, apiVersion: number): Encodable<ListGroupsResponse> {
    const states = apiVersion >= 4 ? request.statesFilter : [];
    const groups = this.coordinator.listGroups().filter((g) => states.length === 0 || states.includes(g.state));
    return {
      throttleTimeMs: since(apiVersion, 1, 0),
      errorCode: 0,
      groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: since(apiVersion, 4, g.state), groupType: since(apiVersion, 5, 'classic') })),
    };
  }

  async offsetDelete(request: OffsetDeleteRequest): Promise<Encodable<OffsetDeleteResponse>> {
    const partitions = request.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })));
    const answer = await this.coordinator.deleteOffsets(request.groupId, partitions);
    return {
      errorCode: answer.errorCode,
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: answer.results.find((r) => r.topic === t.name && r.partition === p.partitionIndex)?.errorCode ?? answer.errorCode })),
      })),
    };
  }

  async deleteGroups(request: DeleteGroupsRequest): Promise<Encodable<DeleteGroupsResponse>> {
    const results = [];
    for (const groupId of request.groupsNames) results.push({ groupId, errorCode: await this.coordinator.deleteGroup(groupId) });
    return { throttleTimeMs: 0, results };
  }
}
