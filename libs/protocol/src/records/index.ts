// Record batches (v2): builder, lazy reader, compression codecs, control records.
export * from './errors';
export { BATCH, ATTRIBUTES, MAGIC_V2 } from './batch-layout';
export * from './batch-peek';
export * from './compression';
export * from './record-batch-builder';
export * from './record-batch';
export * from './control-records';
