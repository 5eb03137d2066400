export * from './config';
export * from './rpc/rpc-transport.strategy';
export * from './rpc/rpc-client.proxy';
export * from './telemetry';
