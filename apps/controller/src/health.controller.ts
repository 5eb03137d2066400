import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ControllerRuntime } from './controller-runtime';
import { readiness } from './telemetry/readiness';

/**
 * Liveness (/health) and readiness (/health/ready: the quorum has a leader and this node applied
 * what it knows committed) through terminus, with the node's Raft status and the terminus check details.
 */
@Controller('health')
export class HealthController {
  private readonly startedAtMs = Date.now();

  constructor(
    private readonly runtime: ControllerRuntime,
    private readonly checks: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  @Get()
  @HttpCode(HttpStatus.OK)
  health(): { status: 'ok'; role: 'controller'; uptimeMs: number } {
    return { status: 'ok', role: 'controller', uptimeMs: Date.now() - this.startedAtMs };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: { status(code: number): unknown }): Promise<{ ready: boolean; checks: HealthCheckResult['details'] } & ControllerRuntime['status']> {
    const result = await readiness(this.checks, [() => this.quorumCheck()]);
    const ready = result.status === 'ok';
    response.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    // the terminus checks go under `checks`: the top-level fields are what tools read (tributary cluster controllers)
    return { ready, ...this.runtime.status, checks: result.details };
  }

  private quorumCheck() {
    const check = this.indicators.check('quorum');
    const { activeController, term, committedOffset, appliedOffset } = this.runtime.status;
    const details = { leader: activeController, term, committedOffset, appliedOffset };
    if (this.runtime.ready) return check.up(details);
    return check.down({ ...details, reason: activeController === null ? 'the quorum has no leader' : 'applying committed metadata' });
  }
}
