import { rest } from '@tributary/client/browser';
import { h, show, table } from '../dom';
import { call } from '../gateway';
import { PageContext, pageHref, topicPath } from '../page';

/** One topic: its partitions (leader, replicas, in-sync replicas, offsets) and its configs. */
export async function topicPage({ gateway, root, params: [topic_name] }: PageContext): Promise<void> {
  const cluster_id = await gateway.clusterId();
  const path = { cluster_id, topic_name };
  const client = gateway.client;
  const [topic, partitions, offsets, configs] = await Promise.all([
    call(rest.getTopic({ client, path, throwOnError: true })),
    call(rest.listPartitions({ client, path, throwOnError: true })),
    call(rest.getTopicOffsets({ client, path: { topic_name }, throwOnError: true })),
    call(rest.listTopicConfigs({ client, path, throwOnError: true })),
  ]);
  const replicas = await Promise.all(partitions.data.map((p) => call(rest.listReplicas({ client, path: { ...path, partition_id: p.partition_id }, throwOnError: true }))));
  const offsetsOf = new Map(offsets.partitions.map((o) => [o.partition_id, o]));
  const brokerIds = (list: { broker_id: number }[]) => list.map((r) => r.broker_id).join(', ');

  show(
    root,
    h('h1', null, 'Topic ', h('code', null, topic.topic_name), topic.is_internal ? h('span', { class: 'muted' }, ' (internal)') : null),
    h(
      'div',
      { class: 'tabs' },
      h('a', { href: pageHref(topicPath(topic_name, '/records')) }, 'Browse records'),
      h('a', { href: pageHref(topicPath(topic_name, '/produce')) }, 'Produce a record'),
      h('a', { href: pageHref(topicPath(topic_name, '/tail')) }, 'Live tail'),
    ),
    h('p', { class: 'muted' }, `id ${topic.topic_id} · ${topic.partitions_count} partitions · replication factor ${topic.replication_factor}`),
    h('h2', null, 'Partitions'),
    table(
      'partitions',
      ['Partition', 'Leader', 'Replicas', 'In sync', 'Start offset', 'End offset', 'Records'],
      partitions.data.map((p, i) => {
        const list = replicas[i].data;
        const leader = list.find((r) => r.is_leader);
        const range = offsetsOf.get(p.partition_id);
        return [
          h('a', { href: pageHref(topicPath(topic_name, '/records'), { partition: p.partition_id }) }, String(p.partition_id)),
          leader ? String(leader.broker_id) : h('span', { class: 'error-text' }, 'none'),
          brokerIds(list),
          brokerIds(list.filter((r) => r.is_in_sync)),
          range ? String(range.earliest) : '',
          range ? String(range.latest) : '',
          range ? String(range.latest - range.earliest) : '',
        ];
      }),
      [true, true, false, false, true, true, true],
    ),
    h('h2', null, 'Configs'),
    table(
      'configs',
      ['Name', 'Value', 'Source'],
      [...configs.data].sort((a, b) => Number(a.is_default) - Number(b.is_default) || a.name.localeCompare(b.name)).map((c) => [c.name, c.is_sensitive ? '(sensitive)' : (c.value ?? ''), h('span', { class: c.is_default ? 'muted' : undefined }, c.source)]),
    ),
  );
}
