// Kafka wire protocol: primitives, schema-driven message codecs, headers, framing, error codes.
export * from './errors';
export * from './error-codes';
export { Reader } from './reader';
export { Writer } from './writer';
export * from './schema';
export { MESSAGE_DECLARATIONS } from './schemas.generated';
export * from './types.generated';
export { compileMessage, ZERO_UUID } from './compile';
export type { MessageCodec, MessageValue, TypeCodec } from './compile';
export { messageCodec } from './registry';
export type { MessageKind } from './registry';
export * from './api-versions';
export * from './headers';
export * from './frames';
export { sampleMessage } from './sample-message';
