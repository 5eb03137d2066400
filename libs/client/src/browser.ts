// '@tributary/client/browser': the parts of the SDK that run in a browser, for bundlers (index.ts
// also exports the native Kafka client, which needs node:net): the REST SDK generated from the
// gateway's OpenAPI document with createGatewayClient (the same `rest` as the main entry), its
// fetch client, and the WebSocket subscription helper. Nothing here may import a Node module:
// tools/cluster/client-package.spec.ts bundles this entry for the browser platform.
export * as rest from './rest';
export { createClient, createConfig } from './rest/generated/client';
export type { Client } from './rest/generated/client';
export * from './gateway/ws-subscription';
