import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ClustersModule } from '../clusters/clusters.module';
import { RecordProducer } from './record-producer';
import { RecordsController } from './records.controller';

/** Produce over REST (REST Proxy v3 records API). */
@Module({ imports: [AuthModule, ClustersModule], controllers: [RecordsController], providers: [RecordProducer] })
export class RecordsModule {}
