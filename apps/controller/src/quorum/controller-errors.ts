/** Kafka error codes the controller answers with (Kafka's numbers). */
export const ControllerError = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_TOPIC_EXCEPTION: 17,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  NOT_CONTROLLER: 41,
  INVALID_REQUEST: 42,
  FENCED_LEADER_EPOCH: 74,
  STALE_BROKER_EPOCH: 77,
  PREFERRED_LEADER_NOT_AVAILABLE: 80,
  ELIGIBLE_LEADERS_NOT_AVAILABLE: 83,
  ELECTION_NOT_NEEDED: 84,
  INVALID_UPDATE_VERSION: 95,
  UNKNOWN_TOPIC_ID: 100,
  DUPLICATE_BROKER_REGISTRATION: 101,
  BROKER_ID_NOT_REGISTERED: 102,
  INELIGIBLE_REPLICA: 107,
  NEW_LEADER_ELECTED: 108,
} as const;

export type ControllerErrorName = keyof typeof ControllerError;

export interface ErrorResult {
  errorCode: number;
  errorMessage: string | null;
}

export const OK: ErrorResult = { errorCode: ControllerError.NONE, errorMessage: null };

export function fail(name: ControllerErrorName, message: string): ErrorResult {
  return { errorCode: ControllerError[name], errorMessage: message };
}
