import { rest } from '@tributary/client/browser';
import { errorBox, field, h, show, table } from '../dom';
import { call } from '../gateway';
import { PageContext, pageHref, topicPath } from '../page';

/** One topic: its partitions (leader, replicas, in-sync replicas, offsets) and its configs, which can be set and reset. */
export async function topicPage({ gateway, root, params: [topic_name] }: PageContext): Promise<void> {
  const cluster_id = await gateway.clusterId();
  const path = { cluster_id, topic_name };
  const client = gateway.client;
  const [topic, partitions, offsets] = await Promise.all([
    call(rest.getTopic({ client, path, throwOnError: true })),
    call(rest.listPartitions({ client, path, throwOnError: true })),
    call(rest.getTopicOffsets({ client, path: { topic_name }, throwOnError: true })),
  ]);
  const replicas = await Promise.all(partitions.data.map((p) => call(rest.listReplicas({ client, path: { ...path, partition_id: p.partition_id }, throwOnError: true }))));
  const offsetsOf = new Map(offsets.partitions.map((o) => [o.partition_id, o]));
  const brokerIds = (list: { broker_id: number }[]) => list.map((r) => r.broker_id).join(', ');

  const configStatus = h('div', { 'aria-live': 'polite' });
  const configList = h('div');
  const refreshConfigs = async (): Promise<void> => {
    const configs = await call(rest.listTopicConfigs({ client, path, throwOnError: true }));
    const sorted = [...configs.data].sort((a, b) => Number(a.is_default) - Number(b.is_default) || a.name.localeCompare(b.name));
    show(
      configList,
      table(
        'configs',
        ['Name', 'Value', 'Source', ''],
        sorted.map((c) => [
          c.name,
          c.is_sensitive ? '(sensitive)' : (c.value ?? ''),
          h('span', { class: c.is_default ? 'muted' : undefined }, c.source),
          c.is_default || c.is_read_only ? null : h('button', { class: 'secondary', 'aria-label': `Reset ${c.name}`, onclick: () => void change(c.name, null) }, 'Reset'),
        ]),
      ),
    );
  };
  /** Sets a config (value) or resets it to its default (null), then shows the configs again. */
  const change = async (name: string, value: string | null): Promise<void> => {
    try {
      if (value === null) await call(rest.resetTopicConfig({ client, path: { ...path, name }, throwOnError: true }));
      else await call(rest.updateTopicConfig({ client, path: { ...path, name }, body: { value }, throwOnError: true }));
      await refreshConfigs();
      show(configStatus, h('p', { class: 'notice' }, value === null ? `Reset ${name} to its default.` : `Set ${name} to ${value}.`));
    } catch (error) {
      show(configStatus, errorBox(error));
    }
  };
  const configForm = h(
    'form',
    {
      'aria-label': 'Set a config',
      onsubmit: (event) => {
        event.preventDefault();
        void change(field(configForm, 'name').trim(), field(configForm, 'value'));
      },
    },
    h('label', null, 'Config', h('input', { name: 'name', required: true, placeholder: 'retention.ms' })),
    h('label', null, 'Value', h('input', { name: 'value', required: true })),
    h('button', { type: 'submit' }, 'Set'),
  );
  await refreshConfigs();

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
    configForm,
    configStatus,
    configList,
  );
}
