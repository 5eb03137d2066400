import { randomUUID } from 'node:crypto';
import { ControlPattern, ControlRequest, ControlResponse, MetadataImage, MetadataRecord } from '@tributary/protocol';
import { MetadataStore } from '../state/metadata-store';
import { createAcls, deleteAcls } from './acl-commands';
import { alterPartition } from './alter-partition';
import { BrokerLifecycle, Clock, allocateProducerIds } from './broker-lifecycle';
import { alterConfigs } from './config-commands';
import { electLeaders } from './partition-elections';
import { ControllerError } from './controller-errors';
import { QuorumLog } from './quorum-log';
import { CommandContext, createPartitions, createTopics, deleteTopics } from './topic-commands';

export interface QuorumControllerSettings {
  brokerSessionTimeoutMs: number;
  defaultPartitions: number;
  defaultReplicationFactor: number;
  /** Longest metadata long poll the controller holds open. */
  maxMetadataWaitMs: number;
}

/** Commands waiting for their turn on the active controller (one runs at a time). */
const MAX_QUEUED_COMMANDS = 10_000;

type Handler<P extends ControlPattern> = (request: ControlRequest<P>) => Promise<ControlResponse<P>>;

/**
 * The controller's request handling over the quorum log. Writes go through the active controller
 * only, one command at a time: compute records from the applied image, append them as one entry,
 * wait until that entry is committed and applied, answer. A non-active controller answers
 * NOT_CONTROLLER naming the active one. Reads of the metadata log (brokers following it) are
 * served by any controller from its committed entries, with long polling.
 */
export class QuorumController {
  private queue: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private readonly lifecycle: BrokerLifecycle;
  private readonly appliedWaiters: { offset: number; resolve: () => void }[] = [];
  private readonly commitWaiters = new Set<() => void>();
  private readonly handlers: { [P in ControlPattern]: Handler<P> };

  constructor(
    private readonly log: QuorumLog,
    private readonly store: MetadataStore,
    private readonly clock: Clock,
    private readonly settings: QuorumControllerSettings,
  ) {
    this.lifecycle = new BrokerLifecycle(this.clock, settings.brokerSessionTimeoutMs);
    log.onCommitted(async (entry) => {
      await store.apply([entry]);
      for (const waiter of [...this.appliedWaiters]) {
        if (waiter.offset <= entry.offset) {
          this.appliedWaiters.splice(this.appliedWaiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      for (const wake of [...this.commitWaiters]) wake();
    });
    const ctx = (): CommandContext => ({
      newTopicId: () => randomUUID(),
      random: () => Math.random(),
      defaultPartitions: settings.defaultPartitions,
      defaultReplicationFactor: settings.defaultReplicationFactor,
    });
    this.handlers = {
      'broker.register': (request) =>
        this.command((image) => {
          const outcome = this.lifecycle.register(image, request);
          return { records: outcome.records, result: { errorCode: outcome.errorCode, errorMessage: outcome.errorMessage, brokerEpoch: outcome.brokerEpoch } };
        }, (result, offset) => {
          if (result.errorCode === 0) this.lifecycle.noteRegistrationCommitted(request.brokerId, offset);
        }),
      'broker.heartbeat': (request) => this.command((image) => this.lifecycle.heartbeat(image, request)),
      'metadata.fetch': (request) => this.fetchMetadata(request),
      'partition.alter': (request) => this.command((image) => {
        const { result, record } = alterPartition(image, request);
        return { records: record ? [record] : [], result };
      }),
      'topics.create': (request) => this.command((image) => {
        const { results, records } = createTopics(image, request.topics, ctx(), request.validateOnly);
        return { records, result: { errorCode: 0, errorMessage: null, results } };
      }),
      'topics.delete': (request) => this.command((image) => {
        const { results, records } = deleteTopics(image, request.topics);
        return { records, result: { errorCode: 0, errorMessage: null, results } };
      }),
      'partitions.create': (request) => this.command((image) => {
        const { results, records } = createPartitions(image, request.topics, ctx(), request.validateOnly);
        return { records, result: { errorCode: 0, errorMessage: null, results } };
      }),
      'configs.alter': (request) => this.command((image) => {
        const { results, records } = alterConfigs(image, request);
        return { records, result: { errorCode: 0, errorMessage: null, results } };
      }),
      'leaders.elect': (request) => this.command((image) => {
        const { results, records } = electLeaders(image, request.electionType, request.partitions);
        return { records, result: { errorCode: 0, errorMessage: null, results } };
      }),
      'acls.create': (request) => this.command((image) => {
        const { results, records } = createAcls(image, request);
        return { records, result: { errorCode: 0, errorMessage: null, results } };
      }),
      'acls.delete': (request) => this.command((image) => {
        const { results, records } = deleteAcls(image, request);
        return { records, result: { errorCode: 0, errorMessage: null, results } };
      }),
      'producerIds.allocate': (request) => this.command<ControlResponse<'producerIds.allocate'>>((image) => {
        const broker = image.brokers.get(request.brokerId);
        if (!broker || broker.brokerEpoch !== request.brokerEpoch) {
          return { records: [], result: { errorCode: ControllerError.STALE_BROKER_EPOCH, errorMessage: `broker ${request.brokerId} epoch ${request.brokerEpoch} is not current`, firstProducerId: -1, size: 0 } };
        }
        const block = allocateProducerIds(image, request.brokerId, request.brokerEpoch);
        return { records: [block.record], result: { errorCode: 0, errorMessage: null, firstProducerId: block.firstProducerId, size: block.size } };
      }),
      'quorum.describe': async () => ({
        errorCode: 0,
        errorMessage: null,
        leaderId: this.log.leaderId(),
        leaderEpoch: -1,
        highWatermark: this.log.committedOffset(),
        voters: [],
      }),
    };
  }

  get image(): MetadataImage {
    return this.store.image;
  }

  handle<P extends ControlPattern>(pattern: P, request: ControlRequest<P>): Promise<ControlResponse<P>> {
    const handler = this.handlers[pattern] as Handler<P> | undefined;
    if (!handler) return Promise.reject(new Error(`unknown control-plane request "${pattern}"`));
    return handler(request);
  }

  /** Leader duty on a timer: fence brokers whose session expired (their leaderships move). */
  async fenceExpiredBrokers(): Promise<void> {
    if (!this.log.isLeader()) return;
    await this.command((image) => ({ records: this.lifecycle.fenceExpired(image), result: null }));
  }

  /** Runs one write command on the active controller; answers NOT_CONTROLLER elsewhere. */
  private command<R>(compute: (image: MetadataImage) => { records: MetadataRecord[]; result: R }, afterCommit?: (result: R, offset: number) => void): Promise<R> {
    if (!this.log.isLeader()) return Promise.resolve(this.notController() as R);
    if (this.queued >= MAX_QUEUED_COMMANDS) return Promise.reject(new Error('the controller is overloaded: too many queued commands'));
    this.queued++;
    const run = async (): Promise<R> => {
      if (!this.log.isLeader()) return this.notController() as R;
      // the image must include every entry committed so far (a new leader first applies its log)
      await this.waitApplied(this.log.committedOffset());
      const { records, result } = compute(this.store.image);
      if (records.length === 0) return result;
      const offset = await this.log.append(records);
      await this.waitApplied(offset);
      afterCommit?.(result, offset);
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined).finally(() => this.queued--);
    return next;
  }

  private notController(): { errorCode: number; errorMessage: string; activeControllerId: number | null } {
    const leaderId = this.log.leaderId();
    return { errorCode: ControllerError.NOT_CONTROLLER, errorMessage: `controller ${this.log.nodeId} is not active; the active controller is ${leaderId ?? 'unknown'}`, activeControllerId: leaderId };
  }

  private waitApplied(offset: number): Promise<void> {
    if (this.store.appliedOffset >= offset) return Promise.resolve();
    return new Promise((resolve) => this.appliedWaiters.push({ offset, resolve }));
  }

  private async fetchMetadata(request: ControlRequest<'metadata.fetch'>): Promise<ControlResponse<'metadata.fetch'>> {
    const waitMs = Math.min(Math.max(0, request.maxWaitMs), this.settings.maxMetadataWaitMs);
    if (this.log.committedOffset() < request.fromOffset && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          if (this.log.committedOffset() >= request.fromOffset) done();
        };
        const timer = setTimeout(() => done(), waitMs);
        const done = () => {
          clearTimeout(timer);
          this.commitWaiters.delete(wake);
          resolve();
        };
        this.commitWaiters.add(wake);
      });
    }
    if (request.fromOffset < this.log.startOffset()) {
      // too far behind the retained log: send the materialised image as a snapshot
      const image = this.store.image;
      return { errorCode: 0, errorMessage: null, snapshot: { offset: image.offset, records: imageAsRecords(image) }, records: [], highWatermark: image.offset };
    }
    const entries = this.log.read(request.fromOffset, Math.max(1, request.maxRecords));
    const records = entries.flatMap((e) => e.records.map((record) => ({ offset: e.offset, record })));
    // the answer covers everything committed up to its last entry (or all that is committed)
    const highWatermark = entries.length > 0 ? entries[entries.length - 1].offset : this.log.committedOffset();
    return { errorCode: 0, errorMessage: null, snapshot: null, records, highWatermark };
  }
}

/** The records that rebuild `image` from nothing: a metadata snapshot. */
export function imageAsRecords(image: MetadataImage): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  for (const [name, level] of image.features) records.push({ type: 'featureLevel', name, featureLevel: level });
  for (const b of image.brokers.values()) records.push({ type: 'registerBroker', brokerId: b.brokerId, incarnationId: b.incarnationId, brokerEpoch: b.brokerEpoch, endPoints: b.endPoints, rack: b.rack, fenced: b.fenced });
  for (const t of image.topicsById.values()) {
    records.push({ type: 'topic', name: t.name, topicId: t.topicId });
    for (const p of t.partitions.values()) records.push({ type: 'partition', topicId: t.topicId, ...p });
  }
  for (const [key, entries] of image.configs) {
    const [resourceType, ...rest] = key.split(':');
    for (const [name, value] of entries) records.push({ type: 'config', resourceType: resourceType as 'topic' | 'broker', resourceName: rest.join(':'), name, value });
  }
  for (const [id, acl] of image.acls) records.push({ type: 'acl', id, ...acl });
  if (image.nextProducerId > 0) records.push({ type: 'producerIds', brokerId: -1, brokerEpoch: -1, nextProducerId: image.nextProducerId });
  return records;
}
