import * as net from 'node:net';
import { DecodedRequest, apiVersionsTable, decodeRequest, encodeRecordBatch, encodeResponse } from '@tributary/protocol';
import { ClusterClient } from '../cluster/cluster-client';
import { Consumer, TopicPartitionRef } from './consumer';
import { encodeAssignment } from './consumer-protocol';

const GROUP = 'g';
const TOPIC = 't';
const COMMITTED = 5;
const UNKNOWN_MEMBER_ID = 25;
const REBALANCE_IN_PROGRESS = 27;
const MEMBER_ID_REQUIRED = 79;

interface Commit {
  memberId: string;
  generation: number;
  partitions: number[];
}

/** A promise with its resolve function, for steps the test releases. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * One broker that is also the group's coordinator, on a real socket, following a script: member
 * m1 joins and gets both partitions of TOPIC (again on each rejoin); once expire() is called the
 * group forgets m1 (its heartbeats, commits and joins get UNKNOWN_MEMBER_ID, as when its session
 * timed out), and the member joining again as m2 gets only partition 1. Each join is a new
 * generation. Fetches find no records but the one offerRecord() puts at partition 0's committed
 * offset; rebalance() answers the next heartbeat REBALANCE_IN_PROGRESS, and holdJoins() keeps
 * JoinGroup answers until the gate it returns is opened.
 */
class ScriptedCoordinator {
  readonly commits: Commit[] = [];
  /** Every SyncGroup answered: who, in which generation. */
  readonly syncs: { memberId: string; generation: number }[] = [];
  /** Heartbeats answered UNKNOWN_MEMBER_ID. */
  refusedHeartbeats = 0;
  /** JoinGroup requests waiting for the gate of holdJoins(). */
  heldJoins = 0;
  private generation = 0;
  private rebalanceNext = false;
  private joinGate: Promise<void> | null = null;
  private record: Buffer | null = null;
  /** Requests the script could not answer (the connection is closed on them). */
  readonly unanswered: string[] = [];
  private expired = false;
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((socket) => this.serve(socket));

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  expire(): void {
    this.expired = true;
  }

  rebalance(): void {
    this.rebalanceNext = true;
  }

  holdJoins(): () => void {
    const { opened, open } = gate();
    this.joinGate = opened;
    return () => {
      this.joinGate = null;
      open();
    };
  }

  offerRecord(): void {
    this.record = encodeRecordBatch([{ value: Buffer.from('the one record') }], { baseOffset: COMMITTED });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    let buffered = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
        buffered = buffered.subarray(4 + frame.length);
        const request = decodeRequest(frame);
        const port = (this.server.address() as net.AddressInfo).port;
        // responses may leave out of order (a held join): the client matches them by correlation id
        const held = request.apiKey === 11 && this.joinGate;
        if (held) this.heldJoins++;
        void Promise.resolve(held || undefined).then(() => {
          if (held) this.heldJoins--;
          let reply: Buffer;
          try {
            reply = this.answer(request, port);
          } catch (error) {
            this.unanswered.push(`API ${request.apiKey} v${request.apiVersion}: ${(error as Error).message}`);
            socket.destroy();
            return;
          }
          // a fetch with nothing to return waits out its maxWaitMs, as a broker does
          const delayMs = request.apiKey === 1 && !reply.includes('the one record') ? request.body.maxWaitMs : 0;
          setTimeout(() => socket.destroyed || socket.write(reply), delayMs);
        });
      }
    });
  }

  private answer(request: DecodedRequest, port: number): Buffer {
    const { apiVersion } = request;
    const id = request.header.correlationId;
    switch (request.apiKey) {
      case 18:
        return encodeResponse(18, apiVersion, id, { errorCode: 0, apiKeys: apiVersionsTable() });
      case 3:
        return encodeResponse(3, apiVersion, id, {
          brokers: [{ nodeId: 1, host: '127.0.0.1', port, rack: null }],
          clusterId: 'c',
          controllerId: 1,
          topics: request.body.topics?.some((t) => t.name === TOPIC)
            ? [{ errorCode: 0, name: TOPIC, partitions: [0, 1].map((partitionIndex) => ({ errorCode: 0, partitionIndex, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1] })) }]
            : [],
        });
      case 10:
        return encodeResponse(10, apiVersion, id, { coordinators: [{ key: GROUP, nodeId: 1, host: '127.0.0.1', port, errorCode: 0 }] });
      case 11: {
        const { memberId } = request.body;
        const join = (errorCode: number, fields: { memberId?: string; generationId?: number } = {}) =>
          encodeResponse(11, apiVersion, id, { errorCode, generationId: -1, protocolName: 'cooperative-sticky', leader: 'elsewhere', memberId: '', members: [], ...fields });
        if (memberId === '') return join(MEMBER_ID_REQUIRED, { memberId: this.expired ? 'm2' : 'm1' });
        if (!this.known(memberId)) return join(UNKNOWN_MEMBER_ID);
        return join(0, { memberId, generationId: ++this.generation });
      }
      case 14: {
        this.syncs.push({ memberId: request.body.memberId, generation: request.body.generationId });
        const partitions = request.body.memberId === 'm1' ? [0, 1] : [1];
        return encodeResponse(14, apiVersion, id, { errorCode: 0, protocolType: 'consumer', protocolName: 'cooperative-sticky', assignment: encodeAssignment(new Map([[TOPIC, partitions]])) });
      }
      case 12: {
        const errorCode = !this.known(request.body.memberId) ? UNKNOWN_MEMBER_ID : this.rebalanceNext ? REBALANCE_IN_PROGRESS : 0;
        if (errorCode === REBALANCE_IN_PROGRESS) this.rebalanceNext = false;
        if (errorCode === UNKNOWN_MEMBER_ID) this.refusedHeartbeats++;
        return encodeResponse(12, apiVersion, id, { errorCode });
      }
      case 8: {
        const { memberId, generationIdOrMemberEpoch, topics } = request.body;
        const errorCode = this.known(memberId) ? 0 : UNKNOWN_MEMBER_ID;
        this.commits.push({ memberId, generation: generationIdOrMemberEpoch, partitions: topics.flatMap((t) => t.partitions.map((p) => p.partitionIndex)).sort() });
        return encodeResponse(8, apiVersion, id, { topics: topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })) });
      }
      case 9: {
        const committed = (names: { name: string; partitionIndexes: number[] }[] | null) =>
          (names ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: COMMITTED, committedLeaderEpoch: -1, metadata: '', errorCode: 0 })) }));
        return encodeResponse(9, apiVersion, id, { groups: request.body.groups.map((g) => ({ groupId: g.groupId, topics: committed(g.topics), errorCode: 0 })) });
      }
      case 1: {
        const wanted = request.body.topics.some((t) => t.partitions.some((p) => p.partition === 0 && Number(p.fetchOffset) === COMMITTED));
        if (!this.record || !wanted) return encodeResponse(1, apiVersion, id, { errorCode: 0, sessionId: 0, responses: [] });
        const records = this.record;
        this.record = null;
        const topicId = request.body.topics[0].topicId;
        return encodeResponse(1, apiVersion, id, { errorCode: 0, sessionId: 0, responses: [{ topic: TOPIC, topicId, partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: COMMITTED + 1, lastStableOffset: COMMITTED + 1, logStartOffset: 0, records }] }] });
      }
      case 13:
        return encodeResponse(13, apiVersion, id, { errorCode: 0, members: [] });
      default:
        throw new Error(`the scripted coordinator does not answer API ${request.apiKey}`);
    }
  }

  /** m1 until expire(), then m2. */
  private known(memberId: string): boolean {
    return this.expired ? memberId === 'm2' : memberId === 'm1';
  }
}

async function until(done: () => boolean, what: string, state: () => unknown): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(state())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a cooperative consumer and its group coordinator', () => {
  let coordinator: ScriptedCoordinator;
  let client: ClusterClient;

  beforeEach(async () => {
    coordinator = new ScriptedCoordinator();
    client = new ClusterClient({ brokers: [`127.0.0.1:${await coordinator.listen()}`] });
  });
  afterEach(async () => {
    await client.close();
    await coordinator.close();
  });

  it('auto-commits what it consumed while idle, without waiting for more records', async () => {
    const consumer = new Consumer(client, { groupId: GROUP, assignors: ['cooperative-sticky'], autoCommitIntervalMs: 50, heartbeatIntervalMs: 60_000, maxWaitMs: 50 });
    consumer.subscribe([TOPIC]);
    const running = consumer.run({ eachRecord: () => undefined });
    try {
      // no record ever arrives; the positions loaded from the committed offsets are committed each interval
      await until(() => coordinator.commits.length >= 2, 'two auto-commits', () => coordinator.commits);
    } finally {
      await consumer.stop();
      await running;
    }
    expect(coordinator.commits[0]).toEqual({ memberId: 'm1', generation: 1, partitions: [0, 1] });
  });

  it('hears onPartitionsLost (not onPartitionsRevoked) for all it owned when its first news is a refused commit, and commits none of them in its next generation', async () => {
    const events: { kind: string; partitions: number[] }[] = [];
    const note = (kind: string) => (partitions: TopicPartitionRef[]) => void events.push({ kind, partitions: partitions.map((p) => p.partition).sort() });
    // heartbeats far apart: the auto-commit is what meets the expiry first
    const consumer = new Consumer(client, { groupId: GROUP, assignors: ['cooperative-sticky'], autoCommitIntervalMs: 50, heartbeatIntervalMs: 60_000, maxWaitMs: 50, retryBackoffMs: 20 });
    consumer.subscribe([TOPIC], { onPartitionsAssigned: note('assigned'), onPartitionsRevoked: note('revoked'), onPartitionsLost: note('lost') });
    const running = consumer.run({ eachRecord: () => undefined });
    const state = () => ({ events, commits: coordinator.commits, unanswered: coordinator.unanswered });
    try {
      await until(() => coordinator.commits.some((c) => c.memberId === 'm1' && c.partitions.length === 2), 'm1 owning and committing both partitions', state);
      coordinator.expire();
      await until(() => events.length >= 3 && consumer.assignment().length === 1, 'the member losing its partitions and rejoining as m2 with partition 1', state);
      await until(() => coordinator.commits.some((c) => c.memberId === 'm2'), 'a commit of m2', state);
    } finally {
      await consumer.stop();
      await running;
    }
    expect(coordinator.unanswered).toEqual([]);
    expect(events).toEqual([
      { kind: 'assigned', partitions: [0, 1] },
      { kind: 'lost', partitions: [0, 1] },
      { kind: 'assigned', partitions: [1] },
    ]);
    // the refused commit of m1 aside, nothing was committed for partition 0 after the expiry
    const afterExpiry = coordinator.commits.filter((c) => c.memberId !== 'm1');
    expect(afterExpiry.length).toBeGreaterThan(0);
    for (const commit of afterExpiry) expect(commit).toEqual({ memberId: 'm2', generation: 2, partitions: [1] });
  }, 20_000);

  it('drops an assignment it received but had not applied when the group expires it: the partitions are lost, never handed over again from that stale generation', async () => {
    const events: { kind: string; partitions: number[] }[] = [];
    const note = (kind: string) => (partitions: TopicPartitionRef[]) => void events.push({ kind, partitions: partitions.map((p) => p.partition).sort() });
    const consumer = new Consumer(client, { groupId: GROUP, assignors: ['cooperative-sticky'], autoCommit: false, heartbeatIntervalMs: 50, maxWaitMs: 50, retryBackoffMs: 20 });
    consumer.subscribe([TOPIC], { onPartitionsAssigned: note('assigned'), onPartitionsRevoked: note('revoked'), onPartitionsLost: note('lost') });
    const handler = gate();
    let handling = false;
    const running = consumer.run({
      eachRecord: async () => {
        handling = true;
        await handler.opened;
      },
    });
    const state = () => ({ events, syncs: coordinator.syncs, heldJoins: coordinator.heldJoins, handling, refused: coordinator.refusedHeartbeats, unanswered: coordinator.unanswered });
    try {
      await until(() => events.length === 1, 'm1 assigned both partitions in generation 1', state);
      // a rebalance: the cooperative member rejoins while it goes on consuming, and its join waits
      const releaseJoin = coordinator.holdJoins();
      coordinator.rebalance();
      await until(() => coordinator.heldJoins === 1, 'the rejoin of m1 waiting', state);
      // meanwhile the application is busy with a record, so what the join brings must wait for it
      coordinator.offerRecord();
      await until(() => handling, 'the record handler running', state);
      releaseJoin();
      await until(() => coordinator.syncs.some((s) => s.memberId === 'm1' && s.generation === 2), 'm1 synced in generation 2', state);
      // the group expires m1 before it applied generation 2's assignment
      coordinator.expire();
      await until(() => coordinator.refusedHeartbeats > 0, 'a heartbeat of m1 refused', state);
      handler.open();
      await until(() => events.length >= 3 && consumer.assignment().length === 1, 'the member losing its partitions and rejoining as m2', state);
    } finally {
      handler.open();
      await consumer.stop();
      await running;
    }
    expect(coordinator.unanswered).toEqual([]);
    expect(events).toEqual([
      { kind: 'assigned', partitions: [0, 1] },
      { kind: 'lost', partitions: [0, 1] },
      { kind: 'assigned', partitions: [1] },
    ]);
    expect(coordinator.syncs).toEqual([
      { memberId: 'm1', generation: 1 },
      { memberId: 'm1', generation: 2 },
      { memberId: 'm2', generation: 3 },
    ]);
  }, 20_000);
});
