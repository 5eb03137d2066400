import { Controller, Get, HttpStatus, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ZodResponse } from 'nestjs-zod';
import { Authenticated, CurrentPrincipal } from '../auth/authenticated.decorator';
import { Principal } from '../auth/principal';
import { TopicAuthorizer } from '../auth/topic-authorizer';
import { KafkaService } from '../cluster/kafka.service';
import { ApiErrors } from '../http/api-errors.decorator';
import { PartitionPathDto, PartitionRecordsDto, PartitionRecordsQueryDto } from './consumed-record.schemas';
import { TopicOffsetsDto, TopicOffsetsQueryDto, TopicPathDto } from './offsets.schemas';
import { PartitionReader } from './partition-reader';
import { recordBody } from './record-format';

/** Tributary additions: stateless reads by partition and offset, and the offsets to read from. */
@ApiTags('Consume')
@Authenticated()
@Controller('v1/topics/:topic_name')
export class PartitionRecordsController {
  constructor(
    private readonly reader: PartitionReader,
    private readonly authorizer: TopicAuthorizer,
    private readonly kafka: KafkaService,
  ) {}

  @Get('partitions/:partition_id/records')
  @ApiOperation({ operationId: 'readPartitionRecords', summary: 'Records of a partition from an offset', description: 'Continue with next_offset. With timeout_ms the read waits for records at the end of the log.' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, HttpStatus.UNPROCESSABLE_ENTITY)
  @ZodResponse({ type: PartitionRecordsDto })
  async read(@Param() { topic_name, partition_id }: PartitionPathDto, @Query() query: PartitionRecordsQueryDto, @CurrentPrincipal() principal: Principal) {
    this.authorizer.requireTopic(principal, 'read', topic_name);
    const result = await this.reader.read(topic_name, partition_id, { offset: query.offset, maxRecords: query.max_records, maxBytes: query.max_bytes, timeoutMs: query.timeout_ms });
    return {
      topic_name,
      partition_id,
      records: result.records.map((record) => recordBody(topic_name, partition_id, record, query.format)),
      next_offset: result.nextOffset,
      high_watermark: result.highWatermark,
    };
  }

  @Get('offsets')
  @ApiOperation({ operationId: 'getTopicOffsets', summary: 'Earliest and latest offset of each partition, and the first offset at or after a time' })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND)
  @ZodResponse({ type: TopicOffsetsDto })
  async offsets(@Param() { topic_name }: TopicPathDto, @Query() { timestamp }: TopicOffsetsQueryDto, @CurrentPrincipal() principal: Principal) {
    this.authorizer.requireTopic(principal, 'read', topic_name);
    const admin = this.kafka.admin;
    const [earliest, latest, atTime] = await Promise.all([
      admin.listOffsets(topic_name, 'earliest'),
      admin.listOffsets(topic_name, 'latest'),
      timestamp === undefined ? null : admin.listOffsets(topic_name, { timestamp: Date.parse(timestamp) }),
    ]);
    return {
      topic_name,
      partitions: earliest.map(({ partition, offset }) => ({
        partition_id: partition,
        earliest: offset,
        latest: latest.find((o) => o.partition === partition)?.offset ?? -1,
        ...(atTime ? { for_timestamp: atTime.find((o) => o.partition === partition)?.offset ?? -1 } : {}),
      })),
    };
  }
}
