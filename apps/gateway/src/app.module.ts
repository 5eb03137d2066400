import * as os from 'node:os';
import { DynamicModule, Module } from '@nestjs/common';
import { Telemetry, TelemetryModule } from '@tributary/platform';
import { AdminModule } from './admin/admin.module';
import { ClusterModule } from './cluster/cluster.module';
import { ClustersModule } from './clusters/clusters.module';
import { ConsoleModule } from './console/console.module';
import { ConsumeModule } from './consume/consume.module';
import { ConsumersModule } from './consumers/consumers.module';
import { GatewayConfig } from './config';
import { HealthController } from './health.controller';
import { RecordsModule } from './records/records.module';
import { GatewayMetrics } from './telemetry/gateway-metrics';
import { GatewayMetricsController } from './telemetry/metrics.controller';
import { WsModule } from './ws/ws.module';

/** REST + WebSocket + OpenAPI gateway. Feature modules join `imports` here. */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return { module: AppModule, imports: [TelemetryModule.forRoot(
          { serviceName: 'tributary-gateway', serviceInstanceId: `${os.hostname()}:${process.pid}`, otlpEndpoint: config.otlpEndpoint },
          { providers: [{ provide: GatewayMetrics, inject: [Telemetry], useFactory: (telemetry: Telemetry) => new GatewayMetrics(telemetry.meter) }], metricsController: GatewayMetricsController },
        ), ClusterModule.forRoot(config), WsModule, ClustersModule, RecordsModule, ConsumeModule, ConsumersModule, AdminModule, ConsoleModule], controllers: [HealthController] };
  }
}
