import * as fs from 'node:fs';
import * as path from 'node:path';
import { MetadataImage, MetadataRecord } from '@tributary/protocol';
import { DataSource, EntityManager } from 'typeorm';
import { AclRow, AppliedStateRow, BrokerRow, ConfigRow, FeatureRow, METADATA_ENTITIES, PartitionRow, TopicRow } from './entities';

/** One committed entry of the metadata log: its offset and the records it carries, applied atomically. */
export interface CommittedBatch {
  offset: number;
  records: MetadataRecord[];
}

/**
 * The controller's state machine storage: committed metadata records materialised into SQLite
 * (TypeORM on better-sqlite3), with the applied offset written in the same transaction, so the
 * database is always exactly "the log up to appliedOffset". A snapshot is a consistent copy of
 * the database file (VACUUM INTO) whose applied offset says where it stands.
 */
export class MetadataStore {
  private constructor(
    private readonly databaseFile: string,
    private dataSource: DataSource,
    readonly image: MetadataImage,
  ) {}

  static async open(databaseFile: string): Promise<MetadataStore> {
    fs.mkdirSync(path.dirname(databaseFile), { recursive: true });
    const dataSource = await openDataSource(databaseFile);
    const image = await loadImage(dataSource.manager);
    return new MetadataStore(databaseFile, dataSource, image);
  }

  get appliedOffset(): number {
    return this.image.offset;
  }

  /**
   * Applies committed batches in order: first to a copy of the in-memory image (which validates
   * them), then to SQLite in one transaction together with the new applied offset; the image is
   * swapped in only after the commit. Batches at or below the applied offset are skipped (replay
   * after a restart is idempotent).
   */
  async apply(committed: readonly CommittedBatch[]): Promise<void> {
    const fresh = committed.filter((c) => c.offset > this.image.offset);
    if (fresh.length === 0) return;
    for (let i = 1; i < fresh.length; i++) {
      if (fresh[i].offset <= fresh[i - 1].offset) throw new Error('committed batches must be in offset order');
    }
    const next = this.image.clone();
    for (const { offset, records } of fresh) {
      for (const record of records) next.apply(record, offset);
      next.offset = offset; // an empty batch (a Raft no-op) still moves the applied offset
    }
    await this.dataSource.transaction(async (manager) => {
      for (const { records } of fresh) for (const record of records) await writeRecord(manager, record, next);
      await manager.save(AppliedStateRow, { id: 1, appliedOffset: next.offset, nextProducerId: next.nextProducerId });
    });
    adopt(this.image, next);
  }

  /** Writes a consistent copy of the database to `file`; returns the offset it holds. */
  private async snapshotTo(file: string): Promise<number> {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.rmSync(file, { force: true });
    const offset = this.image.offset;
    await this.dataSource.query('VACUUM INTO ?', [file]);
    return offset;
  }

  /** A consistent copy of the database as bytes (a Raft snapshot's payload) and the offset it holds. */
  async snapshotBytes(): Promise<{ offset: number; data: Buffer }> {
    const file = `${this.databaseFile}.snapshot-out`;
    try {
      const offset = await this.snapshotTo(file);
      return { offset, data: fs.readFileSync(file) };
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  /**
   * Replaces the whole state with a snapshot's database (bytes from snapshotBytes()): the file is
   * swapped while the database is closed, then the image is reloaded from it. Nothing is applied
   * meanwhile (the Raft runner restores between Readys).
   */
  async restore(data: Uint8Array): Promise<void> {
    const file = `${this.databaseFile}.snapshot-in`;
    fs.writeFileSync(file, data);
    try {
      await this.dataSource.destroy();
      MetadataStore.installSnapshot(file, this.databaseFile);
      this.dataSource = await openDataSource(this.databaseFile);
      adopt(this.image, await loadImage(this.dataSource.manager));
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }

  /** Replaces the database at `databaseFile` with a snapshot file (the store must be closed). */
  private static installSnapshot(snapshotFile: string, databaseFile: string): void {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(databaseFile + suffix, { force: true });
    fs.copyFileSync(snapshotFile, databaseFile);
  }
}

async function openDataSource(databaseFile: string): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: databaseFile,
    entities: METADATA_ENTITIES,
    synchronize: true,
    enableWAL: true,
    logging: false,
  });
  await dataSource.initialize();
  return dataSource;
}

async function writeRecord(manager: EntityManager, record: MetadataRecord, image: MetadataImage): Promise<void> {
  switch (record.type) {
    case 'topic':
      await manager.insert(TopicRow, { topicId: record.topicId, name: record.name });
      break;
    case 'removeTopic': {
      const row = await manager.findOneBy(TopicRow, { topicId: record.topicId });
      await manager.delete(PartitionRow, { topicId: record.topicId });
      await manager.delete(TopicRow, { topicId: record.topicId });
      if (row) await manager.delete(ConfigRow, { resourceType: 'topic', resourceName: row.name });
      break;
    }
    case 'partition':
    case 'partitionChange': {
      const partition = image.topicsById.get(record.topicId)?.partitions.get(record.partitionId);
      if (partition) await manager.save(PartitionRow, { topicId: record.topicId, ...partition });
      break;
    }
    case 'registerBroker':
    case 'fenceBroker':
    case 'unfenceBroker': {
      const broker = image.brokers.get(record.brokerId);
      if (broker) await manager.save(BrokerRow, { ...broker });
      break;
    }
    case 'unregisterBroker':
      await manager.delete(BrokerRow, { brokerId: record.brokerId });
      break;
    case 'config':
      if (record.value === null) await manager.delete(ConfigRow, { resourceType: record.resourceType, resourceName: record.resourceName, name: record.name });
      else await manager.save(ConfigRow, { resourceType: record.resourceType, resourceName: record.resourceName, name: record.name, value: record.value });
      break;
    case 'acl': {
      const { type: _type, ...row } = record;
      await manager.save(AclRow, row);
      break;
    }
    case 'removeAcl':
      await manager.delete(AclRow, { id: record.id });
      break;
    case 'featureLevel':
      await manager.save(FeatureRow, { name: record.name, featureLevel: record.featureLevel });
      break;
    case 'producerIds':
      break; // kept in applied_state below
  }
}

async function loadImage(manager: EntityManager): Promise<MetadataImage> {
  const image = new MetadataImage();
  for (const topic of await manager.find(TopicRow)) {
    image.topicsById.set(topic.topicId, { name: topic.name, topicId: topic.topicId, partitions: new Map() });
    image.topicIdsByName.set(topic.name, topic.topicId);
  }
  for (const p of await manager.find(PartitionRow)) {
    image.topicsById.get(p.topicId)?.partitions.set(p.partitionId, {
      partitionId: p.partitionId,
      replicas: p.replicas,
      isr: p.isr,
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
    });
  }
  for (const b of await manager.find(BrokerRow)) image.brokers.set(b.brokerId, { ...b, fenced: Boolean(b.fenced) });
  for (const c of await manager.find(ConfigRow)) {
    const key = `${c.resourceType}:${c.resourceName}`;
    const entries = image.configs.get(key) ?? new Map<string, string>();
    entries.set(c.name, c.value);
    image.configs.set(key, entries);
  }
  for (const { id, ...binding } of await manager.find(AclRow)) image.acls.set(id, binding);
  for (const f of await manager.find(FeatureRow)) image.features.set(f.name, f.featureLevel);
  const state = await manager.findOneBy(AppliedStateRow, { id: 1 });
  image.offset = state?.appliedOffset ?? -1;
  image.nextProducerId = state?.nextProducerId ?? 0;
  return image;
}

/** Moves the contents of `next` into `target` (the store's image object stays the same instance). */
function adopt(target: MetadataImage, next: MetadataImage): void {
  for (const key of ['topicsById', 'topicIdsByName', 'brokers', 'configs', 'acls', 'features'] as const) {
    const map = target[key] as Map<unknown, unknown>;
    map.clear();
    for (const [k, v] of next[key] as Map<unknown, unknown>) map.set(k, v);
  }
  target.nextProducerId = next.nextProducerId;
  target.offset = next.offset;
}
