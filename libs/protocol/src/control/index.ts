export * from './control-contracts';
export * from './rpc-frames';
export * from './rpc-server';
export * from './rpc-client';
