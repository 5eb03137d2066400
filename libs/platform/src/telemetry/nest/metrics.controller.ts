import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, Req, Res } from '@nestjs/common';
import { Telemetry } from '../telemetry';

/** GET /metrics: the Prometheus scrape endpoint, on the app's own HTTP port. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly telemetry: Telemetry) {}

  @Get()
  scrape(@Req() request: IncomingMessage, @Res() response: ServerResponse): void {
    this.telemetry.serveMetrics(request, response);
  }
}
