import { Body, Controller, Header, HttpCode, HttpStatus, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Authenticated, CurrentPrincipal } from '../auth/authenticated.decorator';
import { Principal } from '../auth/principal';
import { GATEWAY_CONFIG } from '../cluster/kafka.service';
import { GatewayConfig } from '../config';
import { ApiErrors } from '../http/api-errors.decorator';
import { errorBodyOf } from '../http/error-mapping';
import { NDJSON, answerProduceStream, isProduceStream } from './produce-stream';
import { BatchFailure, BatchSuccess, batchAnswerJson } from './batch-answer';
import { ProduceBatchRequestDto, ProduceBatchResponseDto, ProduceRequestDto, ProduceResponseDto, TopicRecordsPathDto } from './produce.schemas';
import { parseBatch } from './plain-records';
import { PreparedRecord, RecordProducer } from './record-producer';
import { requestTraceparent } from '../telemetry/http-telemetry';
import { TopicProduce } from './topic-produce';

/** REST Proxy v3 produce: one record, a stream of records, or a batch. */
@ApiTags('Records')
@Authenticated()
@Controller('v3/clusters/:cluster_id/topics/:topic_name')
export class RecordsController {
  constructor(
    private readonly topics: TopicProduce,
    private readonly producer: RecordProducer,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post('records')
  @ApiOperation({
    operationId: 'produceRecord',
    summary: 'Produce a record, or stream records',
    description:
      'One JSON record answers with its delivery report. A stream of records is a body of JSON records back to back (one per line, pretty-printed, or with nothing between them), ' +
      'sent as application/x-ndjson, or as application/json with Transfer-Encoding: chunked (the REST Proxy streaming mode); ' +
      'it is answered as application/x-ndjson: one report (or {"error_code", "message"}) per record, in order, while the connection stays open. ' +
      'Other media types are answered 415.',
  })
  @ApiBody({ type: ProduceRequestDto, description: 'One record; in a stream, records like this one after another' })
  @ApiConsumes('application/json', NDJSON)
  @ApiResponse({ status: HttpStatus.OK, type: ProduceResponseDto.Output })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.PAYLOAD_TOO_LARGE, HttpStatus.UNSUPPORTED_MEDIA_TYPE, HttpStatus.UNPROCESSABLE_ENTITY)
  async produce(@Param() { cluster_id, topic_name }: TopicRecordsPathDto, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    const produceOne = await this.topics.recordSender(cluster_id, topic_name, principal, requestTraceparent(request));
    if (isProduceStream(request)) {
      await answerProduceStream(request, response, this.config.maxBodyBytes, produceOne);
      return;
    }
    // @Res() takes the answer out of Nest's hands (the stream needs it), so the single record is answered here too;
    // most single records never get here: SingleRecordRoute answers them ahead of express
    response.status(HttpStatus.OK).json(await produceOne(request.body));
  }

  @Post('records\\:batch')
  @HttpCode(HttpStatus.MULTI_STATUS)
  @Header('Content-Type', 'application/json; charset=utf-8')
  @ApiOperation({ operationId: 'produceRecordBatch', summary: 'Produce a batch of records', description: 'Entries that are not valid records fail on their own; the others are sent together. 207 with successes and failures by entry id.' })
  @ApiResponse({ status: HttpStatus.MULTI_STATUS, type: ProduceBatchResponseDto.Output })
  @ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.NOT_FOUND, HttpStatus.PAYLOAD_TOO_LARGE, HttpStatus.UNSUPPORTED_MEDIA_TYPE)
  @ApiBody({ type: ProduceBatchRequestDto })
  async produceBatch(@Param() { cluster_id, topic_name }: TopicRecordsPathDto, @CurrentPrincipal() principal: Principal, @Body() body: unknown, @Req() request: Request): Promise<string> {
    // validated here rather than by the global pipe: plainly valid batches skip zod's copying parse
    const { entries } = parseBatch(body);
    const topic = await this.topics.checkedTopic(cluster_id, topic_name, principal);
    const traceparent = requestTraceparent(request);
    // entries that cannot become records fail alone; the rest go to the producer in one send
    // (one completion for the batch, not a promise per record), so a send error fails those together
    const failures: (BatchFailure & { index: number })[] = [];
    const sent: { index: number; id: string; prepared: PreparedRecord }[] = [];
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index];
      try {
        sent.push({ index, id: entry.id, prepared: this.producer.prepare(entry, topic, traceparent) });
      } catch (error) {
        failures.push({ index, id: entry.id, ...errorBodyOf(error) });
      }
    }
    let successes: BatchSuccess[] = [];
    try {
      const metadata = await this.producer.sendAll(
        topic_name,
        sent.map((s) => s.prepared),
      );
      successes = sent.map(({ id, prepared }, i) => ({ id, prepared, metadata: metadata[i] }));
    } catch (error) {
      const { error_code, message } = errorBodyOf(error);
      for (const { index, id } of sent) failures.push({ index, id, error_code, message });
      failures.sort((a, b) => a.index - b.index);
    }
    return batchAnswerJson(cluster_id, topic_name, successes, failures);
  }
}
