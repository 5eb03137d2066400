import { rest } from '@tributary/client/browser';
import { errorBox, h, show, table } from '../dom';
import { call } from '../gateway';
import { PageContext, pageHref, topicPath } from '../page';

/** How often an open group page reads the lag again. */
const REFRESH_INTERVAL_MS = 5_000;

/** Every consumer group with its state and total lag. */
export async function groupsPage({ gateway, root }: PageContext): Promise<void> {
  const cluster_id = await gateway.clusterId();
  const client = gateway.client;
  const groups = await call(rest.listConsumerGroups({ client, path: { cluster_id }, throwOnError: true }));
  const sorted = [...groups.data].sort((a, b) => a.consumer_group_id.localeCompare(b.consumer_group_id));
  // a group without committed offsets has no lag to sum: shown as a dash, not as an error
  const lags = await Promise.all(sorted.map((g) => call(rest.getConsumerLagSummary({ client, path: { cluster_id, consumer_group_id: g.consumer_group_id }, throwOnError: true })).catch(() => null)));
  show(
    root,
    h('h1', null, 'Consumer groups'),
    sorted.length === 0
      ? h('p', { class: 'muted' }, 'No consumer groups yet.')
      : table(
          'groups',
          ['Group', 'State', 'Assignor', 'Total lag', 'Largest lag'],
          sorted.map((g, i) => {
            const lag = lags[i];
            return [
              h('a', { href: pageHref(`/groups/${encodeURIComponent(g.consumer_group_id)}`) }, g.consumer_group_id),
              g.state,
              g.partition_assignor || (g.is_simple ? 'simple' : ''),
              lag ? String(lag.total_lag) : '–',
              lag && lag.max_lag > 0 ? `${lag.max_lag} (${lag.max_lag_topic_name}-${lag.max_lag_partition_id})` : '',
            ];
          }),
          [false, false, false, true],
        ),
  );
}

/** One group: its members and, per partition, the committed offset, the log end and the lag; refreshed while open. */
export async function groupPage({ gateway, root, params: [consumer_group_id], signal }: PageContext): Promise<void> {
  const cluster_id = await gateway.clusterId();
  const client = gateway.client;
  const path = { cluster_id, consumer_group_id };
  const body = h('div');
  const updated = h('span', { class: 'muted', 'data-testid': 'lag-updated' });

  const refresh = async (): Promise<void> => {
    const [group, members, lags] = await Promise.all([
      call(rest.getConsumerGroup({ client, path, throwOnError: true })),
      call(rest.listGroupConsumers({ client, path, throwOnError: true })),
      call(rest.listConsumerLags({ client, path, throwOnError: true })),
    ]);
    const rows = [...lags.data].sort((a, b) => a.topic_name.localeCompare(b.topic_name) || a.partition_id - b.partition_id);
    const total = rows.reduce((sum, r) => sum + (r.lag ?? 0), 0);
    show(
      body,
      h('p', null, `state ${group.state} · assignor ${group.partition_assignor || '–'} · ${members.data.length} members · total lag `, h('b', { 'data-testid': 'total-lag' }, String(total))),
      h('h2', null, 'Lag per partition'),
      rows.length === 0
        ? h('p', { class: 'muted' }, 'The group has committed no offsets.')
        : table(
            'lags',
            ['Topic', 'Partition', 'Committed offset', 'Log end offset', 'Lag', 'Consumer'],
            rows.map((r) => [h('a', { href: pageHref(topicPath(r.topic_name)) }, r.topic_name), String(r.partition_id), String(r.current_offset), r.log_end_offset === null ? 'topic gone' : String(r.log_end_offset), r.lag === null ? '–' : String(r.lag), r.client_id || r.consumer_id || h('span', { class: 'muted' }, 'unassigned')]),
            [false, true, true, true, true],
          ),
      h('h2', null, 'Members'),
      members.data.length === 0
        ? h('p', { class: 'muted' }, 'No members: the group is not consuming now.')
        : table('members', ['Member', 'Client', 'Host', 'Static id'], members.data.map((m) => [m.consumer_id, m.client_id, m.host, m.instance_id ?? ''])),
    );
    updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
  };

  await refresh();
  if (signal.aborted) return; // left while loading: no timer for a page nobody sees
  const timer = setInterval(() => {
    refresh().catch((error: unknown) => show(body, errorBox(error)));
  }, REFRESH_INTERVAL_MS);
  signal.addEventListener('abort', () => clearInterval(timer));
  show(
    root,
    h('h1', null, 'Consumer group ', h('code', null, consumer_group_id)),
    h('p', null, h('button', { class: 'secondary', onclick: () => void refresh().catch((error: unknown) => show(body, errorBox(error))) }, 'Refresh'), ' ', updated),
    body,
  );
}
