export * from './core/types';
export { RaftLog } from './core/raft-log';
export { RaftNode } from './core/raft-node';
export type { RaftNodeConfig } from './core/raft-node';
export { RaftStorage, RaftStorageCorruptError } from './storage/raft-storage';
export { RaftRunner, ReadIndexRefusedError } from './runner/raft-runner';
export type { RaftTransport, SnapshotHooks } from './runner/raft-runner';
