import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';

/** Kafka wire-protocol listener and data plane. */
@Module({ controllers: [HealthController] })
export class AppModule {}
