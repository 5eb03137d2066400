import { apiDeclarations } from './api-versions';
import { MessageCodec, compileMessage } from './compile';
import { KafkaProtocolError } from './errors';

export type MessageKind = 'request' | 'response';

const cache = new Map<number, MessageCodec>();

/**
 * The compiled codec of one API version's request or response. Compiled on first use and then
 * cached, so only the APIs a process actually speaks pay the compile cost.
 */
export function messageCodec(apiKey: number, apiVersion: number, kind: MessageKind): MessageCodec {
  const cacheKey = (apiKey * 1024 + apiVersion) * 2 + (kind === 'request' ? 0 : 1);
  let codec = cache.get(cacheKey);
  if (codec === undefined) {
    const api = apiDeclarations(apiKey);
    if (api === undefined || apiVersion < api.minVersion || apiVersion > api.maxVersion) {
      throw new KafkaProtocolError(
        'UNSUPPORTED_VERSION',
        `unsupported ${kind} api key ${apiKey} version ${apiVersion}` +
          (api ? ` (supported ${api.minVersion}-${api.maxVersion})` : ''),
      );
    }
    codec = compileMessage(kind === 'request' ? api.request : api.response, apiVersion);
    cache.set(cacheKey, codec);
  }
  return codec;
}
