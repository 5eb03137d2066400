import { BrokerHeartbeatRequest, BrokerHeartbeatResponse, BrokerRegistrationRequest, MetadataImage, MetadataRecord, ProducerIdsRecord } from '@tributary/protocol';
import { ControllerError } from './controller-errors';
import { electionsOnBrokerFenced, electionsOnBrokerUnfenced } from './partition-elections';

export interface Clock {
  nowMs(): number;
}


/**
 * Broker registration, heartbeats and the session timeout, on the active controller. Sessions
 * are soft state (not in the log): a newly active controller gives every broker a fresh session.
 * A broker is unfenced once it has applied the metadata up to its own registration; a broker
 * that misses its session is fenced and loses its leaderships.
 */
export class BrokerLifecycle {
  private readonly lastContactMs = new Map<number, number>();
  /** Offset of each broker's registration record: it must catch up to it before it is unfenced. */
  private readonly registeredAtOffset = new Map<number, number>();

  constructor(
    private readonly clock: Clock,
    private readonly sessionTimeoutMs: number,
  ) {}

  register(image: MetadataImage, request: BrokerRegistrationRequest): { errorCode: number; errorMessage: string | null; brokerEpoch: number; records: MetadataRecord[] } {
    const existing = image.brokers.get(request.brokerId);
    const sessionAlive = existing !== undefined && this.clock.nowMs() - (this.lastContactMs.get(request.brokerId) ?? 0) <= this.sessionTimeoutMs;
    if (existing && existing.incarnationId !== request.incarnationId && sessionAlive && !existing.fenced) {
      return {
        errorCode: ControllerError.DUPLICATE_BROKER_REGISTRATION,
        errorMessage: `another broker with id ${request.brokerId} is registered and alive`,
        brokerEpoch: -1,
        records: [],
      };
    }
    const records: MetadataRecord[] = [];
    if (existing && !existing.fenced) {
      records.push(...electionsOnBrokerFenced(image, request.brokerId));
    }
    // Kafka uses the registration record's offset as the broker epoch: unique and increasing.
    const brokerEpoch = image.offset + records.length + 1;
    records.push({ type: 'registerBroker', brokerId: request.brokerId, incarnationId: request.incarnationId, brokerEpoch, endPoints: request.listeners, rack: request.rack, fenced: true });
    this.lastContactMs.set(request.brokerId, this.clock.nowMs());
    this.registeredAtOffset.set(request.brokerId, brokerEpoch);
    return { errorCode: 0, errorMessage: null, brokerEpoch, records };
  }

  /** The registration record committed at `offset`: the broker must apply up to it to be unfenced. */
  noteRegistrationCommitted(brokerId: number, offset: number): void {
    this.registeredAtOffset.set(brokerId, offset);
  }

  heartbeat(image: MetadataImage, request: BrokerHeartbeatRequest): { result: BrokerHeartbeatResponse; records: MetadataRecord[] } {
    const broker = image.brokers.get(request.brokerId);
    const base = { isCaughtUp: false, isFenced: true, shouldShutDown: false };
    if (!broker) return { result: { ...base, errorCode: ControllerError.BROKER_ID_NOT_REGISTERED, errorMessage: `broker ${request.brokerId} is not registered` }, records: [] };
    if (broker.brokerEpoch !== request.brokerEpoch) {
      return { result: { ...base, errorCode: ControllerError.STALE_BROKER_EPOCH, errorMessage: `epoch ${request.brokerEpoch} is not ${broker.brokerEpoch}` }, records: [] };
    }
    this.lastContactMs.set(request.brokerId, this.clock.nowMs());
    const registeredAt = this.registeredAtOffset.get(request.brokerId) ?? -1;
    const isCaughtUp = request.currentMetadataOffset >= registeredAt;
    const records: MetadataRecord[] = [];
    if (request.wantShutDown) {
      if (!broker.fenced) records.push(...electionsOnBrokerFenced(image, broker.brokerId), { type: 'fenceBroker', brokerId: broker.brokerId, brokerEpoch: broker.brokerEpoch });
      return { result: { errorCode: 0, errorMessage: null, isCaughtUp, isFenced: true, shouldShutDown: true }, records };
    }
    if (broker.fenced && isCaughtUp) {
      records.push({ type: 'unfenceBroker', brokerId: broker.brokerId, brokerEpoch: broker.brokerEpoch });
      records.push(...electionsOnBrokerUnfenced(image.withApplied(records), broker.brokerId));
    }
    return { result: { errorCode: 0, errorMessage: null, isCaughtUp, isFenced: broker.fenced && !isCaughtUp, shouldShutDown: false }, records };
  }

  /** Brokers whose session expired: fence them and move their leaderships. */
  fenceExpired(image: MetadataImage): MetadataRecord[] {
    const nowMs = this.clock.nowMs();
    const records: MetadataRecord[] = [];
    let view = image;
    for (const broker of image.brokers.values()) {
      if (broker.fenced) continue;
      const last = this.lastContactMs.get(broker.brokerId);
      if (last === undefined) {
        // a controller that just became active has not heard from anyone yet: start the session now
        this.lastContactMs.set(broker.brokerId, nowMs);
        continue;
      }
      if (nowMs - last <= this.sessionTimeoutMs) continue;
      const fencing: MetadataRecord[] = [...electionsOnBrokerFenced(view, broker.brokerId), { type: 'fenceBroker', brokerId: broker.brokerId, brokerEpoch: broker.brokerEpoch }];
      records.push(...fencing);
      view = view.withApplied(fencing);
    }
    return records;
  }
}

/** InitProducerId support: hands out the next block of producer ids to a broker. */
export function allocateProducerIds(image: MetadataImage, brokerId: number, brokerEpoch: number, blockSize = 1000): { firstProducerId: number; size: number; record: ProducerIdsRecord } {
  const first = image.nextProducerId;
  return { firstProducerId: first, size: blockSize, record: { type: 'producerIds', brokerId, brokerEpoch, nextProducerId: first + blockSize } };
}

