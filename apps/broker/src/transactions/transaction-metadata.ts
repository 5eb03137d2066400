import type { KafkaErrorName } from '@tributary/protocol';

/**
 * Kafka's transaction states, with the numbers its __transaction_state records use. A
 * transaction runs Empty -> Ongoing (partitions added) -> PrepareCommit | PrepareAbort (the
 * decision, durable) -> CompleteCommit | CompleteAbort (markers written everywhere) -> Ongoing
 * again with the next transaction.
 */
export const TxnState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
} as const;
export type TxnState = (typeof TxnState)[keyof typeof TxnState];

export const TXN_STATE_NAMES: Record<TxnState, string> = { 0: 'Empty', 1: 'Ongoing', 2: 'PrepareCommit', 3: 'PrepareAbort', 4: 'CompleteCommit', 5: 'CompleteAbort' };

/** Bound on the partitions of one transaction (its state record lists them all). */
export const MAX_PARTITIONS_PER_TRANSACTION = 100_000;

/** Producer epochs are int16; the last one is kept for fencing, so a producer id lasts until this. */
export const MAX_PRODUCER_EPOCH = 32_766;

export interface TxnPartition {
  topic: string;
  partition: number;
}

/** What the coordinator stores for one transactional id (the value of its __transaction_state record). */
export interface TransactionMetadata {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  /** The partitions of the current transaction (empty unless Ongoing or Prepare*). */
  partitions: TxnPartition[];
  /** When the current transaction began (its first partition), -1 when none is open. */
  startMs: number;
  updatedMs: number;
}

export type Transition = { error: KafkaErrorName } | { next: TransactionMetadata };

/** The decision InitProducerId needs for an id: a fresh producer, a bumped epoch, or an open transaction to abort first. */
export type InitDecision =
  | { error: KafkaErrorName }
  | { kind: 'new-producer' }
  | { kind: 'bump'; next: TransactionMetadata }
  | { kind: 'abort-ongoing'; prepare: TransactionMetadata };

export function isPrepare(state: TxnState): boolean {
  return state === TxnState.PrepareCommit || state === TxnState.PrepareAbort;
}

function checkProducer(current: TransactionMetadata | undefined, producerId: number, producerEpoch: number): KafkaErrorName | null {
  if (!current || current.producerId !== producerId) return 'INVALID_PRODUCER_ID_MAPPING';
  // an older epoch was fenced by a newer producer; a newer one than ours cannot exist
  if (current.producerEpoch !== producerEpoch) return 'PRODUCER_FENCED';
  return null;
}

/**
 * InitProducerId: an unknown id gets a new producer; a known one its epoch bumped (fencing the
 * previous producer), after its open transaction is aborted; a decision in flight answers
 * CONCURRENT_TRANSACTIONS for the client to retry.
 */
export function decideInit(current: TransactionMetadata | undefined, timeoutMs: number, nowMs: number, resuming?: { producerId: number; producerEpoch: number }): InitDecision {
  if (!current) return { kind: 'new-producer' };
  // InitProducerId v3+ from a producer that already had this id (KIP-360): only the current one may
  // go on; an older one must not fence it back. (Kafka also accepts the epoch before a lost bump.)
  if (resuming && resuming.producerId >= 0 && (resuming.producerId !== current.producerId || resuming.producerEpoch !== current.producerEpoch)) return { error: 'PRODUCER_FENCED' };
  if (isPrepare(current.state)) return { error: 'CONCURRENT_TRANSACTIONS' };
  if (current.state === TxnState.Ongoing) return { kind: 'abort-ongoing', prepare: fence(current, nowMs) };
  if (current.producerEpoch >= MAX_PRODUCER_EPOCH) return { kind: 'new-producer' };
  return { kind: 'bump', next: { ...current, producerEpoch: current.producerEpoch + 1, timeoutMs, state: TxnState.Empty, partitions: [], startMs: -1, updatedMs: nowMs } };
}

/** The transaction of an id nobody knew yet. */
export function newTransaction(transactionalId: string, producerId: number, timeoutMs: number, nowMs: number): TransactionMetadata {
  return { transactionalId, producerId, producerEpoch: 0, timeoutMs, state: TxnState.Empty, partitions: [], startMs: -1, updatedMs: nowMs };
}

/**
 * The open transaction aborted by the coordinator (a new producer took the id, or it timed out):
 * the epoch moves on, so the old producer's late writes and its EndTxn are refused.
 */
export function fence(current: TransactionMetadata, nowMs: number): TransactionMetadata {
  const producerEpoch = Math.min(current.producerEpoch + 1, MAX_PRODUCER_EPOCH);
  return { ...current, producerEpoch, state: TxnState.PrepareAbort, updatedMs: nowMs };
}

/**
 * AddPartitionsToTxn / AddOffsetsToTxn: the partitions join the transaction (opening it when
 * none is open). `next` is the same object when nothing changes, so no write is needed.
 */
export function addPartitions(current: TransactionMetadata | undefined, producerId: number, producerEpoch: number, partitions: TxnPartition[], nowMs: number): Transition {
  const refused = checkProducer(current, producerId, producerEpoch);
  if (refused || !current) return { error: refused ?? 'INVALID_PRODUCER_ID_MAPPING' };
  if (isPrepare(current.state)) return { error: 'CONCURRENT_TRANSACTIONS' };
  const known = new Set(current.state === TxnState.Ongoing ? current.partitions.map(keyOf) : []);
  const added = partitions.filter((p) => !known.has(keyOf(p)));
  if (current.state === TxnState.Ongoing && added.length === 0) return { next: current };
  const merged = new Map<string, TxnPartition>();
  for (const p of [...(current.state === TxnState.Ongoing ? current.partitions : []), ...partitions]) merged.set(keyOf(p), { topic: p.topic, partition: p.partition });
  if (merged.size > MAX_PARTITIONS_PER_TRANSACTION) return { error: 'INVALID_REQUEST' };
  return {
    next: { ...current, state: TxnState.Ongoing, partitions: [...merged.values()], startMs: current.state === TxnState.Ongoing ? current.startMs : nowMs, updatedMs: nowMs },
  };
}

/**
 * EndTxn: Ongoing moves to PrepareCommit / PrepareAbort. A retry of an end already completed is
 * answered as success; one in flight as CONCURRENT_TRANSACTIONS; a mismatch is INVALID_TXN_STATE.
 * `next` null: nothing to do.
 */
export function endTransaction(current: TransactionMetadata | undefined, producerId: number, producerEpoch: number, commit: boolean, nowMs: number): { error: KafkaErrorName } | { next: TransactionMetadata | null } {
  const refused = checkProducer(current, producerId, producerEpoch);
  if (refused || !current) return { error: refused ?? 'INVALID_PRODUCER_ID_MAPPING' };
  switch (current.state) {
    case TxnState.Ongoing:
      return { next: { ...current, state: commit ? TxnState.PrepareCommit : TxnState.PrepareAbort, updatedMs: nowMs } };
    case TxnState.PrepareCommit:
    case TxnState.PrepareAbort:
      return (current.state === TxnState.PrepareCommit) === commit ? { error: 'CONCURRENT_TRANSACTIONS' } : { error: 'INVALID_TXN_STATE' };
    case TxnState.CompleteCommit:
    case TxnState.CompleteAbort:
      return (current.state === TxnState.CompleteCommit) === commit ? { next: null } : { error: 'INVALID_TXN_STATE' };
    default:
      return { error: 'INVALID_TXN_STATE' };
  }
}

/** After every marker is written: the transaction is complete and holds no partitions. */
export function complete(current: TransactionMetadata, nowMs: number): TransactionMetadata {
  if (!isPrepare(current.state)) throw new Error(`cannot complete a transaction in state ${TXN_STATE_NAMES[current.state]}`);
  return { ...current, state: current.state === TxnState.PrepareCommit ? TxnState.CompleteCommit : TxnState.CompleteAbort, partitions: [], startMs: -1, updatedMs: nowMs };
}

/** An open transaction older than its timeout, which the coordinator aborts. */
export function hasExpired(current: TransactionMetadata, nowMs: number): boolean {
  return current.state === TxnState.Ongoing && current.startMs >= 0 && nowMs - current.startMs > current.timeoutMs;
}

function keyOf(p: TxnPartition): string {
  return `${p.topic}:${p.partition}`;
}
