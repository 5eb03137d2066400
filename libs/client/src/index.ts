export * from './network/kafka-connection';
