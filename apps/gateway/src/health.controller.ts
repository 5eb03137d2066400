import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { KafkaService } from './cluster/kafka.service';
import { readiness } from './telemetry/readiness';

/** How long readiness waits for a broker to answer Metadata. */
const BROKER_CHECK_TIMEOUT_MS = 2_000;

/**
 * Liveness (/health: the process is up and its HTTP server answers) and readiness (/health/ready:
 * a broker answers a Metadata request within BROKER_CHECK_TIMEOUT_MS) through terminus.
 */
@Controller('health')
export class HealthController {
  private readonly startedAtMs = Date.now();

  constructor(
    private readonly kafka: KafkaService,
    private readonly checks: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  @Get()
  health(): { status: 'ok'; role: 'gateway'; uptimeMs: number } {
    return { status: 'ok', role: 'gateway', uptimeMs: Date.now() - this.startedAtMs };
  }

  // not part of the REST API the SDK is generated from: an operator's endpoint, like /metrics
  @ApiExcludeEndpoint()
  @Get('ready')
  async ready(@Res({ passthrough: true }) response: { status(code: number): unknown }): Promise<HealthCheckResult> {
    const result = await readiness(this.checks, [() => this.brokerCheck()]);
    response.status(result.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return result;
  }

  private async brokerCheck() {
    const check = this.indicators.check('kafka');
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no broker answered within ${BROKER_CHECK_TIMEOUT_MS} ms`)), BROKER_CHECK_TIMEOUT_MS)));
      await Promise.race([this.kafka.cluster.connect(), timeout]);
      return check.up({ brokers: this.kafka.cluster.brokerList().length });
    } catch (error) {
      return check.down({ reason: error instanceof Error ? error.message : String(error) });
    } finally {
      clearTimeout(timer);
    }
  }
}
