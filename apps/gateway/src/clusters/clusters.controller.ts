import { Controller, Get, HttpStatus, NotFoundException, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { BrokerInfo, ClusterDescription } from '@tributary/client';
import { ZodResponse } from 'nestjs-zod';
import { z } from 'zod';
import { Authenticated } from '../auth/authenticated.decorator';
import { ApiErrors } from '../http/api-errors.decorator';
import { RequestBaseUrl, ResourceLinks } from '../http/resource-links';
import { ClusterIdentity } from './cluster-identity';
import { BrokerDto, BrokerListDto, BrokerPathDto, brokerSchema, ClusterDto, ClusterListDto, ClusterPathDto, clusterSchema } from './cluster.schemas';

function clusterResource(links: ResourceLinks, description: ClusterDescription): z.input<typeof clusterSchema> {
  return {
    kind: 'KafkaCluster',
    metadata: links.resource(''),
    cluster_id: description.clusterId,
    controller: description.controllerId >= 0 ? links.related(`/brokers/${description.controllerId}`) : null,
    brokers: links.related('/brokers'),
    consumer_groups: links.related('/consumer-groups'),
    topics: links.related('/topics'),
  };
}

function brokerResource(links: ResourceLinks, broker: BrokerInfo): z.input<typeof brokerSchema> {
  return { kind: 'KafkaBroker', metadata: links.resource(`/brokers/${broker.nodeId}`, `/broker=${broker.nodeId}`), cluster_id: links.clusterId, broker_id: broker.nodeId, host: broker.host, port: broker.port, rack: broker.rack };
}

/** REST Proxy v3: the cluster and its brokers. */
@ApiTags('Cluster')
@Authenticated()
@Controller('v3/clusters')
export class ClustersController {
  constructor(private readonly identity: ClusterIdentity) {}

  @Get()
  @ApiOperation({ operationId: 'listClusters', summary: 'The cluster behind this gateway, as a one-item list' })
  @ApiErrors()
  @ZodResponse({ type: ClusterListDto })
  async list(@RequestBaseUrl() baseUrl: string) {
    const description = await this.identity.describe();
    const links = new ResourceLinks(baseUrl, description.clusterId);
    return { kind: 'KafkaClusterList' as const, metadata: { self: `${baseUrl}/v3/clusters`, next: null }, data: [clusterResource(links, description)] };
  }

  @Get(':cluster_id')
  @ApiOperation({ operationId: 'getCluster', summary: 'The cluster' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: ClusterDto })
  async get(@Param() { cluster_id }: ClusterPathDto, @RequestBaseUrl() baseUrl: string) {
    await this.identity.require(cluster_id);
    return clusterResource(new ResourceLinks(baseUrl, cluster_id), await this.identity.describe());
  }

  @Get(':cluster_id/brokers')
  @ApiOperation({ operationId: 'listBrokers', summary: 'The live brokers' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: BrokerListDto })
  async brokers(@Param() { cluster_id }: ClusterPathDto, @RequestBaseUrl() baseUrl: string) {
    await this.identity.require(cluster_id);
    const links = new ResourceLinks(baseUrl, cluster_id);
    const { brokers } = await this.identity.describe();
    return { kind: 'KafkaBrokerList' as const, metadata: links.collection('/brokers'), data: brokers.map((broker) => brokerResource(links, broker)) };
  }

  @Get(':cluster_id/brokers/:broker_id')
  @ApiOperation({ operationId: 'getBroker', summary: 'One broker' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: BrokerDto })
  async broker(@Param() { cluster_id, broker_id }: BrokerPathDto, @RequestBaseUrl() baseUrl: string) {
    await this.identity.require(cluster_id);
    const broker = (await this.identity.describe()).brokers.find((b) => b.nodeId === broker_id);
    if (!broker) throw new NotFoundException(`broker ${broker_id} not found`);
    return brokerResource(new ResourceLinks(baseUrl, cluster_id), broker);
  }
}
