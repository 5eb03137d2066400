export * from './metadata-records';
export * from './metadata-image';
export * from './topic-configs';
export * from './acl-rules';
