import { Body, ConflictException, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ZodResponse, ZodValidationException } from 'nestjs-zod';
import { Authenticated, CurrentPrincipal } from '../auth/authenticated.decorator';
import { Principal } from '../auth/principal';
import { TopicAuthorizer } from '../auth/topic-authorizer';
import { KafkaService } from '../cluster/kafka.service';
import { recordBody } from '../consume/record-format';
import { ApiErrors } from '../http/api-errors.decorator';
import { RequestBaseUrl } from '../http/resource-links';
import { ConsumerInstance } from './consumer-instance';
import { ConsumerInstances } from './consumer-instances';
import {
  AssignmentsDto,
  CommitRequestDto,
  commitRequestSchema,
  CommittedOffsetsDto,
  CreateInstanceDto,
  GroupPathDto,
  InstanceDto,
  InstancePathDto,
  PolledRecordsDto,
  PollQueryDto,
  SubscriptionDto,
} from './consumer-instance.schemas';

function instanceBody(instance: ConsumerInstance, baseUrl: string) {
  const { groupId, instanceId, format, autoCommit } = instance.options;
  return {
    group_id: groupId,
    instance_id: instanceId,
    base_uri: `${baseUrl}/v1/consumer-groups/${encodeURIComponent(groupId)}/instances/${instanceId}`,
    format,
    auto_commit: autoCommit,
  };
}

/** Tributary additions: group consumption over HTTP through consumer instances. */
@ApiTags('Consumer instances')
@Authenticated()
@Controller('v1/consumer-groups/:group_id/instances')
export class ConsumerInstancesController {
  constructor(
    private readonly instances: ConsumerInstances,
    private readonly authorizer: TopicAuthorizer,
    private readonly kafka: KafkaService,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'createConsumerInstance', summary: 'Create a consumer instance in a group', description: 'Idle instances expire and leave the group.' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.CONFLICT, HttpStatus.TOO_MANY_REQUESTS)
  @ZodResponse({ status: HttpStatus.CREATED, type: InstanceDto })
  create(@Param() { group_id }: GroupPathDto, @Body() body: CreateInstanceDto, @CurrentPrincipal() principal: Principal, @RequestBaseUrl() baseUrl: string) {
    const instance = this.instances.create({ groupId: group_id, instanceId: body.name, owner: principal, fromBeginning: body.auto_offset_reset === 'earliest', autoCommit: body.auto_commit, format: body.format });
    return instanceBody(instance, baseUrl);
  }

  @Get(':instance_id')
  @ApiOperation({ operationId: 'getConsumerInstance', summary: 'A consumer instance' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: InstanceDto })
  get(@Param() { group_id, instance_id }: InstancePathDto, @CurrentPrincipal() principal: Principal, @RequestBaseUrl() baseUrl: string) {
    return instanceBody(this.instances.get(group_id, instance_id, principal), baseUrl);
  }

  @Delete(':instance_id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'deleteConsumerInstance', summary: 'Leave the group and delete the instance' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  async delete(@Param() { group_id, instance_id }: InstancePathDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.instances.delete(group_id, instance_id, principal);
  }

  @Post(':instance_id/subscription')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'subscribeConsumerInstance', summary: 'Subscribe to topics (replaces the subscription)' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  async subscribe(@Param() { group_id, instance_id }: InstancePathDto, @Body() { topics }: SubscriptionDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    const instance = this.instances.get(group_id, instance_id, principal);
    for (const topic of topics) this.authorizer.requireTopic(principal, 'read', topic);
    await Promise.all(topics.map((topic) => this.kafka.cluster.topic(topic)));
    await instance.subscribe(topics);
  }

  @Get(':instance_id/subscription')
  @ApiOperation({ operationId: 'getConsumerInstanceSubscription', summary: 'The subscribed topics' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: SubscriptionDto })
  subscription(@Param() { group_id, instance_id }: InstancePathDto, @CurrentPrincipal() principal: Principal) {
    return { topics: this.instances.get(group_id, instance_id, principal).subscription };
  }

  @Get(':instance_id/assignments')
  @ApiOperation({ operationId: 'getConsumerInstanceAssignments', summary: 'The partitions the group assigned to the instance' })
  @ApiErrors(HttpStatus.NOT_FOUND)
  @ZodResponse({ type: AssignmentsDto })
  assignments(@Param() { group_id, instance_id }: InstancePathDto, @CurrentPrincipal() principal: Principal) {
    return { partitions: this.instances.get(group_id, instance_id, principal).assignment().map((p) => ({ topic_name: p.topic, partition_id: p.partition })) };
  }

  @Get(':instance_id/records')
  @ApiOperation({ operationId: 'pollConsumerInstance', summary: 'Records for the instance', description: 'Waits up to timeout_ms for records; with auto_commit the returned records are committed.' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT, HttpStatus.UNPROCESSABLE_ENTITY)
  @ZodResponse({ type: PolledRecordsDto })
  async poll(@Param() { group_id, instance_id }: InstancePathDto, @Query() { max_records, timeout_ms }: PollQueryDto, @CurrentPrincipal() principal: Principal) {
    const instance = this.instances.get(group_id, instance_id, principal);
    if (instance.subscription.length === 0) throw new ConflictException(`consumer instance ${instance_id} has no subscription: POST its /subscription first`);
    const records = await instance.poll(max_records, timeout_ms);
    return { records: records.map((record) => recordBody(record.topic, record.partition, record, instance.options.format)) };
  }

  @Post(':instance_id/offsets')
  @HttpCode(HttpStatus.OK)
  @ApiBody({ type: CommitRequestDto, required: false })
  @ApiOperation({ operationId: 'commitConsumerInstanceOffsets', summary: 'Commit offsets for the group', description: 'Without a body: the position after the records the polls returned.' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.CONFLICT)
  @ZodResponse({ type: CommittedOffsetsDto })
  async commit(@Param() { group_id, instance_id }: InstancePathDto, @Req() request: Request, @CurrentPrincipal() principal: Principal) {
    // the body is optional (no body: commit what the polls returned), which @Body() validation cannot express
    const parsed = commitRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success) throw new ZodValidationException(parsed.error);
    const { offsets } = parsed.data;
    const instance = this.instances.get(group_id, instance_id, principal);
    for (const offset of offsets ?? []) this.authorizer.requireTopic(principal, 'read', offset.topic_name);
    const committed = await instance.commit(offsets?.map((o) => ({ topic: o.topic_name, partition: o.partition_id, offset: o.offset })));
    return { offsets: committed.map((o) => ({ topic_name: o.topic, partition_id: o.partition, offset: o.offset })) };
  }
}
