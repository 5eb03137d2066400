import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ClustersModule } from '../clusters/clusters.module';
import { ConsumerGroupsController } from './consumer-groups.controller';
import { TopicConfigsController } from './topic-configs.controller';
import { TopicsController } from './topics.controller';

/** REST Proxy v3 admin: topics, partitions, configs and consumer groups with lag. */
@Module({ imports: [AuthModule, ClustersModule], controllers: [TopicsController, TopicConfigsController, ConsumerGroupsController] })
export class AdminModule {}
