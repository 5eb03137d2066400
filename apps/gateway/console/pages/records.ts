import { rest } from '@tributary/client/browser';
import { Child, errorBox, field, h, show, table } from '../dom';
import { call } from '../gateway';
import { PageContext, pageHref, topicPath } from '../page';
import { RenderedBytes, renderBytes, VIEW_MODES, ViewMode } from '../record-view';

const DEFAULT_COUNT = 50;
/** The REST API's own bound on records per read. */
const MAX_COUNT = 1000;

/**
 * A range of one partition's records: from an offset (default the log start), up to a count, keys,
 * values and headers shown as JSON, text or base64. Read as bytes (format=binary) so that nothing
 * fails to decode; the view decides how to show them.
 */
export async function recordsPage({ gateway, root, params: [topic_name], query }: PageContext): Promise<void> {
  const cluster_id = await gateway.clusterId();
  const client = gateway.client;
  const [topic, offsets] = await Promise.all([call(rest.getTopic({ client, path: { cluster_id, topic_name }, throwOnError: true })), call(rest.getTopicOffsets({ client, path: { topic_name }, throwOnError: true }))]);
  const partition = clampInt(query.get('partition'), 0, topic.partitions_count - 1, 0);
  const range = offsets.partitions.find((p) => p.partition_id === partition);
  const offset = clampInt(query.get('offset'), 0, Number.MAX_SAFE_INTEGER, range?.earliest ?? 0);
  const count = clampInt(query.get('count'), 1, MAX_COUNT, DEFAULT_COUNT);
  const view = (VIEW_MODES as string[]).includes(query.get('view') ?? '') ? (query.get('view') as ViewMode) : 'auto';
  const go = (changes: Record<string, string | number>) => {
    location.hash = pageHref(topicPath(topic_name, '/records'), { partition, offset, count, view, ...changes });
  };

  const form: HTMLFormElement = h(
    'form',
    {
      'aria-label': 'Read records',
      onsubmit: (event: Event): void => {
        event.preventDefault();
        const chosen: Record<string, string> = { partition: field(form, 'partition'), count: field(form, 'count'), view: field(form, 'view') };
        const time = field(form, 'time');
        if (time === '') {
          go({ ...chosen, offset: field(form, 'offset') });
          return;
        }
        offsetAt(Number(chosen.partition), new Date(time)).then(
          (found) => go({ ...chosen, offset: found }),
          (error: unknown) => show(timeStatus, errorBox(error)),
        );
      },
    },
    h('label', null, 'Partition', h('select', { name: 'partition' }, Array.from({ length: topic.partitions_count }, (_, p) => h('option', { value: p, selected: p === partition }, String(p))))),
    h('label', null, 'From offset', h('input', { name: 'offset', type: 'number', min: 0, value: offset })),
    h('label', null, 'or from time', h('input', { name: 'time', type: 'datetime-local', step: 1 })),
    h('label', null, 'Records', h('input', { name: 'count', type: 'number', min: 1, max: MAX_COUNT, value: count })),
    h('label', null, 'Show as', h('select', { name: 'view' }, VIEW_MODES.map((mode) => h('option', { value: mode, selected: mode === view }, mode)))),
    h('button', { type: 'submit' }, 'Read'),
  );
  const timeStatus = h('div', { 'aria-live': 'polite' });
  /** The first offset of the partition at or after `time` (Kafka's ListOffsets by timestamp); the end when there is none. */
  const offsetAt = async (partition_id: number, time: Date): Promise<number> => {
    if (Number.isNaN(time.getTime())) throw new Error('the time is not valid');
    const found = await call(rest.getTopicOffsets({ client, path: { topic_name }, query: { timestamp: time.toISOString() }, throwOnError: true }));
    const at = found.partitions.find((p) => p.partition_id === partition_id);
    if (!at) throw new Error(`partition ${partition_id} is not in the topic`);
    return at.for_timestamp !== undefined && at.for_timestamp >= 0 ? at.for_timestamp : at.latest;
  };
  const heading = [h('h1', null, 'Records of ', h('a', { href: pageHref(topicPath(topic_name)) }, h('code', null, topic_name))), form, timeStatus];

  let result: Child;
  try {
    const read = await call(rest.readPartitionRecords({ client, path: { topic_name, partition_id: partition }, query: { offset, max_records: count, format: 'binary' }, throwOnError: true }));
    result = [
      h('p', { class: 'muted' }, `partition ${partition}: offsets ${range?.earliest ?? '?'} to ${read.high_watermark} (high watermark); ${read.records.length} shown`),
      read.records.length === 0
        ? h('p', { class: 'muted' }, offset >= read.high_watermark ? 'No records at or after this offset yet.' : 'No records in this range.')
        : table(
            'records',
            ['Offset', 'Timestamp', 'Key', 'Value', 'Headers'],
            read.records.map((r) => [
              String(r.offset),
              r.timestamp,
              bytesCell(renderBytes(asBase64(r.key), view)),
              bytesCell(renderBytes(asBase64(r.value), view)),
              r.headers.map((header) => h('div', null, h('b', null, `${header.name}: `), bytesCell(renderBytes(header.value, view), false))),
            ]),
            [true],
          ),
      h(
        'p',
        null,
        offset > (range?.earliest ?? 0) ? h('button', { class: 'secondary', onclick: () => go({ offset: Math.max(range?.earliest ?? 0, offset - count) }) }, 'Previous') : null,
        ' ',
        read.records.length > 0 ? h('button', { class: 'secondary', onclick: () => go({ offset: read.next_offset }) }, 'Next') : null,
      ),
    ];
  } catch (error) {
    result = errorBox(error);
  }
  show(root, heading, result);
}

/** A key, value or header value, under a label saying the form it is in (headers: without the label). */
export function bytesCell(rendered: RenderedBytes, labelled = true): HTMLElement {
  return h(
    'span',
    { class: 'bytes', 'data-kind': rendered.kind },
    labelled && rendered.kind !== 'null' ? h('span', { class: 'kind' }, rendered.kind) : null,
    rendered.kind === 'null' ? h('span', { class: 'muted' }, 'null') : rendered.kind === 'json' ? h('pre', null, rendered.text) : h('code', null, rendered.text),
    rendered.note ? h('span', { class: 'muted' }, ` (${rendered.note})`) : null,
  );
}

function asBase64(data: unknown): string | null {
  return typeof data === 'string' ? data : null;
}

function clampInt(text: string | null, min: number, max: number, fallback: number): number {
  const value = text === null || text === '' ? NaN : Number(text);
  return Number.isSafeInteger(value) ? Math.min(max, Math.max(min, value)) : fallback;
}
