import { Body, Controller, Delete, Get, HttpCode, HttpStatus, NotFoundException, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ConfigEntry } from '@tributary/client';
import { ZodResponse } from 'nestjs-zod';
import { z } from 'zod';
import { Authenticated, CurrentPrincipal } from '../auth/authenticated.decorator';
import { Principal } from '../auth/principal';
import { TopicAuthorizer } from '../auth/topic-authorizer';
import { KafkaService } from '../cluster/kafka.service';
import { ClusterIdentity } from '../clusters/cluster-identity';
import { ApiErrors } from '../http/api-errors.decorator';
import { RequestBaseUrl, ResourceLinks } from '../http/resource-links';
import { AlterConfigsDto, TopicConfigDto, TopicConfigListDto, TopicConfigPathDto, topicConfigSchema, UpdateConfigDto } from './topic-config.schemas';
import { TopicPathDto } from './topic.schemas';

function configResource(links: ResourceLinks, topic: string, name: string, entry: ConfigEntry): z.input<typeof topicConfigSchema> {
  return {
    kind: 'KafkaTopicConfig',
    metadata: links.resource(`/topics/${encodeURIComponent(topic)}/configs/${encodeURIComponent(name)}`, `/topic=${topic}/config=${name}`),
    cluster_id: links.clusterId,
    topic_name: topic,
    name,
    value: entry.value,
    is_default: entry.isDefault,
    is_read_only: entry.readOnly,
    is_sensitive: entry.sensitive,
    source: entry.source,
  };
}

/** REST Proxy v3: a topic's configs. */
@ApiTags('Topics')
@Authenticated()
@Controller('v3/clusters/:cluster_id/topics/:topic_name')
export class TopicConfigsController {
  constructor(
    private readonly identity: ClusterIdentity,
    private readonly authorizer: TopicAuthorizer,
    private readonly kafka: KafkaService,
  ) {}

  @Get('configs')
  @ApiOperation({ operationId: 'listTopicConfigs', summary: "A topic's configs, with their values and where they come from" })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: TopicConfigListDto })
  async list(@Param() { cluster_id, topic_name }: TopicPathDto, @RequestBaseUrl() baseUrl: string) {
    await this.identity.require(cluster_id);
    const links = new ResourceLinks(baseUrl, cluster_id);
    const configs = await this.kafka.admin.describeConfigs(topic_name);
    return {
      kind: 'KafkaTopicConfigList' as const,
      metadata: links.collection(`/topics/${encodeURIComponent(topic_name)}/configs`),
      data: Object.entries(configs)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, entry]) => configResource(links, topic_name, name, entry)),
    };
  }

  @Get('configs/:name')
  @ApiOperation({ operationId: 'getTopicConfig', summary: 'One config of a topic' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: TopicConfigDto })
  async get(@Param() { cluster_id, topic_name, name }: TopicConfigPathDto, @RequestBaseUrl() baseUrl: string) {
    await this.identity.require(cluster_id);
    const entry = (await this.kafka.admin.describeConfigs(topic_name, [name]))[name];
    if (!entry) throw new NotFoundException(`topic ${topic_name} has no config ${name}`);
    return configResource(new ResourceLinks(baseUrl, cluster_id), topic_name, name, entry);
  }

  @Put('configs/:name')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'updateTopicConfig', summary: 'Set one config of a topic' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  async update(@Param() { cluster_id, topic_name, name }: TopicConfigPathDto, @Body() { value }: UpdateConfigDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.alter(cluster_id, topic_name, principal, { [name]: value });
  }

  @Delete('configs/:name')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'resetTopicConfig', summary: 'Reset one config of a topic to its default' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  async reset(@Param() { cluster_id, topic_name, name }: TopicConfigPathDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.alter(cluster_id, topic_name, principal, { [name]: null });
  }

  @Post('configs\\:alter')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'alterTopicConfigs', summary: 'Set and reset several configs of a topic at once' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  async alterBatch(@Param() { cluster_id, topic_name }: TopicPathDto, @Body() body: AlterConfigsDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    const changes = Object.fromEntries(body.data.map((entry) => [entry.name, entry.operation === 'DELETE' ? null : (entry.value ?? null)]));
    await this.alter(cluster_id, topic_name, principal, changes, body.validate_only);
  }

  private async alter(clusterId: string, topic: string, principal: Principal, changes: Record<string, string | null>, validateOnly = false): Promise<void> {
    await this.identity.require(clusterId);
    this.authorizer.requireAdmin(principal, `alter configs of topic ${topic}`);
    await this.kafka.admin.alterConfigs(topic, changes, { validateOnly });
  }
}
