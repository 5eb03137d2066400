export * from './network/kafka-connection';
export * from './cluster/cluster-client';
export * from './producer/partitioner';
export * from './producer/producer';
export * from './admin/admin';
