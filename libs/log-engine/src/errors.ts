/**
 * Typed errors of the log engine. The broker maps them to Kafka error codes at the protocol edge
 * (InvalidBatchError -> CORRUPT_MESSAGE / INVALID_RECORD / MESSAGE_TOO_LARGE, OffsetOutOfRangeError ->
 * OFFSET_OUT_OF_RANGE ...).
 */

export type InvalidBatchReason =
  | 'truncated'
  | 'invalid-length'
  | 'bad-magic'
  | 'corrupt-crc'
  | 'too-large'
  | 'invalid-record-count'
  | 'invalid-offset-delta'
  | 'empty';

export class LogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A batch failed validation; nothing of the append that carried it was written. */
export class InvalidBatchError extends LogError {
  constructor(
    readonly reason: InvalidBatchReason,
    readonly position: number,
    detail: string,
  ) {
    super(`invalid record batch at byte ${position} (${reason}): ${detail}`);
  }
}

export class OffsetOutOfRangeError extends LogError {
  constructor(
    readonly offset: number,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
  ) {
    super(`offset ${offset} is out of range [${logStartOffset}, ${logEndOffset}]`);
  }
}

/** A follower append whose first offset is not the log end offset. */
export class NonContiguousAppendError extends LogError {
  constructor(
    readonly expectedOffset: number,
    readonly firstOffset: number,
  ) {
    super(`follower append must start at the log end offset ${expectedOffset}, got ${firstOffset}`);
  }
}

export class LogClosedError extends LogError {
  constructor(dir: string) {
    super(`log ${dir} is closed`);
  }
}

/** An invariant of the engine does not hold: a bug, never a user error. */
export class LogInvariantError extends LogError {}

export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new LogInvariantError(message);
}
