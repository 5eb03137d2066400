/**
 * Replays or sweeps simulator seeds:
 *   node -r ./tools/scripts/register.js libs/raft/src/sim/run.ts --seed 12345 --nodes 3
 *   node -r ./tools/scripts/register.js libs/raft/src/sim/run.ts --seeds 100000
 */
import { ClusterSim, SimFailure, SimStats } from './cluster-sim';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const first = Number(args.get('seed') ?? 1);
const count = Number(args.get('seeds') ?? 1);
const sizes = args.has('nodes') ? [Number(args.get('nodes'))] : [1, 3, 5];

let runs = 0;
const totals: SimStats = {
  leaderTerms: 0,
  committedEntries: 0,
  snapshotsTaken: 0,
  snapshotsInstalled: 0,
  membershipChanges: 0,
  leaderTransfers: 0,
  readsServed: 0,
  readsRefused: 0,
};
const startedMs = Date.now();
for (let seed = first; seed < first + count; seed++) {
  for (const nodes of sizes) {
    try {
      const stats = new ClusterSim({ seed, nodes, faultySteps: 400, recoverySteps: 600 }).run();
      for (const key of Object.keys(totals) as (keyof SimStats)[]) totals[key] += stats[key];
      runs++;
    } catch (error) {
      console.error(error instanceof SimFailure ? error.message : error);
      process.exit(1);
    }
  }
}
console.log(`${runs} simulations passed in ${((Date.now() - startedMs) / 1000).toFixed(1)} s; totals: ${JSON.stringify(totals)}`);
