import { ConnectionError } from '@tributary/client';
import { KafkaProtocolError } from '@tributary/protocol';
import { ErrorFrame } from './ws-protocol';

/** HTTP-style status of Kafka error codes a WebSocket client can act on; other non-retriable codes are 500. */
const STATUS_OF_KAFKA_CODE = new Map<number, number>([
  [3, 404], // UNKNOWN_TOPIC_OR_PARTITION
  [10, 413], // MESSAGE_TOO_LARGE
  [18, 413], // RECORD_LIST_TOO_LARGE
  [17, 422], // INVALID_TOPIC_EXCEPTION (internal topic)
  [32, 422], // INVALID_TIMESTAMP
  [87, 422], // INVALID_RECORD
  [29, 403], // TOPIC_AUTHORIZATION_FAILED
  [30, 403], // GROUP_AUTHORIZATION_FAILED
  [31, 403], // CLUSTER_AUTHORIZATION_FAILED
]);

/** A request the gateway refuses, with the HTTP-style status its error frame carries. */
export class FrameError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

/** An error met while serving frame `id`, as the error frame sent back (no stack traces leave the gateway). */
export function errorFrameOf(id: string | undefined, error: unknown): ErrorFrame {
  const message = error instanceof Error ? error.message : String(error);
  let status = 500;
  if (error instanceof FrameError) status = error.status;
  else if (error instanceof ConnectionError) status = 503;
  else if (error instanceof KafkaProtocolError) status = STATUS_OF_KAFKA_CODE.get(error.code) ?? (error.retriable ? 503 : 500);
  return { type: 'error', ...(id !== undefined ? { id } : {}), error_code: status, message };
}

export function errorFrame(id: string | undefined, status: number, message: string): ErrorFrame {
  return { type: 'error', ...(id !== undefined ? { id } : {}), error_code: status, message };
}
