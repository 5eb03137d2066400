export * from './control-contracts';
