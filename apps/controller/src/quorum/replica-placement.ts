/**
 * Replica placement for new partitions, after Kafka's assignReplicasToBrokers: leaders spread
 * round-robin from a start index, followers shifted so that replicas of consecutive partitions
 * land on different broker pairs, and, when brokers have racks, a partition's replicas spread
 * over as many racks as possible. Randomness is the caller's (`startIndex`, `shift`), so the
 * controller stays deterministic for tests.
 */
export interface PlacementBroker {
  brokerId: number;
  rack: string | null;
}

export class PlacementError extends Error {}

export function placeReplicas(
  brokers: readonly PlacementBroker[],
  partitionCount: number,
  replicationFactor: number,
  firstPartitionId = 0,
  startIndex = 0,
  shift = 0,
): number[][] {
  if (partitionCount <= 0) throw new PlacementError(`partition count must be positive, got ${partitionCount}`);
  if (replicationFactor <= 0) throw new PlacementError(`replication factor must be positive, got ${replicationFactor}`);
  if (replicationFactor > brokers.length) {
    throw new PlacementError(`replication factor ${replicationFactor} is larger than the ${brokers.length} available brokers`);
  }
  const ordered = rackAlternated(brokers);
  const n = ordered.length;
  const racks = new Set(ordered.map((b) => b.rack));
  const rackAware = ordered.every((b) => b.rack !== null) && racks.size > 1;
  const result: number[][] = [];
  let nextShift = shift % Math.max(1, n);
  for (let i = 0; i < partitionCount; i++) {
    const p = firstPartitionId + i;
    if (p > 0 && p % n === 0) nextShift++;
    const first = (p + startIndex) % n;
    const replicas = [ordered[first]];
    for (let j = 0; replicas.length < replicationFactor && j < n * n; j++) {
      const candidate = ordered[(first + 1 + ((nextShift + j) % (n - 1))) % n];
      if (replicas.includes(candidate)) continue;
      const usedRacks = new Set(replicas.map((r) => r.rack));
      // prefer an unused rack until every rack holds a replica of this partition
      if (rackAware && usedRacks.has(candidate.rack) && usedRacks.size < racks.size) continue;
      replicas.push(candidate);
    }
    for (let j = 0; replicas.length < replicationFactor && j < n; j++) {
      if (!replicas.includes(ordered[j])) replicas.push(ordered[j]);
    }
    result.push(replicas.map((b) => b.brokerId));
  }
  return result;
}

/** Brokers ordered so that consecutive ones sit in different racks (Kafka's rack-alternated list). */
function rackAlternated(brokers: readonly PlacementBroker[]): PlacementBroker[] {
  const byRack = new Map<string, PlacementBroker[]>();
  for (const broker of [...brokers].sort((a, b) => a.brokerId - b.brokerId)) {
    const key = broker.rack ?? '';
    byRack.set(key, [...(byRack.get(key) ?? []), broker]);
  }
  const queues = [...byRack.keys()].sort().map((rack) => byRack.get(rack) as PlacementBroker[]);
  const out: PlacementBroker[] = [];
  for (let round = 0; out.length < brokers.length; round++) {
    for (const queue of queues) if (round < queue.length) out.push(queue[round]);
  }
  return out;
}
