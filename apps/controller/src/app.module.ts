import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Telemetry } from '@tributary/platform';
import { ControllerConfig } from './config';
import { ControlPlaneController } from './control-plane.controller';
import { ControllerRuntime } from './controller-runtime';
import { HealthController } from './health.controller';
import { TelemetryModule } from '@tributary/platform';

/** A controller node: Raft quorum member holding the cluster metadata (KRaft-style). */
@Module({})
export class AppModule implements OnApplicationShutdown {
  constructor(@Inject(ControllerRuntime) private readonly runtime: ControllerRuntime) {}

  static forRoot(config: ControllerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [TelemetryModule.forRoot({ serviceName: 'tributary-controller', serviceInstanceId: String(config.nodeId), otlpEndpoint: config.otlpEndpoint })],
      controllers: [HealthController, ControlPlaneController],
      providers: [{ provide: ControllerRuntime, inject: [Telemetry], useFactory: (telemetry: Telemetry) => ControllerRuntime.start(config, telemetry) }],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}
