import { DynamicModule, Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Telemetry, TelemetryOptions } from '@tributary/platform';
import { GatewayMetrics } from './gateway-metrics';
import { MetricsController } from './metrics.controller';

/** The app's Telemetry (meter, tracer when OTLP is configured), GatewayMetrics and terminus for injection, and GET /metrics. */
@Global()
@Module({})
export class TelemetryModule implements OnApplicationShutdown {
  constructor(private readonly telemetry: Telemetry) {}

  static forRoot(options: TelemetryOptions): DynamicModule {
    return {
      module: TelemetryModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [MetricsController],
      providers: [
        { provide: Telemetry, useFactory: () => Telemetry.start(options) },
        { provide: GatewayMetrics, inject: [Telemetry], useFactory: (telemetry: Telemetry) => new GatewayMetrics(telemetry.meter) },
      ],
      exports: [Telemetry, GatewayMetrics, TerminusModule],
    };
  }

  /** Last spans go out before the process ends. */
  async onApplicationShutdown(): Promise<void> {
    await this.telemetry.shutdown();
  }
}
