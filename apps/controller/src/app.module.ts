import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ControllerConfig } from './config';
import { ControlPlaneController } from './control-plane.controller';
import { ControllerRuntime } from './controller-runtime';
import { HealthController } from './health.controller';

/** A controller node: Raft quorum member holding the cluster metadata (KRaft-style). */
@Module({})
export class AppModule implements OnApplicationShutdown {
  constructor(@Inject(ControllerRuntime) private readonly runtime: ControllerRuntime) {}

  static forRoot(config: ControllerConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController, ControlPlaneController],
      providers: [{ provide: ControllerRuntime, useFactory: () => ControllerRuntime.start(config) }],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}
