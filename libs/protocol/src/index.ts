export * from './kafka';
export * from './metadata';
export * from './control';
export * from './records';
