import { DynamicModule, Module } from '@nestjs/common';
import { ClusterModule } from './cluster/cluster.module';
import { GatewayConfig } from './config';
import { HealthController } from './health.controller';

/** REST + WebSocket + OpenAPI gateway. Feature modules join `imports` here. */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return { module: AppModule, imports: [ClusterModule.forRoot(config)], controllers: [HealthController] };
  }
}
