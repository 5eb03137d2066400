import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { BrokerRuntime } from './broker-runtime';
import { readiness } from './telemetry/readiness';

/**
 * Liveness (/health) and readiness (/health/ready: registered, caught up, unfenced) through
 * terminus; readiness answers 503 until then, with the broker's lifecycle state and the terminus
 * check details.
 */
@Controller('health')
export class HealthController {
  private readonly startedAtMs = Date.now();

  constructor(
    private readonly runtime: BrokerRuntime,
    private readonly checks: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  @Get()
  health(): { status: 'ok'; role: 'broker'; uptimeMs: number; kafka: number } {
    return { status: 'ok', role: 'broker', uptimeMs: Date.now() - this.startedAtMs, kafka: this.runtime.kafkaPort };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: { status(code: number): unknown }): Promise<{ ready: boolean; checks: HealthCheckResult['details'] } & BrokerRuntime['status']> {
    const result = await readiness(this.checks, [() => this.brokerCheck()]);
    const ready = result.status === 'ok';
    response.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    // the terminus checks go under `checks`: the top-level fields are what tools read (tributary cluster controllers)
    return { ready, ...this.runtime.status, checks: result.details };
  }

  private brokerCheck() {
    const check = this.indicators.check('broker');
    const { state, brokerEpoch, metadataOffset } = this.runtime.status;
    return this.runtime.ready ? check.up({ state, brokerEpoch, metadataOffset }) : check.down({ state, brokerEpoch, metadataOffset, reason: 'not yet registered, caught up and unfenced' });
  }
}
