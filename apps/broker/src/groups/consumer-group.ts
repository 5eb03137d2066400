import { randomUUID } from 'node:crypto';
import { GroupMetadataValue } from './group-metadata-records';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: { name: string; metadata: Buffer }[];
  assignment: Buffer;
  lastHeartbeatMs: number;
  awaitingJoin: ((result: JoinResult) => void) | null;
  awaitingSync: ((result: SyncResult) => void) | null;
}

export const GroupError = {
  NONE: 0,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  MEMBER_ID_REQUIRED: 79,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
  COORDINATOR_NOT_AVAILABLE: 15,
} as const;

/**
 * Where a group's membership is made durable (the coordinator writes it to __consumer_offsets).
 * Both calls take the group as it is at the time of the call (see `metadata`).
 */
export interface GroupPersistence {
  /**
   * The leader handed in the assignments of a new generation: store the group, then resolve with 0,
   * or an error code the members receive instead of their assignment. Must not reject.
   */
  storeAssignment(group: ConsumerGroup): Promise<number>;
  /** The group has just become Empty (its last member left or expired). */
  storeEmpty(group: ConsumerGroup): void;
}

/** Members per group (group.max.size): joins beyond it are refused. */
export const MAX_GROUP_MEMBERS = 1000;

/**
 * One consumer group of Kafka's classic protocol: members join (the leader receives everyone's
 * subscriptions), the leader's assignment is handed out at sync, heartbeats keep sessions alive,
 * and any membership change triggers a rebalance with a new generation. Time comes from the
 * caller (`nowMs`) and the coordinator's timer calls `expire`.
 */
export class ConsumerGroup {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, expected to join soon. */
  private readonly pendingMemberIds = new Map<string, number>();
  private rebalanceDeadlineMs = 0;
  /** A generation's assignment is being stored (the leader's SyncGroup waits for it). */
  private storing = false;

  /** Without `persistence`, syncs complete at once and nothing is stored. */
  constructor(
    readonly groupId: string,
    private readonly persistence: GroupPersistence | null = null,
  ) {}

  /**
   * A group as its last GroupMetadata record describes it: Stable with the stored generation,
   * protocol, leader, members and assignments (Empty without members). Sessions restart at `nowMs`,
   * so members whose clients are gone expire after their session timeout.
   */
  static restore(groupId: string, value: GroupMetadataValue, nowMs: number, persistence: GroupPersistence | null = null): ConsumerGroup {
    const group = new ConsumerGroup(groupId, persistence);
    group.generationId = value.generation;
    group.protocolType = value.protocolType === '' ? null : value.protocolType;
    if (value.members.length === 0) return group;
    group.state = 'Stable';
    group.protocolName = value.protocol ?? '';
    group.leaderId = value.leader !== null && value.members.some((m) => m.memberId === value.leader) ? value.leader : value.members[0].memberId;
    for (const m of value.members.slice(0, MAX_GROUP_MEMBERS)) {
      group.members.set(m.memberId, {
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        sessionTimeoutMs: m.sessionTimeoutMs,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        protocols: [{ name: group.protocolName, metadata: m.subscription }],
        assignment: m.assignment,
        lastHeartbeatMs: nowMs,
        awaitingJoin: null,
        awaitingSync: null,
      });
    }
    return group;
  }

  /** The group as a GroupMetadata record value (members with their selected protocol's metadata). */
  metadata(nowMs: number): GroupMetadataValue {
    return {
      protocolType: this.protocolType ?? '',
      generation: this.generationId,
      protocol: this.protocolName,
      leader: this.leaderId,
      currentStateTimestamp: nowMs,
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.sessionTimeoutMs,
        subscription: m.protocols.find((p) => p.name === this.protocolName)?.metadata ?? Buffer.alloc(0),
        assignment: m.assignment,
      })),
    };
  }

  /** This coordinator no longer owns the group: members waiting in a join or sync get `errorCode`. */
  unload(errorCode: number): void {
    for (const m of this.members.values()) {
      m.awaitingJoin?.(this.errorJoin(errorCode, m.memberId));
      m.awaitingSync?.({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
      m.awaitingJoin = null;
      m.awaitingSync = null;
    }
  }

  join(
    request: { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; sessionTimeoutMs: number; rebalanceTimeoutMs: number; protocolType: string; protocols: { name: string; metadata: Buffer }[]; requireKnownMemberId: boolean },
    nowMs: number,
  ): Promise<JoinResult> {
    const fail = (errorCode: number, memberId = request.memberId): Promise<JoinResult> =>
      Promise.resolve({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] });
    if (this.state !== 'Empty' && this.protocolType !== null && this.protocolType !== request.protocolType) return fail(GroupError.INCONSISTENT_GROUP_PROTOCOL);
    if (this.members.size > 0 && !request.protocols.some((p) => this.supportedByAll(p.name, request.memberId))) return fail(GroupError.INCONSISTENT_GROUP_PROTOCOL);
    let memberId = request.memberId;
    if (memberId === '') {
      // static members keep their identity across restarts; the new id fences the old one
      const staticMember = request.groupInstanceId !== null ? [...this.members.values()].find((m) => m.groupInstanceId === request.groupInstanceId) : undefined;
      memberId = `${request.clientId}-${randomUUID()}`;
      if (staticMember) {
        this.members.delete(staticMember.memberId);
        staticMember.awaitingJoin?.(this.errorJoin(GroupError.FENCED_INSTANCE_ID, staticMember.memberId));
        staticMember.awaitingSync?.({ errorCode: GroupError.FENCED_INSTANCE_ID, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
        if (this.leaderId === staticMember.memberId) this.leaderId = memberId;
      } else if (request.requireKnownMemberId) {
        this.pendingMemberIds.set(memberId, nowMs + request.sessionTimeoutMs);
        return fail(GroupError.MEMBER_ID_REQUIRED, memberId);
      }
    } else if (!this.members.has(memberId) && !this.pendingMemberIds.has(memberId)) {
      return fail(GroupError.UNKNOWN_MEMBER_ID);
    }
    if (!this.members.has(memberId) && this.members.size >= MAX_GROUP_MEMBERS) return fail(GroupError.GROUP_MAX_SIZE_REACHED);
    this.pendingMemberIds.delete(memberId);
    const existing = this.members.get(memberId);
    const member: Member = {
      memberId,
      groupInstanceId: request.groupInstanceId,
      clientId: request.clientId,
      clientHost: request.clientHost,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      protocols: request.protocols,
      assignment: existing?.assignment ?? Buffer.alloc(0),
      lastHeartbeatMs: nowMs,
      awaitingJoin: null,
      awaitingSync: null,
    };
    const unchanged = existing && this.state === 'Stable' && sameProtocols(existing.protocols, request.protocols) && memberId !== this.leaderId;
    this.members.set(memberId, member);
    if (this.protocolType === null) this.protocolType = request.protocolType;
    if (unchanged) {
      // a follower re-joining with the same subscription: answer with the current generation
      return Promise.resolve(this.joinResult(member));
    }
    const result = new Promise<JoinResult>((resolve) => (member.awaitingJoin = resolve));
    if (this.state !== 'PreparingRebalance') this.prepareRebalance(nowMs);
    this.maybeCompleteJoin();
    return result;
  }

  sync(request: { memberId: string; generationId: number; assignments: { memberId: string; assignment: Buffer }[] }, nowMs: number): Promise<SyncResult> {
    const failed = (errorCode: number): Promise<SyncResult> => Promise.resolve({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    const member = this.members.get(request.memberId);
    if (!member) return failed(GroupError.UNKNOWN_MEMBER_ID);
    if (request.generationId !== this.generationId) return failed(GroupError.ILLEGAL_GENERATION);
    if (this.state === 'PreparingRebalance') return failed(GroupError.REBALANCE_IN_PROGRESS);
    member.lastHeartbeatMs = nowMs;
    if (this.state === 'Stable') return Promise.resolve(this.syncResult(member));
    const result = new Promise<SyncResult>((resolve) => (member.awaitingSync = resolve));
    if (request.memberId === this.leaderId && !this.storing) {
      // as Kafka: members the leader left out get an empty assignment
      const assigned = new Map(request.assignments.map((a) => [a.memberId, a.assignment]));
      for (const m of this.members.values()) m.assignment = assigned.get(m.memberId) ?? Buffer.alloc(0);
      if (!this.persistence) {
        this.completeSync();
      } else {
        const generation = this.generationId;
        this.storing = true;
        void this.persistence
          .storeAssignment(this)
          .catch(() => GroupError.COORDINATOR_NOT_AVAILABLE)
          .then((errorCode) => {
            this.storing = false;
            // a member left or joined meanwhile: that rebalance already answered the waiting syncs
            if (this.state !== 'CompletingRebalance' || this.generationId !== generation) return;
            if (errorCode === GroupError.NONE) return this.completeSync();
            // as Kafka: the members get the error, the assignment is dropped and the group rebalances
            for (const m of this.members.values()) {
              m.assignment = Buffer.alloc(0);
              m.awaitingSync?.({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
              m.awaitingSync = null;
            }
            this.prepareRebalance(nowMs);
          });
      }
    }
    return result;
  }

  private completeSync(): void {
    this.state = 'Stable';
    for (const m of this.members.values()) {
      m.awaitingSync?.(this.syncResult(m));
      m.awaitingSync = null;
    }
  }

  heartbeat(memberId: string, generationId: number, nowMs: number): number {
    const member = this.members.get(memberId);
    if (!member) return GroupError.UNKNOWN_MEMBER_ID;
    member.lastHeartbeatMs = nowMs;
    if (generationId !== this.generationId) return GroupError.ILLEGAL_GENERATION;
    if (this.state === 'PreparingRebalance') return GroupError.REBALANCE_IN_PROGRESS;
    return GroupError.NONE;
  }

  leave(memberId: string, nowMs: number): number {
    if (!this.members.has(memberId)) return GroupError.UNKNOWN_MEMBER_ID;
    this.removeMember(memberId, nowMs);
    return GroupError.NONE;
  }

  /**
   * Commits are accepted from members of the current generation, or anyone when the group is empty.
   * As in Kafka, a rebalance that is only preparing still takes them: members commit what they
   * consumed before rejoining, so the next owner of a partition starts where they stopped.
   */
  checkCommit(memberId: string, generationId: number): number {
    if (generationId < 0 && memberId === '' && this.members.size === 0) return GroupError.NONE;
    if (this.state === 'CompletingRebalance') return GroupError.REBALANCE_IN_PROGRESS;
    const member = this.members.get(memberId);
    if (!member) return GroupError.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return GroupError.ILLEGAL_GENERATION;
    return GroupError.NONE;
  }

  /** Timer duty: expire sessions and finish a rebalance whose timeout passed. */
  expire(nowMs: number): void {
    for (const [memberId, deadline] of this.pendingMemberIds) if (nowMs > deadline) this.pendingMemberIds.delete(memberId);
    for (const member of [...this.members.values()]) {
      // members waiting in a join are judged by the rebalance timeout instead
      if (member.awaitingJoin === null && nowMs - member.lastHeartbeatMs > member.sessionTimeoutMs) this.removeMember(member.memberId, nowMs);
    }
    if (this.state === 'PreparingRebalance' && nowMs >= this.rebalanceDeadlineMs) {
      for (const member of [...this.members.values()]) if (member.awaitingJoin === null) this.members.delete(member.memberId);
      this.completeJoin();
    }
  }

  subscribedTopics(): Set<string> {
    const topics = new Set<string>();
    for (const member of this.members.values()) {
      const metadata = member.protocols.find((p) => p.name === this.protocolName)?.metadata ?? member.protocols[0]?.metadata;
      if (metadata && this.protocolType === 'consumer') for (const topic of decodeSubscriptionTopics(metadata)) topics.add(topic);
    }
    return topics;
  }

  private removeMember(memberId: string, nowMs: number): void {
    const member = this.members.get(memberId);
    if (!member) return;
    this.members.delete(memberId);
    member.awaitingJoin?.(this.errorJoin(GroupError.UNKNOWN_MEMBER_ID, memberId));
    member.awaitingSync?.({ errorCode: GroupError.REBALANCE_IN_PROGRESS, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    if (this.leaderId === memberId) this.leaderId = null;
    if (this.members.size === 0) {
      this.becomeEmpty();
      return;
    }
    if (this.state === 'PreparingRebalance') this.maybeCompleteJoin();
    else this.prepareRebalance(nowMs);
  }

  private becomeEmpty(): void {
    this.state = 'Empty';
    this.generationId++;
    this.protocolName = null;
    this.leaderId = null;
    this.persistence?.storeEmpty(this);
  }

  private prepareRebalance(nowMs: number): void {
    this.state = 'PreparingRebalance';
    const rebalanceTimeout = Math.max(0, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
    this.rebalanceDeadlineMs = nowMs + rebalanceTimeout;
    // members waiting for a sync of the old generation must rejoin
    for (const m of this.members.values()) {
      m.awaitingSync?.({ errorCode: GroupError.REBALANCE_IN_PROGRESS, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
      m.awaitingSync = null;
    }
  }

  private maybeCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance') return;
    if ([...this.members.values()].every((m) => m.awaitingJoin !== null)) this.completeJoin();
  }

  private completeJoin(): void {
    if (this.members.size === 0) {
      this.becomeEmpty();
      return;
    }
    this.generationId++;
    this.protocolName = this.selectProtocol();
    if (this.leaderId === null || !this.members.has(this.leaderId)) this.leaderId = this.members.keys().next().value as string;
    this.state = 'CompletingRebalance';
    for (const member of this.members.values()) {
      member.awaitingJoin?.(this.joinResult(member));
      member.awaitingJoin = null;
    }
  }

  private joinResult(member: Member): JoinResult {
    const isLeader = member.memberId === this.leaderId;
    return {
      errorCode: GroupError.NONE,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: this.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.protocols.find((p) => p.name === this.protocolName)?.metadata ?? Buffer.alloc(0) }))
        : [],
    };
  }

  private syncResult(member: Member): SyncResult {
    return { errorCode: GroupError.NONE, protocolType: this.protocolType, protocolName: this.protocolName, assignment: member.assignment };
  }

  private errorJoin(errorCode: number, memberId: string): JoinResult {
    return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
  }

  /** The protocol every member supports, preferring the members' own order (votes). */
  private selectProtocol(): string {
    const members = [...this.members.values()];
    const candidates = members[0].protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    const votes = new Map(candidates.map((c) => [c, 0]));
    for (const m of members) {
      const preferred = m.protocols.find((p) => votes.has(p.name));
      if (preferred) votes.set(preferred.name, (votes.get(preferred.name) ?? 0) + 1);
    }
    return [...votes].sort((a, b) => b[1] - a[1])[0]?.[0] ?? members[0].protocols[0].name;
  }

  private supportedByAll(protocol: string, except: string): boolean {
    return [...this.members.values()].every((m) => m.memberId === except || m.protocols.some((p) => p.name === protocol));
  }
}

function sameProtocols(a: { name: string; metadata: Buffer }[], b: { name: string; metadata: Buffer }[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));
}

/** Topics of a ConsumerProtocolSubscription (int16 version, then an int32-counted string array). */
export function decodeSubscriptionTopics(metadata: Buffer): string[] {
  try {
    let at = 2;
    const count = metadata.readInt32BE(at);
    at += 4;
    const topics: string[] = [];
    for (let i = 0; i < count && i < 10_000; i++) {
      const length = metadata.readInt16BE(at);
      at += 2;
      topics.push(metadata.toString('utf8', at, at + length));
      at += length;
    }
    return topics;
  } catch {
    return [];
  }
}
