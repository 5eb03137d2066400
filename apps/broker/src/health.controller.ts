import { Controller, Get } from '@nestjs/common';

/** Liveness: the process is up and its HTTP server answers. */
@Controller('health')
export class HealthController {
  private readonly startedAtMs = Date.now();

  @Get()
  health(): { status: 'ok'; role: 'broker'; uptimeMs: number } {
    return { status: 'ok', role: 'broker', uptimeMs: Date.now() - this.startedAtMs };
  }
}
