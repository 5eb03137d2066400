import { DecodedRequest, RequestApiKey, RequestBodyByApiKey, UnsupportedRequestError, decodeRequest, encodeApiVersionsUnsupported, encodeResponse, encodeResponsePieces, apiDeclarations } from '@tributary/protocol';
import { ConnectionInfo } from '../network/kafka-server';
import { BrokerContext } from './broker-context';
import { handleCreatePartitions, handleCreateTopics, handleDeleteTopics, handleElectLeaders } from './handlers/admin-topics.handler';
import { handleCreateAcls, handleDeleteAcls, handleDescribeAcls } from './handlers/acls.handler';
import { handleApiVersions } from './handlers/api-versions.handler';
import { handleSaslAuthenticate, handleSaslHandshake } from './handlers/sasl.handler';
import { authorizeRequest } from '../security/request-authorization';
import { handleAlterConfigs, handleDescribeConfigs, handleIncrementalAlterConfigs } from './handlers/configs.handler';
import { handleInitProducerId } from './handlers/init-producer-id.handler';
import { handleDeleteRecords, handleOffsetForLeaderEpoch } from './handlers/partitions-admin.handler';
import { handleDescribeCluster } from './handlers/describe-cluster.handler';
import { GroupHandlers } from './handlers/groups.handler';
import { handleFetch } from './handlers/fetch.handler';
import { handleListOffsets } from './handlers/list-offsets.handler';
import { handleMetadata } from './handlers/metadata.handler';
import { handleProduce } from './handlers/produce.handler';
import {
  handleAddOffsetsToTxn,
  handleAddPartitionsToTxn,
  handleDescribeProducers,
  handleDescribeTransactions,
  handleEndTxn,
  handleListTransactions,
  handleTxnOffsetCommit,
  handleWriteTxnMarkers,
} from './handlers/transactions.handler';
import { endpointOf } from './broker-context';

/** ApiVersions, SaslHandshake and SaslAuthenticate: what a client may send before it logs in. */
const BEFORE_LOGIN = new Set([17, 18, 36]);

/** The answer body of one API, or null for "no response" (acks=0). */
type Answer = object | null;

/** An API served by this broker: decoded request in, response body out. */
export type ApiHandler = (request: DecodedRequest, connection: ConnectionInfo) => Answer | Promise<Answer>;

/**
 * The top of the data path: frame -> decoded request -> API handler -> encoded response. An
 * ApiVersions request we cannot parse gets Kafka's v0 UNSUPPORTED_VERSION answer (so the client
 * retries lower); any other undecodable or unserved request closes the connection (by throwing),
 * as Kafka does.
 */
export class KafkaRequestHandler {
  private readonly handlers = new Map<number, ApiHandler>();

  constructor(
    private readonly ctx: BrokerContext,
    extra: ReadonlyMap<number, ApiHandler> = new Map(),
  ) {
    const on = <K extends RequestApiKey>(apiKey: K, handle: (body: RequestBodyByApiKey[K], request: DecodedRequest, connection: ConnectionInfo) => Answer | Promise<Answer>) => {
      this.handlers.set(apiKey, (request, connection) => handle(request.body as RequestBodyByApiKey[K], request, connection));
    };
    const groups = new GroupHandlers(ctx.groups, async (transactionalId) => {
      const answer = await ctx.transactions.findCoordinator(transactionalId);
      const endpoint = answer.errorCode === 0 ? endpointOf(ctx, answer.nodeId) : undefined;
      if (answer.errorCode === 0 && !endpoint) return { errorCode: 15, errorMessage: 'the coordinator has no endpoint on this listener', nodeId: -1, host: '', port: -1 };
      return { ...answer, host: endpoint?.host ?? '', port: endpoint?.port ?? -1 };
    });
    on(8, (body, r) => groups.offsetCommit(body, r.apiVersion));
    on(9, (body, r) => groups.offsetFetch(body, r.apiVersion));
    on(10, (body, r) => groups.findCoordinator(body, r.apiVersion));
    on(11, (body, r, connection) => groups.joinGroup(body, r.apiVersion, r.header, connection));
    on(12, (body, r) => groups.heartbeat(body, r.apiVersion));
    on(13, (body, r) => groups.leaveGroup(body, r.apiVersion));
    on(14, (body, r) => groups.syncGroup(body, r.apiVersion));
    on(15, (body, r) => groups.describeGroups(body, r.apiVersion));
    on(16, (body, r) => groups.listGroups(body, r.apiVersion));
    on(42, (body) => groups.deleteGroups(body));
    on(43, (body, r) => handleElectLeaders(ctx, body, r.apiVersion));
    on(47, (body) => groups.offsetDelete(body));
    on(0, (body, r) => handleProduce(ctx, body, r.apiVersion));
    on(1, (body, r) => handleFetch(ctx, body, r.apiVersion));
    on(2, (body, r) => handleListOffsets(ctx, body, r.apiVersion));
    on(3, (body, r) => handleMetadata(ctx, body, r.apiVersion));
    on(17, (body, _r, connection) => handleSaslHandshake(ctx.sasl, body, connection));
    on(18, (body, r) => handleApiVersions(body, r.apiVersion));
    on(36, (body, r, connection) => handleSaslAuthenticate(ctx.sasl, body, r.apiVersion, connection));
    on(19, (body, r) => handleCreateTopics(ctx, body, r.apiVersion));
    on(20, (body, r) => handleDeleteTopics(ctx, body, r.apiVersion));
    on(21, (body) => handleDeleteRecords(ctx, body));
    on(22, (body, r) => handleInitProducerId(ctx, body, r.apiVersion));
    on(24, (body, r) => handleAddPartitionsToTxn(ctx, body, r.apiVersion));
    on(25, (body, r) => handleAddOffsetsToTxn(ctx, body, r.apiVersion));
    on(26, (body, r) => handleEndTxn(ctx, body, r.apiVersion));
    on(27, (body) => handleWriteTxnMarkers(ctx, body));
    on(28, (body, r) => handleTxnOffsetCommit(ctx, body, r.apiVersion));
    on(61, (body) => handleDescribeProducers(ctx, body));
    on(65, (body) => handleDescribeTransactions(ctx, body));
    on(66, (body, r) => handleListTransactions(ctx, body, r.apiVersion));
    on(23, (body) => handleOffsetForLeaderEpoch(ctx, body));
    on(29, (body) => handleDescribeAcls(ctx, body));
    on(30, (body) => handleCreateAcls(ctx, body));
    on(31, (body) => handleDeleteAcls(ctx, body));
    on(32, (body, r) => handleDescribeConfigs(ctx, body, r.apiVersion));
    on(33, (body) => handleAlterConfigs(ctx, body));
    on(37, (body) => handleCreatePartitions(ctx, body));
    on(44, (body) => handleIncrementalAlterConfigs(ctx, body));
    on(60, (body, r) => handleDescribeCluster(ctx, body, r.apiVersion));
    for (const [apiKey, handler] of extra) this.handlers.set(apiKey, handler);
  }

  /** The API keys this broker answers (the rest are advertised by the codec but not served yet). */
  servedApiKeys(): number[] {
    return [...this.handlers.keys()].sort((a, b) => a - b);
  }

  async handle(frame: Buffer, connection: ConnectionInfo): Promise<Buffer | Buffer[] | null> {
    let request: DecodedRequest;
    try {
      request = decodeRequest(frame);
    } catch (error) {
      if (error instanceof UnsupportedRequestError && error.header.requestApiKey === 18) {
        const range = apiDeclarations(18);
        return encodeApiVersionsUnsupported(error.header.correlationId, range?.minVersion ?? 0, range?.maxVersion ?? 0);
      }
      throw error;
    }
    const handler = this.handlers.get(request.apiKey);
    if (!handler) throw new Error(`API ${request.apiKey} v${request.apiVersion} is not served by this broker yet`);
    if (this.ctx.sasl && !connection.session.authenticated && !BEFORE_LOGIN.has(request.apiKey)) {
      throw new Error(`API ${request.apiKey} before SASL authentication`); // Kafka closes such a connection too
    }
    const decision = authorizeRequest(this.ctx.authorizer, this.ctx.metadata(), request, connection);
    if (decision.kind === 'deny') return encodeResponse(request.apiKey, request.apiVersion, request.header.correlationId, decision.response as never);
    const startedMs = performance.now();
    const body = await handler(decision.body === request.body ? request : ({ ...request, body: decision.body } as DecodedRequest), connection);
    this.ctx.metrics.request(request.apiKey, performance.now() - startedMs);
    if (body === null) return null;
    decision.addDenied?.(body as never);
    return encodeResponsePieces(request.apiKey, request.apiVersion, request.header.correlationId, body as never);
  }
}
