import { rest } from '@tributary/client/browser';
import { h, show, table } from '../dom';
import { call } from '../gateway';
import { PageContext } from '../page';

/** The cluster at a glance: its id, the controller, the live brokers and how many topics. */
export async function overviewPage({ gateway, root }: PageContext): Promise<void> {
  const cluster_id = await gateway.clusterId();
  const options = { client: gateway.client, path: { cluster_id }, throwOnError: true } as const;
  const [cluster, brokers, topics] = await Promise.all([call(rest.getCluster(options)), call(rest.listBrokers(options)), call(rest.listTopics(options))]);
  // the controller is linked as .../brokers/{id}
  const controllerId = cluster.controller ? Number(cluster.controller.related.split('/').pop()) : null;
  const internal = topics.data.filter((t) => t.is_internal).length;
  const partitions = topics.data.reduce((sum, t) => sum + t.partitions_count, 0);
  show(
    root,
    h('h1', null, 'Cluster ', h('code', null, cluster.cluster_id)),
    h(
      'div',
      { class: 'stats' },
      stat('brokers', brokers.data.length, 'broker-count'),
      stat('controller', controllerId ?? 'none', 'controller'),
      stat('topics', topics.data.length - internal, 'topic-count', internal > 0 ? `+ ${internal} internal` : undefined),
      stat('partitions', partitions, 'partition-count'),
    ),
    h('h2', null, 'Brokers'),
    table(
      'brokers',
      ['Broker', 'Host', 'Port', 'Rack', 'Role'],
      brokers.data.map((b) => [String(b.broker_id), b.host, String(b.port), b.rack ?? '', b.broker_id === controllerId ? 'controller' : '']),
      [true, false, true],
    ),
  );
}

function stat(label: string, value: string | number, testId: string, note?: string): HTMLElement {
  return h('div', { class: 'stat' }, h('b', { 'data-testid': testId }, String(value)), label, note ? h('span', { class: 'muted' }, ` (${note})`) : null);
}
