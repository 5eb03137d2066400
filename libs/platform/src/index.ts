export * from './config';
export * from './rpc/rpc-transport.strategy';
export * from './rpc/rpc-client.proxy';
export * from './telemetry';
export * from './telemetry/nest/telemetry.module';
export * from './telemetry/nest/metrics.controller';
