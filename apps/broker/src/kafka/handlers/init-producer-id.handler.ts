import { Encodable, InitProducerIdRequest, InitProducerIdResponse } from '@tributary/protocol';
import { BrokerContext } from '../broker-context';
import { ErrorCode } from '../../replica/kafka-errors';
import { txnErrorCode } from './transactions.handler';

/**
 * InitProducerId: an idempotent producer gets a fresh producer id (from the blocks the
 * controller hands this broker) with epoch 0; a transactional one asks the transaction
 * coordinator, which keeps its producer id and bumps the epoch, fencing the previous producer.
 */
export async function handleInitProducerId(ctx: BrokerContext, request: InitProducerIdRequest, apiVersion: number): Promise<Encodable<InitProducerIdResponse>> {
  if (request.transactionalId !== null) {
    const resuming = apiVersion >= 3 ? { producerId: Number(request.producerId), producerEpoch: request.producerEpoch } : undefined;
    const answer = await ctx.transactions.initProducerId(request.transactionalId, request.transactionTimeoutMs, resuming);
    return { throttleTimeMs: 0, errorCode: txnErrorCode(answer.error, apiVersion, 4), producerId: answer.producerId, producerEpoch: answer.producerEpoch };
  }
  try {
    const producerId = await ctx.producerIds.next();
    return { throttleTimeMs: 0, errorCode: 0, producerId, producerEpoch: 0 };
  } catch {
    return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 };
  }
}
