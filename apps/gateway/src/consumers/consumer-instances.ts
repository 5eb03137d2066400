import { ConflictException, HttpException, HttpStatus, Inject, Injectable, NotFoundException, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Principal } from '../auth/principal';
import { GATEWAY_CONFIG, KafkaService } from '../cluster/kafka.service';
import { GatewayConfig } from '../config';
import { ConsumerInstance, InstanceOptions } from './consumer-instance';

/** How often idle instances are looked for, at most. */
const MAX_SWEEP_INTERVAL_MS = 5_000;

/**
 * The gateway's consumer instances: at most maxConsumerInstances at once, and each one not used
 * for consumerInstanceIdleTimeoutMs leaves its group and is forgotten. An instance is visible
 * only to the principal that created it.
 */
@Injectable()
export class ConsumerInstances implements OnModuleInit, OnApplicationShutdown {
  private readonly instances = new Map<string, ConsumerInstance>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly kafka: KafkaService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onModuleInit(): void {
    const intervalMs = Math.min(MAX_SWEEP_INTERVAL_MS, Math.max(100, this.config.consumerInstanceIdleTimeoutMs / 4));
    this.sweeper = setInterval(() => void this.expireIdle(), intervalMs);
    this.sweeper.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.all([...this.instances.values()].map((instance) => instance.close()));
    this.instances.clear();
  }

  create(options: Omit<InstanceOptions, 'instanceId'> & { instanceId?: string }): ConsumerInstance {
    if (this.instances.size >= this.config.maxConsumerInstances) {
      throw new HttpException(`the gateway already has ${this.config.maxConsumerInstances} consumer instances; delete one or wait for idle ones to expire`, HttpStatus.TOO_MANY_REQUESTS);
    }
    const instanceId = options.instanceId ?? randomUUID();
    const key = this.key(options.groupId, instanceId);
    if (this.instances.has(key)) throw new ConflictException(`consumer instance ${instanceId} already exists in group ${options.groupId}`);
    const instance = new ConsumerInstance({ ...options, instanceId }, this.kafka);
    this.instances.set(key, instance);
    return instance;
  }

  /** The instance, marked as used; 404 when it does not exist, has expired, or belongs to another principal. */
  get(groupId: string, instanceId: string, principal: Principal): ConsumerInstance {
    const instance = this.instances.get(this.key(groupId, instanceId));
    if (!instance || instance.options.owner.name !== principal.name) throw new NotFoundException(`consumer instance ${instanceId} not found in group ${groupId}`);
    instance.touch();
    return instance;
  }

  async delete(groupId: string, instanceId: string, principal: Principal): Promise<void> {
    const instance = this.get(groupId, instanceId, principal);
    this.instances.delete(this.key(groupId, instanceId));
    await instance.close();
  }

  private async expireIdle(): Promise<void> {
    const idleSince = Date.now() - this.config.consumerInstanceIdleTimeoutMs;
    const expired = [...this.instances].filter(([, instance]) => instance.lastUsedMs < idleSince && !instance.polling);
    for (const [key] of expired) this.instances.delete(key);
    await Promise.all(expired.map(([, instance]) => instance.close()));
  }

  private key(groupId: string, instanceId: string): string {
    return `${groupId}\u0000${instanceId}`;
  }
}
