import { ConnectionError } from '@tributary/client';
import { KafkaProtocolError } from '@tributary/protocol';

/** A failure the CLI has already put into words: what happened, and what to do about it. */
export class CliError extends Error {
  constructor(
    message: string,
    /** 1: the operation failed; 2: the command line itself is wrong. */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** What to do after a Kafka error, by code: the broker's name for the error rarely says it. */
const KAFKA_ERROR_HINTS = new Map<number, string>([
  [3, "see the existing topics with 'tributary topics list'"],
  [17, 'topic names use letters, digits, ".", "_" and "-" (at most 249 characters)'],
  [36, "choose another name, or look at the existing topic with 'tributary topics describe NAME'"],
  [37, 'give --partitions a positive number'],
  [38, "the replication factor cannot exceed the number of brokers ('tributary cluster brokers')"],
  [40, "check the --config keys and values (see 'tributary topics describe NAME' for the topic's configs)"],
  [25, "the group is active: stop its consumers first ('tributary groups describe GROUP' shows them)"],
  [27, 'the group is rebalancing: try again in a few seconds'],
  [68, "the group still has members: stop its consumers first ('tributary groups describe GROUP' shows them)"],
  [69, "see the existing groups with 'tributary groups list'"],
]);

/** One line for any error: CLI errors as they are, client and broker errors with a hint. */
export function explainError(error: unknown, bootstrap: string): string {
  if (error instanceof CliError) return error.message;
  if (error instanceof KafkaProtocolError) {
    const hint = KAFKA_ERROR_HINTS.get(error.code) ?? (error.retriable ? 'the cluster may be electing leaders or busy: try again' : null);
    return hint ? `${error.message}; ${hint}` : error.message;
  }
  if (error instanceof ConnectionError) {
    return `lost the connection to the cluster at ${bootstrap} (${error.message}); check it with 'tributary cluster health'`;
  }
  if (error instanceof RangeError) return `${error.message}; see --help`;
  const message = error instanceof Error ? error.message : String(error);
  return `unexpected error: ${message} (run again with --verbose for the stack trace)`;
}

/** The exit code that goes with an error (see CliError.exitCode). */
export function exitCodeOf(error: unknown): number {
  return error instanceof CliError ? error.exitCode : 1;
}
