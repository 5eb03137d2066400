import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { ControllerRuntime } from './controller-runtime';

/** Liveness (/health) and readiness (/health/ready: the quorum is known and state applied). */
@Controller('health')
export class HealthController {
  private readonly startedAtMs = Date.now();

  constructor(private readonly runtime: ControllerRuntime) {}

  @Get()
  @HttpCode(HttpStatus.OK)
  health(): { status: 'ok'; role: 'controller'; uptimeMs: number } {
    return { status: 'ok', role: 'controller', uptimeMs: Date.now() - this.startedAtMs };
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) response: { status(code: number): unknown }): { ready: boolean } & ControllerRuntime['status'] {
    const ready = this.runtime.ready;
    response.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { ready, ...this.runtime.status };
  }
}
