export * from './metadata-records';
export * from './metadata-image';
