import { ConsoleLogger, DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { BrokerRuntime } from './broker-runtime';
import { BrokerConfig } from './config';
import { HealthController } from './health.controller';

/** A broker node: Kafka listener and data plane. */
@Module({})
export class AppModule implements OnApplicationShutdown {
  constructor(@Inject(BrokerRuntime) private readonly runtime: BrokerRuntime) {}

  static forRoot(config: BrokerConfig, logger: ConsoleLogger): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController],
      providers: [{ provide: BrokerRuntime, useFactory: () => BrokerRuntime.start(config, { log: (m) => logger.log(m, 'Broker'), warn: (m) => logger.warn(m, 'Broker') }) }],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}
