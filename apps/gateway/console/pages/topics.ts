import { rest } from '@tributary/client/browser';
import { errorBox, field, h, show, table } from '../dom';
import { call } from '../gateway';
import { PageContext, pageHref, topicPath } from '../page';

/** Every topic, a form to create one and a button to delete each. */
export async function topicsPage(context: PageContext): Promise<void> {
  const { gateway, root } = context;
  const cluster_id = await gateway.clusterId();
  const status = h('div', { 'aria-live': 'polite' });
  const list = h('div');

  const refresh = async (): Promise<void> => {
    const topics = await call(rest.listTopics({ client: gateway.client, path: { cluster_id }, throwOnError: true }));
    const sorted = [...topics.data].sort((a, b) => Number(a.is_internal) - Number(b.is_internal) || a.topic_name.localeCompare(b.topic_name));
    show(
      list,
      sorted.length === 0
        ? h('p', { class: 'muted' }, 'No topics yet.')
        : table(
            'topics',
            ['Topic', 'Partitions', 'Replication', '', ''],
            sorted.map((t) => [
              h('a', { href: pageHref(topicPath(t.topic_name)) }, t.topic_name),
              String(t.partitions_count),
              String(t.replication_factor),
              t.is_internal ? h('span', { class: 'muted' }, 'internal') : h('a', { href: pageHref(topicPath(t.topic_name, '/records')) }, 'records'),
              t.is_internal ? null : h('button', { class: 'danger', 'aria-label': `Delete ${t.topic_name}`, onclick: () => void remove(t.topic_name) }, 'Delete'),
            ]),
            [false, true, true],
          ),
    );
  };

  const remove = async (topic_name: string): Promise<void> => {
    if (!confirm(`Delete topic ${topic_name} and all its records?`)) return;
    try {
      await call(rest.deleteTopic({ client: gateway.client, path: { cluster_id, topic_name }, throwOnError: true }));
      await refresh();
      show(status, h('p', { class: 'notice' }, `Deleted topic ${topic_name}.`));
    } catch (error) {
      show(status, errorBox(error));
    }
  };

  const form = h(
    'form',
    {
      'aria-label': 'Create topic',
      onsubmit: (event) => {
        event.preventDefault();
        void create();
      },
    },
    h('label', null, 'Name', h('input', { name: 'name', required: true, pattern: '[a-zA-Z0-9._\\-]{1,249}', title: '1-249 characters of a-z A-Z 0-9 . _ -' })),
    h('label', null, 'Partitions', h('input', { name: 'partitions', type: 'number', min: 1, value: 1, required: true })),
    h('label', null, 'Replication factor', h('input', { name: 'replication', type: 'number', min: 1, value: 1, required: true })),
    h('button', { type: 'submit' }, 'Create topic'),
  );

  const create = async (): Promise<void> => {
    const topic_name = field(form, 'name').trim();
    try {
      await call(
        rest.createTopic({
          client: gateway.client,
          path: { cluster_id },
          body: { topic_name, partitions_count: Number(field(form, 'partitions')), replication_factor: Number(field(form, 'replication')) },
          throwOnError: true,
        }),
      );
      form.reset();
      await refresh();
      show(status, h('p', { class: 'notice' }, 'Created topic ', h('a', { href: pageHref(topicPath(topic_name)) }, topic_name), '.'));
    } catch (error) {
      show(status, errorBox(error));
    }
  };

  await refresh();
  show(root, h('h1', null, 'Topics'), h('h2', null, 'Create a topic'), form, status, list);
}
