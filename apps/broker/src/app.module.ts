import { ConsoleLogger, DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Telemetry } from '@tributary/platform';
import { BrokerRuntime } from './broker-runtime';
import { BrokerConfig } from './config';
import { HealthController } from './health.controller';
import { TelemetryModule } from '@tributary/platform';

/** A broker node: Kafka listener and data plane. */
@Module({})
export class AppModule implements OnApplicationShutdown {
  constructor(@Inject(BrokerRuntime) private readonly runtime: BrokerRuntime) {}

  static forRoot(config: BrokerConfig, logger: ConsoleLogger): DynamicModule {
    return {
      module: AppModule,
      imports: [TelemetryModule.forRoot({ serviceName: 'tributary-broker', serviceInstanceId: String(config.nodeId), otlpEndpoint: config.otlpEndpoint })],
      controllers: [HealthController],
      providers: [
        {
          provide: BrokerRuntime,
          inject: [Telemetry],
          useFactory: (telemetry: Telemetry) => BrokerRuntime.start(config, { log: (m) => logger.log(m, 'Broker'), warn: (m) => logger.warn(m, 'Broker') }, telemetry),
        },
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}
