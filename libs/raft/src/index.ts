export * from './core/types';
export { RaftLog } from './core/raft-log';
export { RaftNode } from './core/raft-node';
export type { RaftNodeConfig } from './core/raft-node';
export { RaftStorage } from './storage/raft-storage';
export { RaftRunner } from './runner/raft-runner';
export type { RaftTransport } from './runner/raft-runner';
