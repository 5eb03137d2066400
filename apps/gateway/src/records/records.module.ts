import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ClustersModule } from '../clusters/clusters.module';
import { RecordProducer } from './record-producer';
import { RecordsController } from './records.controller';
import { SingleRecordRoute } from './single-record-route';
import { TopicProduce } from './topic-produce';

/** Produce over REST (REST Proxy v3 records API); SingleRecordRoute is installed ahead of express by configureHttp. */
@Module({ imports: [AuthModule, ClustersModule], controllers: [RecordsController], providers: [RecordProducer, TopicProduce, SingleRecordRoute] })
export class RecordsModule {}
