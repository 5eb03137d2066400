import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LogCleaner, LogManager, encodeBatch } from '@tributary/log-engine';
import { ErrorCode } from './kafka-errors';
import { ReplicaManager } from './replica-manager';

const clock = { nowMs: () => Date.now() };
const idempotent = (producerId: number, producerEpoch: number, baseSequence: number, count = 2) =>
  encodeBatch(Array.from({ length: count }, (_, i) => ({ value: `p${producerId}-e${producerEpoch}-s${baseSequence + i}` })), { producerId, producerEpoch, baseSequence });

describe('idempotent producer state', () => {
  let dir: string;
  let logs: LogManager;
  let replicas: ReplicaManager;

  const open = () => {
    logs = LogManager.open({ dataDir: dir });
    replicas = new ReplicaManager(logs, { brokerId: 1 }, clock, { proposeIsr: () => undefined });
    replicas.becomeLeaderOrFollower('t', 0, { leaderId: 1, leaderEpoch: 0, partitionEpoch: 0, replicas: [1], isr: [1] });
  };
  const produce = async (records: Buffer) => (await replicas.appendRecords(1, 1000, [{ topic: 't', partition: 0, records }]))[0];
  const logEnd = () => replicas.getPartition('t', 0)?.logEndOffset;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'producer-state-'));
    open();
  });
  afterEach(() => {
    replicas.shutdown();
    logs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges a retried batch with its original offset and writes it once', async () => {
    expect((await produce(idempotent(7, 0, 0))).baseOffset).toBe(0);
    expect((await produce(idempotent(7, 0, 2))).baseOffset).toBe(2);
    const retry = await produce(idempotent(7, 0, 0));
    expect(retry).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(logEnd()).toBe(4);
  });

  it('refuses a sequence gap without writing', async () => {
    await produce(idempotent(7, 0, 0));
    const gap = await produce(idempotent(7, 0, 5));
    expect(gap.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(logEnd()).toBe(2);
  });

  it('fences an older epoch and accepts a new epoch from sequence 0', async () => {
    await produce(idempotent(7, 1, 0));
    expect((await produce(idempotent(7, 0, 2))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect((await produce(idempotent(7, 2, 4))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect((await produce(idempotent(7, 2, 0))).errorCode).toBe(0);
    expect(logEnd()).toBe(4);
  });

  it('keeps producers apart', async () => {
    await produce(idempotent(1, 0, 0));
    await produce(idempotent(2, 0, 0));
    expect((await produce(idempotent(1, 0, 2))).errorCode).toBe(0);
    expect((await produce(idempotent(2, 0, 0))).baseOffset).toBe(2); // retry of producer 2's first batch
  });

  it('recognises retries after a clean restart (snapshot) and after a crash (rebuilt from batch headers)', async () => {
    await produce(idempotent(7, 0, 0));
    await produce(idempotent(7, 0, 2));
    replicas.shutdown();
    logs.close();
    open();
    expect((await produce(idempotent(7, 0, 2))).baseOffset).toBe(2);

    // crash: no snapshot for what follows, and the old snapshot removed
    await produce(idempotent(7, 0, 4));
    fs.rmSync(path.join(dir, 't-0', 'producer-state.snapshot'), { force: true });
    logs.close();
    open();
    expect((await produce(idempotent(7, 0, 4))).baseOffset).toBe(4);
    expect((await produce(idempotent(7, 0, 8))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(logEnd()).toBe(6);
  });

  it('rewrites the snapshot of a partition only after something was written to it', async () => {
    const file = path.join(dir, 't-0', 'producer-state.snapshot');
    await produce(idempotent(7, 0, 0));
    replicas.snapshotProducerStates();
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).offset).toBe(2);
    // planted: a rewrite would replace it, so a planted snapshot that stays means it was left alone
    fs.writeFileSync(file, JSON.stringify({ offset: 0, producers: [] }));
    replicas.snapshotProducerStates();
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).offset).toBe(0);
    await produce(idempotent(7, 0, 2));
    replicas.snapshotProducerStates();
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).offset).toBe(4);
  });
});

describe('producer state rebuilt from a compacted log', () => {
  let dir: string;
  let logs: LogManager;
  let replicas: ReplicaManager;
  const keyed = (producerId: number, baseSequence: number, key: string) => encodeBatch([{ key, value: `${key}-s${baseSequence}` }], { producerId, producerEpoch: 0, baseSequence });

  const open = () => {
    logs = LogManager.open({ dataDir: dir });
    replicas = new ReplicaManager(logs, { brokerId: 1 }, clock, { proposeIsr: () => undefined });
    replicas.becomeLeaderOrFollower('c', 0, { leaderId: 1, leaderEpoch: 0, partitionEpoch: 0, replicas: [1], isr: [1] }, { cleanupPolicy: 'compact', segmentBytes: 1024 });
  };
  const produce = async (records: Buffer) => (await replicas.appendRecords(1, 1000, [{ topic: 'c', partition: 0, records }]))[0];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'producer-state-compacted-'));
    open();
  });
  afterEach(() => {
    replicas.shutdown();
    logs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("continues an idempotent producer's sequence after its records were all compacted away and the snapshot lost", async () => {
    for (let seq = 0; seq < 4; seq++) expect((await produce(keyed(9, seq, 'k'))).errorCode).toBe(0);
    // another producer overwrites the key and rolls producer 9's batches into cleanable segments
    for (let i = 0; i < 40; i++) expect((await produce(keyed(10, i, `k${i % 2 === 0 ? '' : i % 3}`))).errorCode).toBe(0);
    const log = replicas.getPartition('c', 0)?.log;
    if (!log) throw new Error('no log');
    expect((await new LogCleaner().clean(log)).recordsRemoved).toBeGreaterThan(0);
    // crash: the rebuild sees only the cleaned log
    fs.rmSync(path.join(dir, 'c-0', 'producer-state.snapshot'), { force: true });
    logs.close();
    open();
    expect((await produce(keyed(9, 6, 'k'))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect((await produce(keyed(9, 4, 'k'))).errorCode).toBe(0);
  });
});
