import { nodeId, port, voterList } from '@tributary/platform';
import { z } from 'zod';

/** Controller settings: flags (--node-id 1), env (CONTROLLER_NODE_ID=1) or a JSON file (--config). */
export const controllerConfigSchema = z
  .object({
    nodeId: nodeId().default(1),
    /** The quorum: id@host:port of every voter, this node included. */
    voters: voterList().default([{ id: 1, host: '127.0.0.1', port: 9093 }]),
    /** Where this node's Raft log, snapshots and SQLite state live. */
    dataDir: z.string().min(1).default('./data/controller-1'),
    /** Metrics and health HTTP port (0: any free port). */
    httpPort: port().default(9644),
    host: z.string().min(1).default('127.0.0.1'),
    /** broker.session.timeout.ms */
    brokerSessionTimeoutMs: z.coerce.number().int().min(100).default(9000),
    defaultPartitions: z.coerce.number().int().min(1).default(1),
    defaultReplicationFactor: z.coerce.number().int().min(1).default(1),
    /** Snapshot the metadata state (and trim the Raft log) every this many applied entries. */
    snapshotIntervalEntries: z.coerce.number().int().min(1).default(1000),
    /** OTLP/HTTP collector base URL (http://host:4318) for traces; unset: no tracing at all. */
    otlpEndpoint: z.url().optional(),
  })
  .refine((c) => c.voters.some((v) => v.id === c.nodeId), { message: 'nodeId must be one of the voters', path: ['nodeId'] });

export type ControllerConfig = z.infer<typeof controllerConfigSchema>;
