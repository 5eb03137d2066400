import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { Admin, AssignorName, ClusterClient, Consumer, Producer, TopicPartitionRef, decodeAssignment } from '@tributary/client';
import type { MemberReport } from './group-member-process';
import { LocalCluster } from './local-cluster';
import { REPO_ROOT } from './node-process';

const TOPIC = 'coop';
const PARTITIONS = 6;
const RECORDS = 6_000;

async function until(done: () => boolean | Promise<boolean>, what: string, state: () => unknown = () => '', timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(state())}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Members still running, stopped after the tests even when one fails midway. */
const started = new Set<{ stop(): Promise<void> }>();

interface RebalanceEvent {
  kind: 'assigned' | 'revoked' | 'lost';
  partitions: number[];
}

/** A group member with what it heard from the rebalance listener and what it consumed. */
class Member {
  readonly events: RebalanceEvent[] = [];
  readonly consumer: Consumer;
  private readonly running: Promise<void>;

  constructor(client: ClusterClient, groupId: string, assignors: AssignorName[], deliveries: Map<string, string[]>, readonly name: string, topic = TOPIC) {
    this.consumer = new Consumer(client, { groupId, assignors, fromBeginning: true, autoCommitIntervalMs: 200, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 200, maxWaitMs: 100 });
    const note = (kind: RebalanceEvent['kind']) => (partitions: TopicPartitionRef[]) => void this.events.push({ kind, partitions: partitions.map((p) => p.partition).sort((a, b) => a - b) });
    this.consumer.subscribe([topic], { onPartitionsAssigned: note('assigned'), onPartitionsRevoked: note('revoked'), onPartitionsLost: note('lost') });
    started.add(this);
    this.running = this.consumer.run({
      eachRecord: (r) => {
        const at = `${r.partition}@${r.offset}`;
        deliveries.set(at, [...(deliveries.get(at) ?? []), name]);
      },
    });
  }

  owned(): number[] {
    return this.consumer
      .assignment()
      .map((p) => p.partition)
      .sort((a, b) => a - b);
  }

  partitionsIn(kind: RebalanceEvent['kind'], fromEvent = 0): number[] {
    return this.events
      .slice(fromEvent)
      .filter((e) => e.kind === kind)
      .flatMap((e) => e.partitions)
      .sort((a, b) => a - b);
  }

  async stop(): Promise<void> {
    started.delete(this);
    await this.consumer.stop();
    await this.running;
  }
}

/** librdkafka's balanced consumer (kcat -G) in cooperative-sticky mode: the partitions it reports consuming, and its rebalance log. */
class KcatMember {
  readonly child: ChildProcess;
  private stderr = '';

  constructor(bootstrap: string, groupId: string, topic: string, deliveries: Map<string, string[]>) {
    this.child = spawn('kcat', ['-b', bootstrap, '-G', groupId, '-X', 'partition.assignment.strategy=cooperative-sticky', '-X', 'auto.offset.reset=earliest', '-X', 'auto.commit.interval.ms=200', '-X', 'client.id=kcat-member', '-u', '-f', '%p@%o\\n', topic], { stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const at of lines) deliveries.set(at, [...(deliveries.get(at) ?? []), 'kcat']);
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    started.add(this);
  }

  /** Partitions revoked from it, from lines such as "rebalanced: incremental revoke of 2 partition(s) (...): t [0], t [1]". */
  revoked(): number[] {
    return this.log()
      .filter((line) => line.includes('incremental revoke'))
      .flatMap((line) => [...line.slice(line.lastIndexOf('):')).matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])))
      .sort((a, b) => a - b);
  }

  log(): string[] {
    return this.stderr.split('\n').filter(Boolean);
  }

  async stop(): Promise<void> {
    started.delete(this);
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** Our cooperative-sticky member in a child process (group-member-process.ts), which the test can freeze and thaw. */
class ProcessMember {
  readonly child: ChildProcess;
  readonly events: RebalanceEvent[] = [];
  private output = '';
  private stderr = '';
  private stopped = false;

  constructor(bootstrap: string, groupId: string, topic: string, sessionTimeoutMs: number, deliveries: Map<string, string[]>, readonly name: string) {
    const script = path.join(REPO_ROOT, 'tools/cluster/group-member-process.ts');
    this.child = spawn(process.execPath, ['-r', './tools/scripts/register.js', script, bootstrap, groupId, topic, String(sessionTimeoutMs)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (this.output + chunk.toString()).split('\n');
      this.output = lines.pop()!;
      for (const line of lines) {
        const report = JSON.parse(line) as MemberReport;
        if (report.kind === 'record') deliveries.set(report.at, [...(deliveries.get(report.at) ?? []), name]);
        else if (report.kind === 'stopped') this.stopped = true;
        else this.events.push(report);
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    started.add(this);
  }

  /** What it owns by its own account: assigned minus revoked and lost, in the order it heard them. */
  owned(): number[] {
    const owned = new Set<number>();
    for (const e of this.events) for (const p of e.partitions) if (e.kind === 'assigned') owned.add(p);
    else owned.delete(p);
    return [...owned].sort((a, b) => a - b);
  }

  partitionsIn(kind: RebalanceEvent['kind'], fromEvent = 0): number[] {
    return this.events
      .slice(fromEvent)
      .filter((e) => e.kind === kind)
      .flatMap((e) => e.partitions)
      .sort((a, b) => a - b);
  }

  freeze(): void {
    this.child.kill('SIGSTOP');
  }

  thaw(): void {
    this.child.kill('SIGCONT');
  }

  diagnostics(): unknown {
    return { name: this.name, owned: this.owned(), events: this.events, stderr: this.stderr.slice(-2_000) };
  }

  /** SIGTERM: the member commits, leaves the group and reports it before exiting. */
  async stop(): Promise<void> {
    started.delete(this);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const killed = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killed);
    if (!this.stopped) throw new Error(`member ${this.name} did not stop cleanly: ${JSON.stringify(this.diagnostics())}`);
  }
}

/**
 * Every offset committed for the group's partitions of `topic`, in the order the coordinator
 * logged them: read back from __consumer_offsets (keys OffsetCommitKey v1, values
 * OffsetCommitValue v3, both Kafka's layouts), partition -> offsets.
 */
async function commitHistory(client: ClusterClient, groupId: string, topic: string): Promise<Map<number, number[]>> {
  const offsetsTopic = '__consumer_offsets';
  const ends = (await new Admin(client).listOffsets(offsetsTopic, 'latest')).filter((o) => o.offset > 0);
  const reader = new Consumer(client, { maxWaitMs: 100 });
  reader.assign(ends.map((o) => ({ topic: offsetsTopic, partition: o.partition, offset: 0 })));
  const history = new Map<number, number[]>();
  const readString = (buf: Buffer, at: number): [string, number] => {
    const length = buf.readInt16BE(at);
    return [buf.toString('utf8', at + 2, at + 2 + length), at + 2 + length];
  };
  const reading = reader.run({
    eachRecord: (r) => {
      if (!r.key || !r.value || r.key.readInt16BE(0) > 1) return; // group metadata and tombstones
      const [group, afterGroup] = readString(r.key, 2);
      const [committedTopic, afterTopic] = readString(r.key, afterGroup);
      if (group !== groupId || committedTopic !== topic) return;
      const partition = r.key.readInt32BE(afterTopic);
      history.set(partition, [...(history.get(partition) ?? []), Number(r.value.readBigInt64BE(2))]);
    },
  });
  await until(() => ends.every((o) => (reader.position(offsetsTopic, o.partition) ?? -1) >= o.offset), 'reading __consumer_offsets to its end', () => ends);
  await reader.stop();
  await reading;
  return history;
}

/** KIP-429 cooperative rebalancing of the native consumer against a real broker. */
describe('cooperative-sticky consumer group', () => {
  let cluster: LocalCluster;
  const clients: ClusterClient[] = [];
  const client = () => {
    const c = new ClusterClient({ brokers: cluster.bootstrap.split(','), clientId: 'coop-test' });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    cluster = await LocalCluster.start({ controllers: 1, brokers: 1 });
    await new Admin(client()).createTopics([{ name: TOPIC, partitions: PARTITIONS, replicationFactor: 1 }]);
  }, 120_000);
  afterAll(async () => {
    for (const member of [...started]) await member.stop().catch(() => undefined);
    for (const c of clients) await c.close();
    await cluster?.stop();
  }, 60_000);

  it('a third member joining takes partitions without the others ever revoking the ones they keep, and leaving hands them back; every record is delivered once', async () => {
    const groupId = 'coop-group';
    const deliveries = new Map<string, string[]>(); // "partition@offset" -> members it went to
    const producer = new Producer(client(), { lingerMs: 2 });
    let produced = 0;
    const produceChunk = async (count: number) => {
      await producer.send(TOPIC, Array.from({ length: count }, (_, i) => ({ key: `k${produced + i}`, value: `v${produced + i}` })));
      produced += count;
    };
    await produceChunk(RECORDS / 3);

    const a = new Member(client(), groupId, ['cooperative-sticky'], deliveries, 'a');
    const b = new Member(client(), groupId, ['cooperative-sticky'], deliveries, 'b');
    await until(() => a.owned().length === 3 && b.owned().length === 3 && deliveries.size === produced, 'a and b sharing the topic and consuming the first third');
    const before = { a: a.owned(), b: b.owned() };
    const eventsBefore = { a: a.events.length, b: b.events.length };

    // records keep coming while the group rebalances
    const producing = (async () => {
      while (produced < RECORDS) {
        await produceChunk(100);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const c = new Member(client(), groupId, ['cooperative-sticky'], deliveries, 'c');
    await producing;
    const state = () => ({ delivered: deliveries.size, produced, members: [a, b, c].map((m) => ({ name: m.name, owned: m.owned(), events: m.events })) });
    await until(() => [a, b, c].every((m) => m.owned().length === 2) && deliveries.size === RECORDS, 'three members with two partitions each, all records consumed', state);
    const after = { a: a.owned(), b: b.owned(), c: c.owned() };

    // a and b only gave partitions up; each gave one, and only that one was ever revoked
    for (const m of [a, b] as const) {
      const name = m.name as 'a' | 'b';
      const kept = before[name].filter((p) => after[name].includes(p));
      expect(kept).toEqual(after[name]);
      expect(m.partitionsIn('revoked', eventsBefore[name])).toEqual(before[name].filter((p) => !kept.includes(p)));
      expect(m.partitionsIn('revoked', eventsBefore[name])).toHaveLength(1);
      expect(m.partitionsIn('assigned', eventsBefore[name])).toEqual([]);
      expect(m.partitionsIn('lost')).toEqual([]);
    }
    // c got exactly what they gave up
    expect(c.partitionsIn('assigned')).toEqual(after.c);
    expect(after.c).toEqual([...before.a, ...before.b].filter((p) => !after.a.includes(p) && !after.b.includes(p)).sort((x, y) => x - y));
    expect(c.partitionsIn('revoked')).toEqual([]);

    // c leaving: a and b take its partitions at once, and again give up nothing
    const eventsBeforeLeave = { a: a.events.length, b: b.events.length };
    await c.stop();
    await produceChunk(RECORDS / 3);
    await until(() => a.owned().length === 3 && b.owned().length === 3 && deliveries.size === produced, 'a and b taking over from c', state);
    for (const m of [a, b] as const) {
      const name = m.name as 'a' | 'b';
      expect(m.partitionsIn('revoked', eventsBeforeLeave[name])).toEqual([]);
      expect(m.owned()).toEqual(expect.arrayContaining(after[name]));
    }
    expect([...a.partitionsIn('assigned', eventsBeforeLeave.a), ...b.partitionsIn('assigned', eventsBeforeLeave.b)].sort()).toEqual(after.c);

    // exactly once across the members: every offset of every partition, each to one member
    const doubled = [...deliveries].filter(([, members]) => members.length > 1);
    expect(doubled).toEqual([]);
    expect(deliveries.size).toBe(produced);

    await Promise.all([a, b].map((m) => m.stop()));
    await producer.close();
    // what they consumed is committed: the group's offsets are the log ends
    const admin = new Admin(client());
    const committed = (await admin.fetchOffsets(groupId, [TOPIC])).map((o) => [o.partition, o.offset]).sort(([x], [y]) => x - y);
    const ends = (await admin.listOffsets(TOPIC, 'latest')).map((o) => [o.partition, o.offset]).sort(([x], [y]) => x - y);
    expect(committed).toEqual(ends);
  }, 120_000);

  it('with librdkafka (kcat) in the group: our member leading, kcat following, and the other way round; nothing kept is revoked, every record is read once', async () => {
    const topic = 'coop-mixed';
    await new Admin(client()).createTopics([{ name: topic, partitions: 4, replicationFactor: 1 }]);
    const producer = new Producer(client(), { lingerMs: 2 });
    let produced = 0;
    const produce = async (count: number) => {
      await producer.send(topic, Array.from({ length: count }, (_, i) => ({ key: `k${produced + i}`, value: `m${produced + i}` })));
      produced += count;
    };
    const admin = new Admin(client());
    const assignmentsOf = async (groupId: string) => {
      const group = await admin.describeGroup(groupId);
      return Object.fromEntries(group.members.map((m) => [m.clientId, [...decodeAssignment(m.assignment).values()].flat().sort()]));
    };
    let kcatAssignment: number[] = [];

    for (const leader of ['native', 'kcat'] as const) {
      const groupId = `mixed-${leader}-leads`;
      const deliveries = new Map<string, string[]>();
      const kcatStarted = () => new KcatMember(cluster.bootstrap, groupId, topic, deliveries);
      await produce(1_000);
      const nativeStarted = () => new Member(client(), groupId, ['cooperative-sticky'], deliveries, 'native', topic);
      const first = leader === 'native' ? nativeStarted() : kcatStarted();
      // the first member owns the four partitions and has read everything
      await until(() => deliveries.size === produced, `the first member (${leader}) reading ${produced} records`, () => ({ delivered: deliveries.size }));
      const second = leader === 'native' ? kcatStarted() : nativeStarted();
      const native = (first instanceof Member ? first : second) as Member;
      const kcat = (first instanceof KcatMember ? first : second) as KcatMember;
      const eventsBefore = native.events.length;
      await produce(1_000);
      const state = () => ({ delivered: deliveries.size, produced, native: native.owned(), events: native.events, kcatAssignment, kcatLog: kcat.log() });
      const pollAssignments = setInterval(() => void assignmentsOf(groupId).then((a) => (kcatAssignment = a['kcat-member'] ?? [])), 100);
      try {
        await until(() => native.owned().length === 2 && kcatAssignment.length === 2 && deliveries.size === produced, 'two partitions each, every record read', state);
      } finally {
        clearInterval(pollAssignments);
      }
      expect([...native.owned(), ...kcatAssignment].sort()).toEqual([0, 1, 2, 3]);
      if (leader === 'native') {
        // the native member gave up exactly what kcat took, and revoked nothing else
        expect(native.partitionsIn('revoked', eventsBefore)).toEqual(kcatAssignment);
      } else {
        // the native member only ever gained
        expect(native.partitionsIn('revoked')).toEqual([]);
        expect(native.partitionsIn('assigned')).toEqual(native.owned());
      }
      expect([...deliveries].filter(([, members]) => members.length > 1)).toEqual([]);
      // kcat logs its rebalances: it revoked exactly what the native member took, and nothing else
      expect(kcat.revoked()).toEqual(leader === 'kcat' ? native.owned() : []);
      await native.stop();
      await kcat.stop();
    }
    await producer.close();
  }, 120_000);

  it('a member frozen past its session timeout loses its partitions (onPartitionsLost, never revoked), the other takes them, and once thawed it commits nothing over them and rejoins for a fair share', async () => {
    const topic = 'coop-lost';
    const groupId = 'coop-lost-group';
    const sessionTimeoutMs = 6_000;
    const admin = new Admin(client());
    await admin.createTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: 1 }]);
    const producer = new Producer(client(), { lingerMs: 2 });
    let produced = 0;
    const produce = async (count: number) => {
      await producer.send(topic, Array.from({ length: count }, (_, i) => ({ key: `k${produced + i}`, value: `l${produced + i}` })));
      produced += count;
    };
    const committedAtLogEnd = async () => {
      const committed = new Map((await admin.fetchOffsets(groupId, [topic])).map((o) => [o.partition, o.offset]));
      return (await admin.listOffsets(topic, 'latest')).every((o) => committed.get(o.partition) === o.offset);
    };
    const deliveries = new Map<string, string[]>();
    await produce(1_200);

    const x = new ProcessMember(cluster.bootstrap, groupId, topic, sessionTimeoutMs, deliveries, 'x');
    await until(() => x.owned().length === PARTITIONS && deliveries.size === produced, 'x alone owning and reading the topic', () => x.diagnostics(), 60_000);
    const y = new Member(client(), groupId, ['cooperative-sticky'], deliveries, 'y', topic);
    const state = () => ({ delivered: deliveries.size, produced, x: x.diagnostics(), y: { owned: y.owned(), events: y.events } });
    await until(() => x.owned().length === 3 && y.owned().length === 3, 'x and y sharing the topic', state);
    const ownedByX = x.owned();
    const xEventsBeforeFreeze = x.events.length;
    const yEventsBeforeFreeze = y.events.length;

    x.freeze();
    // the coordinator expires x after its session timeout; y, the only member left, takes everything
    await until(() => y.partitionsIn('assigned', yEventsBeforeFreeze).length >= ownedByX.length, 'y taking over the partitions of the frozen x', state, 4 * sessionTimeoutMs);
    expect(y.owned()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(y.partitionsIn('assigned', yEventsBeforeFreeze)).toEqual(ownedByX);
    expect(y.partitionsIn('revoked', yEventsBeforeFreeze)).toEqual([]);
    // y reads on past where x stopped and commits it, so a late commit of x would move offsets back
    await produce(1_200);
    await until(async () => deliveries.size === produced && (await committedAtLogEnd()), 'y reading and committing every partition to the log end', state);
    const yEventsBeforeThaw = y.events.length;

    x.thaw();
    await until(() => x.events.length > xEventsBeforeFreeze && x.owned().length === 3 && y.owned().length === 3, 'x learning it was expired, then rejoining for three partitions', state);
    await produce(1_200);
    await until(async () => deliveries.size === produced && (await committedAtLogEnd()), 'the records produced after the rejoin read and committed', state);

    // x heard of the loss once, for exactly what it owned, and as lost: nothing of it was "revoked"
    expect(x.events.slice(xEventsBeforeFreeze).filter((e) => e.kind === 'lost')).toEqual([{ kind: 'lost', partitions: ownedByX }]);
    expect(x.partitionsIn('revoked', xEventsBeforeFreeze)).toEqual([]);
    // its fair share came back from y, which gave up exactly those three and kept the rest
    const regained = x.owned();
    expect(x.partitionsIn('assigned', xEventsBeforeFreeze)).toEqual(regained);
    expect(y.partitionsIn('revoked', yEventsBeforeThaw)).toEqual(regained);
    expect(y.partitionsIn('lost')).toEqual([]);
    expect([...regained, ...y.owned()].sort()).toEqual([0, 1, 2, 3, 4, 5]);

    await x.stop();
    await y.stop();
    await producer.close();
    // the group's committed offsets only ever moved forward: no commit of x's stale positions
    // landed after y had moved on, and they end at the log ends
    const history = await commitHistory(client(), groupId, topic);
    for (const p of ownedByX) expect(history.get(p)?.length).toBeGreaterThan(0);
    for (const [partition, offsets] of history) {
      const backwards = offsets.filter((offset, i) => i > 0 && offset < offsets[i - 1]);
      expect({ partition, backwards }).toEqual({ partition, backwards: [] });
    }
    expect(await committedAtLogEnd()).toBe(true);
  }, 180_000);

  it('for contrast, the eager range assignor revokes every partition of every member when one joins, and assigns the whole new set', async () => {
    const groupId = 'eager-group';
    const deliveries = new Map<string, string[]>();
    const a = new Member(client(), groupId, ['range'], deliveries, 'a');
    const b = new Member(client(), groupId, ['range'], deliveries, 'b');
    await until(() => a.owned().length === 3 && b.owned().length === 3, 'a and b sharing the topic');
    const before = { a: a.owned(), b: b.owned() };
    const eventsBefore = { a: a.events.length, b: b.events.length };
    const c = new Member(client(), groupId, ['range'], deliveries, 'c');
    await until(() => [a, b, c].every((m) => m.owned().length === 2), 'three members with two partitions each');
    for (const m of [a, b] as const) {
      const name = m.name as 'a' | 'b';
      expect(m.partitionsIn('revoked', eventsBefore[name])).toEqual(before[name]);
      expect(m.partitionsIn('assigned', eventsBefore[name])).toEqual(m.owned());
    }
    expect(c.partitionsIn('assigned')).toEqual(c.owned());
    await Promise.all([a, b, c].map((m) => m.stop()));
  }, 120_000);
});
