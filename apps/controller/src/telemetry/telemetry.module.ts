import { DynamicModule, Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Telemetry, TelemetryOptions } from '@tributary/platform';
import { MetricsController } from './metrics.controller';

/** The app's Telemetry (meter, tracer when OTLP is configured) and terminus for injection, and GET /metrics. */
@Global()
@Module({})
export class TelemetryModule implements OnApplicationShutdown {
  constructor(private readonly telemetry: Telemetry) {}

  static forRoot(options: TelemetryOptions): DynamicModule {
    return { module: TelemetryModule, imports: [TerminusModule.forRoot({ logger: false })], controllers: [MetricsController], providers: [{ provide: Telemetry, useFactory: () => Telemetry.start(options) }], exports: [Telemetry, TerminusModule] };
  }

  /** Last spans go out before the process ends. */
  async onApplicationShutdown(): Promise<void> {
    await this.telemetry.shutdown();
  }
}
