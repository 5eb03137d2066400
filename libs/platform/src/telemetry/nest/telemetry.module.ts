import { DynamicModule, Global, Module, OnApplicationShutdown, Provider, Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Telemetry, TelemetryOptions } from '../telemetry';
import { MetricsController } from './metrics.controller';

export interface TelemetryModuleExtras {
  /** The app's own metric holders, built on Telemetry and exported with it. */
  providers?: Exclude<Provider, Type<unknown>>[];
  /** Serves GET /metrics; default MetricsController (the gateway's subclass keeps it out of its OpenAPI document). */
  metricsController?: Type<unknown>;
}

/** The app's Telemetry (meter, tracer when OTLP is configured) and terminus for injection, and GET /metrics. */
@Global()
@Module({})
export class TelemetryModule implements OnApplicationShutdown {
  constructor(private readonly telemetry: Telemetry) {}

  static forRoot(options: TelemetryOptions, extras: TelemetryModuleExtras = {}): DynamicModule {
    const providers = extras.providers ?? [];
    return {
      module: TelemetryModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [extras.metricsController ?? MetricsController],
      providers: [{ provide: Telemetry, useFactory: () => Telemetry.start(options) }, ...providers],
      exports: [Telemetry, TerminusModule, ...providers.map((provider) => provider.provide)],
    };
  }

  /** Last spans go out before the process ends. */
  async onApplicationShutdown(): Promise<void> {
    await this.telemetry.shutdown();
  }
}
