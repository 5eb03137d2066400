import { BrokerEndpoint } from '@tributary/protocol';
import { ControllerChannel } from '../kafka/broker-context';

export interface LifecycleOptions {
  brokerId: number;
  incarnationId: string;
  rack: string | null;
  listeners: BrokerEndpoint[];
  /** broker.heartbeat.interval.ms */
  heartbeatIntervalMs: number;
}

/** Longest a stopping broker waits for the controller to move its leaderships. */
const CONTROLLED_SHUTDOWN_TIMEOUT_MS = 3_000;

export type BrokerState = 'starting' | 'registered' | 'running' | 'fenced' | 'stopping' | 'stopped';

/**
 * The broker's side of KRaft liveness: register with the active controller (retrying until a
 * controller answers), then heartbeat with the applied metadata offset. The controller unfences
 * the broker once it has caught up; a lost session (STALE_BROKER_EPOCH, unknown broker) means
 * registering again. A clean stop asks to be fenced first so leaderships move away.
 */
export class BrokerLifecycleManager {
  private epoch = -1;
  private currentState: BrokerState = 'starting';
  private timer: NodeJS.Timeout | null = null;
  private beating = false;

  constructor(
    private readonly controller: ControllerChannel,
    private readonly options: LifecycleOptions,
    private readonly metadataOffset: () => number,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  get brokerEpoch(): number {
    return this.epoch;
  }

  get state(): BrokerState {
    return this.currentState;
  }

  /** Ready to serve: registered, caught up with the metadata and unfenced. */
  get ready(): boolean {
    return this.currentState === 'running';
  }

  start(): void {
    this.schedule(0);
  }

  /** Controlled shutdown: ask to be fenced (leaderships move), then stop heartbeating. */
  async stop(): Promise<void> {
    this.currentState = 'stopping';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.epoch >= 0) {
      // bounded: with the controllers gone, the broker still stops (its session then expires)
      let timer: NodeJS.Timeout | undefined;
      const giveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, CONTROLLED_SHUTDOWN_TIMEOUT_MS)));
      const ask = this.controller
        .call('broker.heartbeat', { brokerId: this.options.brokerId, brokerEpoch: this.epoch, currentMetadataOffset: this.metadataOffset(), wantShutDown: true })
        .then(() => undefined, (error: Error) => this.onError(error));
      await Promise.race([ask, giveUp]);
      clearTimeout(timer);
    }
    this.currentState = 'stopped';
  }

  private schedule(delayMs: number): void {
    if (this.currentState === 'stopping' || this.currentState === 'stopped') return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      if (this.epoch < 0) await this.register();
      else await this.heartbeat();
    } catch (error) {
      this.onError(error as Error);
    } finally {
      this.beating = false;
      this.schedule(this.options.heartbeatIntervalMs);
    }
  }

  private async register(): Promise<void> {
    const answer = await this.controller.call('broker.register', {
      brokerId: this.options.brokerId,
      incarnationId: this.options.incarnationId,
      rack: this.options.rack,
      listeners: this.options.listeners,
      features: { 'metadata.version': [1, 1] },
    });
    if (answer.errorCode !== 0) throw new Error(answer.errorMessage ?? `registration failed with error ${answer.errorCode}`);
    this.epoch = answer.brokerEpoch;
    this.currentState = 'registered';
  }

  private async heartbeat(): Promise<void> {
    const answer = await this.controller.call('broker.heartbeat', {
      brokerId: this.options.brokerId,
      brokerEpoch: this.epoch,
      currentMetadataOffset: this.metadataOffset(),
      wantShutDown: false,
    });
    if (answer.errorCode !== 0) {
      // the controller forgot us (new incarnation elsewhere, expired, unknown): register again
      this.epoch = -1;
      this.currentState = 'starting';
      throw new Error(answer.errorMessage ?? `heartbeat failed with error ${answer.errorCode}`);
    }
    this.currentState = answer.isFenced ? (this.currentState === 'running' ? 'fenced' : 'registered') : 'running';
  }
}
