export * from './network/kafka-connection';
export * from './cluster/cluster-client';
export * from './producer/partitioner';
export * from './producer/producer';
export * from './consumer/consumer';
export * from './consumer/assignors';
export * from './consumer/consumer-protocol';
export * from './admin/admin';
