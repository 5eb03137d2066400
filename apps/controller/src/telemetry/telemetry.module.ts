import { DynamicModule, Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { Telemetry, TelemetryOptions } from '@tributary/platform';
import { MetricsController } from './metrics.controller';

/** The app's Telemetry (meter, tracer when OTLP is configured) for injection, and GET /metrics. */
@Global()
@Module({})
export class TelemetryModule implements OnApplicationShutdown {
  constructor(private readonly telemetry: Telemetry) {}

  static forRoot(options: TelemetryOptions): DynamicModule {
    return { module: TelemetryModule, controllers: [MetricsController], providers: [{ provide: Telemetry, useFactory: () => Telemetry.start(options) }], exports: [Telemetry] };
  }

  /** Last spans go out before the process ends. */
  async onApplicationShutdown(): Promise<void> {
    await this.telemetry.shutdown();
  }
}
