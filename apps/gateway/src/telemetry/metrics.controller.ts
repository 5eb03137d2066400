import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { MetricsController } from '@tributary/platform';

/** GET /metrics, kept out of the REST API's OpenAPI document (and so out of the generated SDK). */
@ApiExcludeController()
@Controller('metrics')
export class GatewayMetricsController extends MetricsController {}
