import { Controller, Get, HttpStatus, NotFoundException, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { decodeAssignment, GroupDescription, GroupMember, PartitionLag } from '@tributary/client';
import { ZodResponse } from 'nestjs-zod';
import { z } from 'zod';
import { Authenticated, CurrentPrincipal } from '../auth/authenticated.decorator';
import { Principal } from '../auth/principal';
import { TopicAuthorizer } from '../auth/topic-authorizer';
import { KafkaService } from '../cluster/kafka.service';
import { ClusterIdentity } from '../clusters/cluster-identity';
import { ClusterPathDto } from '../clusters/cluster.schemas';
import { ApiErrors } from '../http/api-errors.decorator';
import { RequestBaseUrl, ResourceLinks } from '../http/resource-links';
import {
  ConsumerAssignmentListDto,
  ConsumerGroupDto,
  ConsumerGroupListDto,
  consumerGroupSchema,
  ConsumerLagListDto,
  consumerLagSchema,
  ConsumerListDto,
  GroupConsumerPathDto,
  GroupPathDto,
  LagSummaryDto,
} from './consumer-group.schemas';

const groupPath = (groupId: string) => `/consumer-groups/${encodeURIComponent(groupId)}`;

function groupResource(links: ResourceLinks, group: GroupDescription): z.input<typeof consumerGroupSchema> {
  const path = groupPath(group.groupId);
  return {
    kind: 'KafkaConsumerGroup',
    metadata: links.resource(path, `/consumer-group=${group.groupId}`),
    cluster_id: links.clusterId,
    consumer_group_id: group.groupId,
    is_simple: group.protocolType === '',
    partition_assignor: group.protocol,
    state: group.state,
    consumers: links.related(`${path}/consumers`),
    lag_summary: links.related(`${path}/lag-summary`),
  };
}

/** Each assigned topic-partition's member ("topic\0partition" -> member), from the members' assignments. */
function ownersByPartition(group: GroupDescription): Map<string, GroupMember> {
  const owners = new Map<string, GroupMember>();
  if (group.protocolType !== 'consumer') return owners;
  for (const member of group.members) {
    for (const [topic, partitions] of decodeAssignment(member.assignment)) for (const partition of partitions) owners.set(`${topic}\u0000${partition}`, member);
  }
  return owners;
}

/** REST Proxy v3: consumer groups, their members and assignments, and lag per partition. */
@ApiTags('Consumer groups')
@Authenticated()
@Controller('v3/clusters/:cluster_id/consumer-groups')
export class ConsumerGroupsController {
  constructor(
    private readonly identity: ClusterIdentity,
    private readonly authorizer: TopicAuthorizer,
    private readonly kafka: KafkaService,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listConsumerGroups', summary: 'Every consumer group' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: ConsumerGroupListDto })
  async list(@Param() { cluster_id }: ClusterPathDto, @RequestBaseUrl() baseUrl: string) {
    await this.identity.require(cluster_id);
    const links = new ResourceLinks(baseUrl, cluster_id);
    const groups = await Promise.all((await this.kafka.admin.listGroups()).map((listing) => this.kafka.admin.describeGroup(listing.groupId)));
    return { kind: 'KafkaConsumerGroupList' as const, metadata: links.collection('/consumer-groups'), data: groups.map((group) => groupResource(links, group)) };
  }

  @Get(':consumer_group_id')
  @ApiOperation({ operationId: 'getConsumerGroup', summary: 'A consumer group' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: ConsumerGroupDto })
  async get(@Param() { cluster_id, consumer_group_id }: GroupPathDto, @RequestBaseUrl() baseUrl: string) {
    return groupResource(new ResourceLinks(baseUrl, cluster_id), await this.describe(cluster_id, consumer_group_id));
  }

  @Get(':consumer_group_id/consumers')
  @ApiOperation({ operationId: 'listGroupConsumers', summary: "A group's members" })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: ConsumerListDto })
  async consumers(@Param() { cluster_id, consumer_group_id }: GroupPathDto, @RequestBaseUrl() baseUrl: string) {
    const links = new ResourceLinks(baseUrl, cluster_id);
    const group = await this.describe(cluster_id, consumer_group_id);
    const path = `${groupPath(consumer_group_id)}/consumers`;
    return {
      kind: 'KafkaConsumerList' as const,
      metadata: links.collection(path),
      data: group.members.map((member) => ({
        kind: 'KafkaConsumer' as const,
        metadata: links.resource(`${path}/${encodeURIComponent(member.memberId)}`, `/consumer-group=${consumer_group_id}/consumer=${member.memberId}`),
        cluster_id,
        consumer_group_id,
        consumer_id: member.memberId,
        instance_id: member.groupInstanceId,
        client_id: member.clientId,
        host: member.clientHost,
        assignments: links.related(`${path}/${encodeURIComponent(member.memberId)}/assignments`),
      })),
    };
  }

  @Get(':consumer_group_id/consumers/:consumer_id/assignments')
  @ApiOperation({ operationId: 'listConsumerAssignments', summary: "A member's assigned partitions" })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: ConsumerAssignmentListDto })
  async assignments(@Param() { cluster_id, consumer_group_id, consumer_id }: GroupConsumerPathDto, @RequestBaseUrl() baseUrl: string) {
    const links = new ResourceLinks(baseUrl, cluster_id);
    const group = await this.describe(cluster_id, consumer_group_id);
    const member = group.members.find((m) => m.memberId === consumer_id);
    if (!member) throw new NotFoundException(`group ${consumer_group_id} has no consumer ${consumer_id}`);
    const path = `${groupPath(consumer_group_id)}/consumers/${encodeURIComponent(consumer_id)}/assignments`;
    const assigned = group.protocolType === 'consumer' ? [...decodeAssignment(member.assignment)].flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition }))) : [];
    return {
      kind: 'KafkaConsumerAssignmentList' as const,
      metadata: links.collection(path),
      data: assigned.map(({ topic, partition }) => ({
        kind: 'KafkaConsumerAssignment' as const,
        metadata: links.resource(`${path}/${encodeURIComponent(topic)}/partitions/${partition}`, `/consumer-group=${consumer_group_id}/consumer=${consumer_id}/assignment=${topic}-${partition}`),
        cluster_id,
        consumer_group_id,
        consumer_id,
        topic_name: topic,
        partition_id: partition,
        partition: links.related(`/topics/${encodeURIComponent(topic)}/partitions/${partition}`),
      })),
    };
  }

  @Get(':consumer_group_id/lags')
  @ApiOperation({ operationId: 'listConsumerLags', summary: 'Lag of each partition the group has committed for', description: 'Only topics the principal may read.' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: ConsumerLagListDto })
  async lags(@Param() { cluster_id, consumer_group_id }: GroupPathDto, @CurrentPrincipal() principal: Principal, @RequestBaseUrl() baseUrl: string) {
    const links = new ResourceLinks(baseUrl, cluster_id);
    return { kind: 'KafkaConsumerLagList' as const, metadata: links.collection(`${groupPath(consumer_group_id)}/lags`), data: await this.lagResources(links, consumer_group_id, principal) };
  }

  @Get(':consumer_group_id/lag-summary')
  @ApiOperation({ operationId: 'getConsumerLagSummary', summary: "The group's largest partition lag and its total lag" })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: LagSummaryDto })
  async lagSummary(@Param() { cluster_id, consumer_group_id }: GroupPathDto, @CurrentPrincipal() principal: Principal, @RequestBaseUrl() baseUrl: string) {
    const links = new ResourceLinks(baseUrl, cluster_id);
    const lags = await this.lagResources(links, consumer_group_id, principal);
    const max = lags.reduce<(typeof lags)[number] | null>((top, lag) => ((lag.lag ?? -1) > (top?.lag ?? -1) ? lag : top), null);
    return {
      kind: 'KafkaConsumerGroupLagSummary' as const,
      metadata: links.resource(`${groupPath(consumer_group_id)}/lag-summary`, `/consumer-group=${consumer_group_id}/lag-summary`),
      cluster_id,
      consumer_group_id,
      max_lag_consumer_id: max?.consumer_id ?? '',
      max_lag_instance_id: max?.instance_id ?? null,
      max_lag_client_id: max?.client_id ?? '',
      max_lag_topic_name: max?.topic_name ?? '',
      max_lag_partition_id: max?.partition_id ?? -1,
      max_lag: max?.lag ?? 0,
      total_lag: lags.reduce((total, lag) => total + (lag.lag ?? 0), 0),
    };
  }

  /** The group, 404 when the coordinator does not know it (Kafka describes unknown groups as Dead). */
  private async describe(clusterId: string, groupId: string): Promise<GroupDescription> {
    await this.identity.require(clusterId);
    const group = await this.kafka.admin.describeGroup(groupId);
    if (group.state === 'Dead') throw new NotFoundException(`consumer group ${groupId} not found`);
    return group;
  }

  private async lagResources(links: ResourceLinks, groupId: string, principal: Principal): Promise<z.input<typeof consumerLagSchema>[]> {
    const group = await this.describe(links.clusterId, groupId);
    const [lags, owners] = [await this.kafka.admin.groupLag(groupId), ownersByPartition(group)];
    return lags
      .filter((lag: PartitionLag) => this.authorizer.mayUseTopic(principal, 'read', lag.topic))
      .map((lag) => {
        const owner = owners.get(`${lag.topic}\u0000${lag.partition}`);
        return {
          kind: 'KafkaConsumerLag' as const,
          metadata: links.resource(`${groupPath(groupId)}/lags/${encodeURIComponent(lag.topic)}/partitions/${lag.partition}`, `/consumer-group=${groupId}/lag=${lag.topic}/partition=${lag.partition}`),
          cluster_id: links.clusterId,
          consumer_group_id: groupId,
          topic_name: lag.topic,
          partition_id: lag.partition,
          current_offset: lag.committed,
          log_end_offset: lag.logEnd,
          lag: lag.lag,
          consumer_id: owner?.memberId ?? '',
          instance_id: owner?.groupInstanceId ?? null,
          client_id: owner?.clientId ?? '',
        };
      });
  }
}
