import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';

/** REST + WebSocket + OpenAPI gateway. */
@Module({ controllers: [HealthController] })
export class AppModule {}
