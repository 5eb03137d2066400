import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ClusterIdentity } from './cluster-identity';
import { ClustersController } from './clusters.controller';

/** /v3/clusters and the cluster-id check every /v3 route makes. */
@Module({ imports: [AuthModule], controllers: [ClustersController], providers: [ClusterIdentity], exports: [ClusterIdentity] })
export class ClustersModule {}
