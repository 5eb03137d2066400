import { Encodable, InitProducerIdRequest, InitProducerIdResponse } from '@tributary/protocol';
import { BrokerContext } from '../broker-context';
import { ErrorCode } from '../../replica/kafka-errors';

/**
 * InitProducerId for idempotent producers: a fresh producer id (from the blocks the controller
 * hands this broker) with epoch 0. Transactional ids are refused until the transaction
 * coordinator exists, so a transactional client fails clearly instead of half-working.
 */
export async function handleInitProducerId(ctx: BrokerContext, request: InitProducerIdRequest): Promise<Encodable<InitProducerIdResponse>> {
  if (request.transactionalId !== null) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, producerId: -1, producerEpoch: -1 };
  }
  try {
    const producerId = await ctx.producerIds.next();
    return { throttleTimeMs: 0, errorCode: 0, producerId, producerEpoch: 0 };
  } catch {
    return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 };
  }
}
