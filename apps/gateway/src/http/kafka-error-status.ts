import { HttpStatus } from '@nestjs/common';
import { KafkaProtocolError } from '@tributary/protocol';

/**
 * HTTP statuses of the Kafka errors a REST caller can cause or meet. Retriable cluster states
 * (no leader yet, coordinator moving, timeouts) are 503 so callers retry; anything unlisted is a
 * 500 that still names the Kafka error.
 */
const STATUS_BY_KAFKA_ERROR: Record<string, HttpStatus> = {
  UNKNOWN_TOPIC_OR_PARTITION: HttpStatus.NOT_FOUND,
  UNKNOWN_TOPIC_ID: HttpStatus.NOT_FOUND,
  GROUP_ID_NOT_FOUND: HttpStatus.NOT_FOUND,
  RESOURCE_NOT_FOUND: HttpStatus.NOT_FOUND,
  TOPIC_ALREADY_EXISTS: HttpStatus.CONFLICT,
  NON_EMPTY_GROUP: HttpStatus.CONFLICT,
  UNKNOWN_MEMBER_ID: HttpStatus.CONFLICT,
  ILLEGAL_GENERATION: HttpStatus.CONFLICT,
  REBALANCE_IN_PROGRESS: HttpStatus.CONFLICT,
  INVALID_TOPIC_EXCEPTION: HttpStatus.BAD_REQUEST,
  INVALID_PARTITIONS: HttpStatus.BAD_REQUEST,
  INVALID_REPLICATION_FACTOR: HttpStatus.BAD_REQUEST,
  INVALID_REPLICA_ASSIGNMENT: HttpStatus.BAD_REQUEST,
  INVALID_CONFIG: HttpStatus.BAD_REQUEST,
  INVALID_REQUEST: HttpStatus.BAD_REQUEST,
  POLICY_VIOLATION: HttpStatus.BAD_REQUEST,
  INVALID_GROUP_ID: HttpStatus.BAD_REQUEST,
  INVALID_TIMESTAMP: HttpStatus.UNPROCESSABLE_ENTITY,
  CORRUPT_MESSAGE: HttpStatus.UNPROCESSABLE_ENTITY,
  INVALID_RECORD: HttpStatus.UNPROCESSABLE_ENTITY,
  OFFSET_OUT_OF_RANGE: HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
  MESSAGE_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  RECORD_LIST_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  TOPIC_AUTHORIZATION_FAILED: HttpStatus.FORBIDDEN,
  GROUP_AUTHORIZATION_FAILED: HttpStatus.FORBIDDEN,
  CLUSTER_AUTHORIZATION_FAILED: HttpStatus.FORBIDDEN,
  TOPIC_DELETION_DISABLED: HttpStatus.FORBIDDEN,
  THROTTLING_QUOTA_EXCEEDED: HttpStatus.TOO_MANY_REQUESTS,
};

export function httpStatusOfKafkaError(error: KafkaProtocolError): HttpStatus {
  return STATUS_BY_KAFKA_ERROR[error.errorName] ?? (error.retriable ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.INTERNAL_SERVER_ERROR);
}
