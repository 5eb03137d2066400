export * from './metadata';
export * from './control';
