import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';

/** Raft quorum holding the cluster metadata (KRaft-style). */
@Module({ controllers: [HealthController] })
export class AppModule {}
