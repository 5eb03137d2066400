import { rest } from '@tributary/client/browser';
import { errorBox, field, h, show } from '../dom';
import { call } from '../gateway';
import { PageContext, pageHref, topicPath } from '../page';
import { encodeUtf8 } from '../record-view';

type DataType = 'STRING' | 'JSON' | 'BINARY';
const DATA_TYPES: DataType[] = ['STRING', 'JSON', 'BINARY'];

/** A form that produces one record (key, value, headers, partition) through the REST API. */
export async function producePage({ gateway, root, params: [topic_name] }: PageContext): Promise<void> {
  const cluster_id = await gateway.clusterId();
  const topic = await call(rest.getTopic({ client: gateway.client, path: { cluster_id, topic_name }, throwOnError: true }));
  const status = h('div', { 'aria-live': 'polite' });
  const typeSelect = (name: string, selected: DataType) => h('select', { name }, DATA_TYPES.map((type) => h('option', { value: type, selected: type === selected }, type)));

  const form = h(
    'form',
    {
      class: 'stacked',
      'aria-label': 'Produce a record',
      onsubmit: (event) => {
        event.preventDefault();
        void produce();
      },
    },
    h(
      'label',
      null,
      'Partition',
      h('select', { name: 'partition' }, h('option', { value: '' }, 'by key (murmur2), or sticky without a key'), Array.from({ length: topic.partitions_count }, (_, p) => h('option', { value: p }, String(p)))),
    ),
    h('label', null, 'Key type', typeSelect('keyType', 'STRING')),
    h('label', null, 'Key (empty: no key)', h('input', { name: 'key' })),
    h('label', null, 'Value type', typeSelect('valueType', 'JSON')),
    h('label', null, 'Value (empty: a null value, a tombstone)', h('textarea', { name: 'value', rows: 6 })),
    h('label', null, 'Headers, one "name: value" a line', h('textarea', { name: 'headers', rows: 3 })),
    h('button', { type: 'submit' }, 'Produce'),
  );

  const produce = async (): Promise<void> => {
    try {
      const partition = field(form, 'partition');
      const produced = await call(
        rest.produceRecord({
          client: gateway.client,
          path: { cluster_id, topic_name },
          body: {
            ...(partition === '' ? {} : { partition_id: Number(partition) }),
            key: data('key', field(form, 'key'), field(form, 'keyType') as DataType),
            value: data('value', field(form, 'value'), field(form, 'valueType') as DataType),
            headers: parseHeaders(field(form, 'headers')),
          },
          throwOnError: true,
        }),
      );
      show(
        status,
        h(
          'p',
          { class: 'notice', role: 'status' },
          `Produced to partition ${produced.partition_id} at offset ${produced.offset}. `,
          h('a', { href: pageHref(topicPath(topic_name, '/records'), { partition: produced.partition_id, offset: produced.offset }) }, 'See it in the record browser'),
        ),
      );
    } catch (error) {
      show(status, errorBox(error));
    }
  };

  show(root, h('h1', null, 'Produce to ', h('a', { href: pageHref(topicPath(topic_name)) }, h('code', null, topic_name))), form, status);
}

/** The REST API's {type, data} for a key or value typed into the form; null when left empty. */
function data(what: string, text: string, type: DataType): { type: DataType; data: unknown } | null {
  if (text === '') return null;
  if (type === 'JSON') {
    try {
      return { type, data: JSON.parse(text) as unknown };
    } catch (error) {
      throw new Error(`the ${what} is not JSON: ${(error as Error).message}`);
    }
  }
  if (type === 'BINARY' && !/^[A-Za-z0-9+/]*={0,2}$/.test(text.trim())) throw new Error(`the ${what} is not base64`);
  return { type, data: type === 'BINARY' ? text.trim() : text };
}

/** `name: value` lines as the REST API's headers (values base64 of their UTF-8). */
function parseHeaders(text: string): { name: string; value: string }[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`a header line is "name: value", not "${line}"`);
      return { name: line.slice(0, colon).trim(), value: encodeUtf8(line.slice(colon + 1).trim()) };
    });
}
