import { GatewayRecord, GatewaySubscription, rest } from '@tributary/client/browser';
import { errorBox, field, h, show } from '../dom';
import { call } from '../gateway';
import { PageContext, pageHref, topicPath } from '../page';
import { renderDelivered, VIEW_MODES, ViewMode } from '../record-view';
import { bytesCell } from './records';

/** Rows kept on screen; older ones are dropped (the browser's memory is bounded, not the topic). */
const MAX_ROWS = 500;
const DEFAULT_CREDIT = 100;

/**
 * Records of a topic as they arrive, over the WebSocket endpoint: every partition, from the end
 * (or the start), with credit-based flow control. Pausing stops granting credit, so the gateway
 * stops sending once the window is used up and holds the rest in the topic, not in the page.
 */
export async function tailPage({ gateway, root, params: [topic_name], signal }: PageContext): Promise<void> {
  // asked first so that an unknown topic or missing credentials show at once, not as a failing socket
  const cluster_id = await gateway.clusterId();
  const topic = await call(rest.getTopic({ client: gateway.client, path: { cluster_id, topic_name }, throwOnError: true }));
  let subscription: GatewaySubscription | null = null;
  let resumeGate: (() => void) | null = null;
  let paused = false;
  let received = 0;
  let view: ViewMode = 'auto';

  const state = h('span', { 'data-testid': 'tail-state' }, 'stopped');
  const count = h('span', { 'data-testid': 'tail-count' }, '0');
  const problems = h('div', { 'aria-live': 'polite' });
  const rows = h('tbody');
  const pauseButton = h('button', { type: 'button', class: 'secondary', disabled: true, onclick: () => togglePause() }, 'Pause');
  const stopButton = h('button', { type: 'button', class: 'secondary', disabled: true, onclick: () => void stop() }, 'Stop');

  const form = h(
    'form',
    {
      'aria-label': 'Live tail',
      onsubmit: (event) => {
        event.preventDefault();
        void start();
      },
    },
    h('label', null, 'From', h('select', { name: 'from' }, h('option', { value: 'latest' }, 'new records (latest)'), h('option', { value: 'earliest' }, 'the start (earliest)'))),
    h('label', null, 'Credit (records in flight)', h('input', { name: 'credit', type: 'number', min: 1, max: 10000, value: DEFAULT_CREDIT })),
    h('label', null, 'Show as', h('select', { name: 'view' }, VIEW_MODES.map((mode) => h('option', { value: mode }, mode)))),
    h('button', { type: 'submit', name: 'start' }, 'Start'),
    pauseButton,
    stopButton,
  );
  const startButton = form.elements.namedItem('start') as HTMLButtonElement;

  const setState = (text: string, running: boolean) => {
    state.textContent = text;
    startButton.disabled = running;
    pauseButton.disabled = stopButton.disabled = !running;
  };

  const addRow = (record: GatewayRecord) => {
    received++;
    count.textContent = String(received);
    const row = h(
      'tr',
      null,
      h('td', { class: 'num' }, String(record.partition)),
      h('td', { class: 'num' }, String(record.offset)),
      h('td', null, record.timestamp ?? ''),
      h('td', null, bytesCell(renderDelivered(record.key, record.key_format === 'binary', view))),
      h('td', null, bytesCell(renderDelivered(record.value, record.value_format === 'binary', view))),
      h('td', null, record.headers.map((header) => h('div', null, h('b', null, `${header.name}: `), bytesCell(renderDelivered(header.value, header.format === 'binary', view), false)))),
    );
    rows.prepend(row);
    while (rows.childElementCount > MAX_ROWS) rows.lastElementChild?.remove();
  };

  const start = async () => {
    const credit = Number(field(form, 'credit'));
    view = field(form, 'view') as ViewMode;
    show(problems);
    try {
      subscription = new GatewaySubscription({
        url: gateway.webSocketUrl(),
        topics: [topic_name],
        from: field(form, 'from') === 'earliest' ? 'earliest' : 'latest',
        credit,
        token: gateway.credential?.secret,
        onError: (error) => show(problems, h('p', { class: 'muted' }, error.message)),
      });
    } catch (error) {
      show(problems, errorBox(error));
      return;
    }
    const current = subscription;
    setState('connecting', true);
    try {
      await current.start();
    } catch (error) {
      if (subscription === current) {
        subscription = null;
        setState('stopped', false);
        show(problems, errorBox(error));
      }
      return;
    }
    setState('live', true);
    // the helper grants credit back as each handler call returns: while paused it returns nothing
    current
      .onRecord(async (record) => {
        addRow(record);
        if (paused) await new Promise<void>((resolve) => (resumeGate = resolve));
      })
      .catch((error: unknown) => {
        if (subscription === current) show(problems, errorBox(error));
      })
      .finally(() => {
        if (subscription === current) {
          subscription = null;
          setState('stopped', false);
        }
      });
  };

  const togglePause = () => {
    paused = !paused;
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    state.textContent = paused ? 'paused (no credit granted)' : 'live';
    if (!paused) {
      resumeGate?.();
      resumeGate = null;
    }
  };

  const stop = async () => {
    const current = subscription;
    subscription = null;
    paused = false;
    pauseButton.textContent = 'Pause';
    resumeGate?.();
    resumeGate = null;
    setState('stopped', false);
    await current?.close();
  };

  signal.addEventListener('abort', () => void stop());
  show(
    root,
    h('h1', null, 'Live tail of ', h('a', { href: pageHref(topicPath(topic_name)) }, h('code', null, topic_name))),
    form,
    h('p', { class: 'muted' }, `every partition (${topic.partitions_count}) of the topic`),
    h('p', null, 'State: ', state, ' · records received: ', count, h('span', { class: 'muted' }, ` (the newest ${MAX_ROWS} are kept)`)),
    problems,
    h('table', { 'data-testid': 'tail' }, h('thead', null, h('tr', null, ['Partition', 'Offset', 'Timestamp', 'Key', 'Value', 'Headers'].map((t) => h('th', null, t)))), rows),
  );
}
