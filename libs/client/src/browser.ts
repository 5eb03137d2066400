// The parts of the SDK that run in a browser, for bundlers (index.ts also exports the native Kafka
// client, which needs node:net): the REST SDK generated from the gateway's OpenAPI document, its
// fetch client, and the WebSocket subscription helper.
export * as rest from './rest/generated';
export { createClient, createConfig } from './rest/generated/client';
export type { Client } from './rest/generated/client';
export * from './gateway/ws-subscription';
