import { Body, Controller, Delete, Get, HttpCode, HttpStatus, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { TopicDescription } from '@tributary/client';
import { ZodResponse } from 'nestjs-zod';
import { Authenticated, CurrentPrincipal } from '../auth/authenticated.decorator';
import { Principal } from '../auth/principal';
import { TopicAuthorizer } from '../auth/topic-authorizer';
import { KafkaService } from '../cluster/kafka.service';
import { ClusterIdentity } from '../clusters/cluster-identity';
import { ClusterPathDto } from '../clusters/cluster.schemas';
import { ApiErrors } from '../http/api-errors.decorator';
import { RequestBaseUrl, ResourceLinks } from '../http/resource-links';
import { partitionResource, replicaResources, topicResource } from './topic-resources';
import { CreateTopicDto, PartitionDto, PartitionListDto, ReplicaListDto, TopicDto, TopicListDto, TopicPartitionPathDto, TopicPathDto } from './topic.schemas';

/** REST Proxy v3: topics, their partitions and replicas. */
@ApiTags('Topics')
@Authenticated()
@Controller('v3/clusters/:cluster_id/topics')
export class TopicsController {
  constructor(
    private readonly identity: ClusterIdentity,
    private readonly authorizer: TopicAuthorizer,
    private readonly kafka: KafkaService,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listTopics', summary: 'Every topic, internal ones included' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: TopicListDto })
  async list(@Param() { cluster_id }: ClusterPathDto, @RequestBaseUrl() baseUrl: string) {
    await this.identity.require(cluster_id);
    const links = new ResourceLinks(baseUrl, cluster_id);
    const names = await this.kafka.admin.listTopics({ includeInternal: true });
    const topics = names.length > 0 ? await this.kafka.admin.describeTopics(names) : [];
    return { kind: 'KafkaTopicList' as const, metadata: links.collection('/topics'), data: topics.map((topic) => topicResource(links, topic)) };
  }

  @Post()
  @ApiOperation({ operationId: 'createTopic', summary: 'Create a topic', description: 'Answers once every partition has a leader.' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  @ZodResponse({ status: HttpStatus.CREATED, type: TopicDto })
  async create(@Param() { cluster_id }: ClusterPathDto, @Body() body: CreateTopicDto, @CurrentPrincipal() principal: Principal, @RequestBaseUrl() baseUrl: string) {
    await this.identity.require(cluster_id);
    this.authorizer.requireAdmin(principal, `create topic ${body.topic_name}`);
    const configs = Object.fromEntries((body.configs ?? []).map((c) => [c.name, c.value]));
    const [created] = await this.kafka.admin.createTopics([{ name: body.topic_name, partitions: body.partitions_count, replicationFactor: body.replication_factor, configs }], { validateOnly: body.validate_only });
    const description: TopicDescription = body.validate_only
      ? { name: created.name, topicId: created.topicId, internal: false, partitions: Array.from({ length: created.partitions }, (_, partition) => ({ partition, leader: -1, leaderEpoch: -1, replicas: new Array<number>(created.replicationFactor).fill(-1), isr: [], offlineReplicas: [] })) }
      : await this.describe(created.name);
    return topicResource(new ResourceLinks(baseUrl, cluster_id), description);
  }

  @Get(':topic_name')
  @ApiOperation({ operationId: 'getTopic', summary: 'A topic' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: TopicDto })
  async get(@Param() { cluster_id, topic_name }: TopicPathDto, @RequestBaseUrl() baseUrl: string) {
    await this.identity.require(cluster_id);
    return topicResource(new ResourceLinks(baseUrl, cluster_id), await this.describe(topic_name));
  }

  @Delete(':topic_name')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'deleteTopic', summary: 'Delete a topic and its records' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  async delete(@Param() { cluster_id, topic_name }: TopicPathDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.identity.require(cluster_id);
    this.authorizer.requireAdmin(principal, `delete topic ${topic_name}`);
    await this.kafka.admin.deleteTopics([topic_name]);
  }

  @Get(':topic_name/partitions')
  @ApiOperation({ operationId: 'listPartitions', summary: "A topic's partitions" })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: PartitionListDto })
  async partitions(@Param() { cluster_id, topic_name }: TopicPathDto, @RequestBaseUrl() baseUrl: string) {
    await this.identity.require(cluster_id);
    const links = new ResourceLinks(baseUrl, cluster_id);
    const topic = await this.describe(topic_name);
    return { kind: 'KafkaPartitionList' as const, metadata: links.collection(`/topics/${encodeURIComponent(topic_name)}/partitions`), data: topic.partitions.map((p) => partitionResource(links, topic_name, p)) };
  }

  @Get(':topic_name/partitions/:partition_id')
  @ApiOperation({ operationId: 'getPartition', summary: 'A partition' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: PartitionDto })
  async partition(@Param() { cluster_id, topic_name, partition_id }: TopicPartitionPathDto, @RequestBaseUrl() baseUrl: string) {
    await this.identity.require(cluster_id);
    return partitionResource(new ResourceLinks(baseUrl, cluster_id), topic_name, await this.describePartition(topic_name, partition_id));
  }

  @Get(':topic_name/partitions/:partition_id/replicas')
  @ApiOperation({ operationId: 'listReplicas', summary: "A partition's replicas, with leader and in-sync flags" })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: ReplicaListDto })
  async replicas(@Param() { cluster_id, topic_name, partition_id }: TopicPartitionPathDto, @RequestBaseUrl() baseUrl: string) {
    await this.identity.require(cluster_id);
    const links = new ResourceLinks(baseUrl, cluster_id);
    const partition = await this.describePartition(topic_name, partition_id);
    return { kind: 'KafkaReplicaList' as const, metadata: links.collection(`/topics/${encodeURIComponent(topic_name)}/partitions/${partition_id}/replicas`), data: replicaResources(links, topic_name, partition) };
  }

  private async describe(topic: string): Promise<TopicDescription> {
    const [description] = await this.kafka.admin.describeTopics([topic]);
    return description;
  }

  private async describePartition(topic: string, partitionId: number): Promise<TopicDescription['partitions'][number]> {
    const partition = (await this.describe(topic)).partitions.find((p) => p.partition === partitionId);
    if (!partition) throw new NotFoundException(`topic ${topic} has no partition ${partitionId}`);
    return partition;
  }
}
