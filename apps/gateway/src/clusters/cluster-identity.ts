import { Injectable, NotFoundException } from '@nestjs/common';
import { ClusterDescription } from '@tributary/client';
import { KafkaService } from '../cluster/kafka.service';

/** The cluster behind this gateway (DescribeCluster), and the 404 for any other cluster id in a path. */
@Injectable()
export class ClusterIdentity {
  /** A cluster's id never changes, so one answer is enough for the gateway's life. */
  private clusterId: string | null = null;

  constructor(private readonly kafka: KafkaService) {}

  async describe(): Promise<ClusterDescription> {
    const description = await this.kafka.admin.describeCluster();
    this.clusterId = description.clusterId;
    return description;
  }

  async id(): Promise<string> {
    return this.clusterId ?? (await this.describe()).clusterId;
  }

  /** Throws 404 unless `clusterId` is this cluster's. */
  async require(clusterId: string): Promise<void> {
    if (clusterId !== (await this.id())) throw new NotFoundException(`cluster ${clusterId} not found`);
  }
}
