import { DescribeClusterRequest, DescribeClusterResponse, Encodable } from '@tributary/protocol';
import { BrokerContext, endpointOf } from '../broker-context';
import { since } from '../versioned';

/** DescribeCluster: the cluster id and the live brokers with their advertised endpoints. */
export function handleDescribeCluster(ctx: BrokerContext, _request: DescribeClusterRequest, apiVersion: number): Encodable<DescribeClusterResponse> {
  const brokers = ctx.metadata().activeBrokers().flatMap((b) => {
    const endpoint = endpointOf(ctx, b.brokerId);
    return endpoint ? [{ brokerId: b.brokerId, host: endpoint.host, port: endpoint.port, rack: endpoint.rack }] : [];
  });
  return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, endpointType: since(apiVersion, 1, 1), clusterId: ctx.clusterId, controllerId: ctx.brokerId, brokers };
}
