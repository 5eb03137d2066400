import { ClusterSim } from './cluster-sim';

/**
 * CI's sweep of the Raft simulator: faulty networks, partitions, crashes and restarts, with
 * the safety properties checked after every step and convergence required after healing.
 * `npm run sim -- --seeds 100000` runs the long sweep.
 */
describe('Raft simulation (seeded)', () => {
  const SEEDS = 700;
  it.each([1, 3, 5])(`%i-node clusters stay safe and converge over ${SEEDS} seeds`, (nodes) => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      new ClusterSim({ seed, nodes, faultySteps: 300, recoverySteps: 600 }).run();
    }
  });
});
