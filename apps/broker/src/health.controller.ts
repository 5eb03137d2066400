import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { BrokerRuntime } from './broker-runtime';

/** Liveness (/health) and readiness (/health/ready: registered, caught up, unfenced). */
@Controller('health')
export class HealthController {
  private readonly startedAtMs = Date.now();

  constructor(private readonly runtime: BrokerRuntime) {}

  @Get()
  health(): { status: 'ok'; role: 'broker'; uptimeMs: number; kafka: number } {
    return { status: 'ok', role: 'broker', uptimeMs: Date.now() - this.startedAtMs, kafka: this.runtime.kafkaPort };
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) response: { status(code: number): unknown }): { ready: boolean } & BrokerRuntime['status'] {
    const ready = this.runtime.ready;
    response.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { ready, ...this.runtime.status };
  }
}
