import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Admin, ClusterClient, Consumer, ConsumerOptions, Producer } from '@tributary/client';
import { GatewayConfig } from '../config';

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/**
 * The gateway's way into the cluster, through the native client: one shared producer and admin
 * on one pooled ClusterClient, and consumers on connections of their own (a long-polling Fetch
 * would otherwise hold up produce responses on the shared connection, which answers in order).
 */
@Injectable()
export class KafkaService implements OnApplicationShutdown {
  readonly cluster: ClusterClient;
  readonly producer: Producer;
  readonly admin: Admin;
  private readonly consumers = new Set<{ consumer: Consumer; cluster: ClusterClient }>();

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.cluster = this.createClusterClient('tributary-gateway');
    // linger 0: a REST or WebSocket produce is sent on the next turn of the event loop, batched with
    // whatever else arrived meanwhile and with what waits behind requests in flight; a 5 ms linger
    // was half of a single REST produce's latency
    this.producer = new Producer(this.cluster, { lingerMs: 0 });
    this.admin = new Admin(this.cluster);
  }

  /** A consumer with its own connections; close it with closeConsumer(). */
  createConsumer(options: ConsumerOptions = {}): Consumer {
    const cluster = this.createClusterClient('tributary-gateway-consumer');
    const consumer = new Consumer(cluster, options);
    this.consumers.add({ consumer, cluster });
    return consumer;
  }

  async closeConsumer(consumer: Consumer): Promise<void> {
    for (const entry of this.consumers) {
      if (entry.consumer !== consumer) continue;
      this.consumers.delete(entry);
      await consumer.stop().catch(() => undefined);
      await entry.cluster.close();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.consumers].map((entry) => this.closeConsumer(entry.consumer)));
    await this.producer.close().catch(() => undefined);
    await this.cluster.close();
  }

  /** Connections of their own to the cluster, for a reader whose long polls must not delay the rest; the caller closes it. */
  createClusterClient(clientId: string): ClusterClient {
    return new ClusterClient({ brokers: this.config.brokers.map((b) => `${b.host}:${b.port}`), clientId });
  }
}
