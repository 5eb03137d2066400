import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MetadataRecord } from '@tributary/protocol';
import { MetadataStore } from '../state/metadata-store';
import { ControllerError } from './controller-errors';
import { QuorumController } from './quorum-controller';
import { LogEntry, QuorumLog } from './quorum-log';

/**
 * A single-voter quorum log in memory: appends commit on the next tick. Stands in for Raft so
 * the controller's command logic is tested alone (Raft has its own simulator and tests).
 */
class InMemoryQuorumLog implements QuorumLog {
  readonly nodeId = 1;
  leader: number | null = 1;
  private readonly entries: LogEntry[] = [];
  private committedListeners: ((entry: LogEntry) => Promise<void>)[] = [];
  leaderId(): number | null {
    return this.leader;
  }
  isLeader(): boolean {
    return this.leader === this.nodeId;
  }
  async append(records: MetadataRecord[]): Promise<number> {
    const entry = { offset: this.entries.length, records };
    this.entries.push(entry);
    await new Promise((r) => setImmediate(r));
    for (const listener of this.committedListeners) await listener(entry);
    return entry.offset;
  }
  committedOffset(): number {
    return this.entries.length - 1;
  }
  read(fromOffset: number, maxEntries: number): LogEntry[] {
    return this.entries.slice(fromOffset, fromOffset + maxEntries);
  }
  startOffset(): number {
    return 0;
  }
  onCommitted(listener: (entry: LogEntry) => Promise<void>): void {
    this.committedListeners.push(listener);
  }
  onLeaderChange(): void {}
}

describe('QuorumController', () => {
  let dir: string;
  let store: MetadataStore;
  let log: InMemoryQuorumLog;
  let controller: QuorumController;
  const clock = { now: 0, nowMs() { return this.now; } };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quorum-controller-'));
    store = await MetadataStore.open(path.join(dir, 'metadata.db'));
    log = new InMemoryQuorumLog();
    controller = new QuorumController(log, store, clock, { brokerSessionTimeoutMs: 9000, defaultPartitions: 2, defaultReplicationFactor: 1, maxMetadataWaitMs: 1000 });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function registerBroker(brokerId: number): Promise<number> {
    const registered = await controller.handle('broker.register', { brokerId, incarnationId: `inc-${brokerId}`, rack: null, listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' }], features: {} });
    expect(registered.errorCode).toBe(0);
    const heartbeat = await controller.handle('broker.heartbeat', { brokerId, brokerEpoch: registered.brokerEpoch, currentMetadataOffset: log.committedOffset(), wantShutDown: false });
    expect(heartbeat.errorCode).toBe(0);
    return registered.brokerEpoch;
  }

  it('registers and unfences a caught-up broker, creates topics on it, and persists to SQLite', async () => {
    await registerBroker(1);
    expect(controller.image.activeBrokers().map((b) => b.brokerId)).toEqual([1]);
    const created = await controller.handle('topics.create', { topics: [{ name: 'orders', numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }], validateOnly: false });
    expect(created.results[0]).toMatchObject({ errorCode: 0, numPartitions: 2 });
    expect(store.appliedOffset).toBe(log.committedOffset());
    expect(controller.image.topicByName('orders')?.partitions.get(1)?.leader).toBe(1);
  });

  it('serves the metadata log with long polling, records of one entry sharing its offset', async () => {
    await registerBroker(1);
    const from = log.committedOffset() + 1;
    const waiting = controller.handle('metadata.fetch', { fromOffset: from, maxRecords: 100, maxWaitMs: 1000 });
    await controller.handle('topics.create', { topics: [{ name: 't', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], validateOnly: false });
    const answer = await waiting;
    expect(answer.records.map((r) => r.record.type)).toEqual(['topic', 'partition', 'partition']);
    expect(new Set(answer.records.map((r) => r.offset))).toEqual(new Set([from]));
    expect(answer.highWatermark).toBe(from);
    const empty = await controller.handle('metadata.fetch', { fromOffset: from + 1, maxRecords: 100, maxWaitMs: 10 });
    expect(empty).toMatchObject({ records: [], highWatermark: from });
  });

  it('allocates disjoint producer id blocks to registered brokers only', async () => {
    const epoch = await registerBroker(1);
    const a = await controller.handle('producerIds.allocate', { brokerId: 1, brokerEpoch: epoch });
    const b = await controller.handle('producerIds.allocate', { brokerId: 1, brokerEpoch: epoch });
    expect([a.firstProducerId, b.firstProducerId]).toEqual([0, 1000]);
    expect((await controller.handle('producerIds.allocate', { brokerId: 1, brokerEpoch: 999 })).errorCode).toBe(ControllerError.STALE_BROKER_EPOCH);
  });

  it('fences a broker whose session expired and answers NOT_CONTROLLER when not active', async () => {
    await registerBroker(1);
    clock.now += 10_000;
    await controller.fenceExpiredBrokers();
    expect(controller.image.brokers.get(1)?.fenced).toBe(true);
    log.leader = 2;
    const answer = await controller.handle('topics.create', { topics: [], validateOnly: false });
    expect(answer).toMatchObject({ errorCode: ControllerError.NOT_CONTROLLER, activeControllerId: 2 });
  });

  it('runs commands one at a time so each sees the previous one applied', async () => {
    await registerBroker(1);
    const results = await Promise.all(
      ['a', 'b', 'a'].map((name) => controller.handle('topics.create', { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], validateOnly: false })),
    );
    expect(results.map((r) => r.results[0].errorCode)).toEqual([0, 0, ControllerError.TOPIC_ALREADY_EXISTS]);
  });
});
