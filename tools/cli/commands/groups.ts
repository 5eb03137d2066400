import { Command, Option } from 'commander';
import { Admin, GroupDescription, ResetTarget, decodeAssignment } from '@tributary/client';
import { nonNegativeInteger, timestamp } from '../arguments';
import { CliError } from '../cli-errors';
import { GlobalOptions, withCluster } from '../cli-context';
import { columns, print } from '../output';

interface ResetOptions {
  topic: string;
  toEarliest?: boolean;
  toLatest?: boolean;
  toTimestamp?: number;
  toOffset?: number;
  dryRun?: boolean;
  execute?: boolean;
}

/** `tributary groups ...`: list, describe with lag, reset-offsets. */
export function groupsCommand(): Command {
  const groups = new Command('groups').description('consumer groups: list, describe with lag, reset offsets');

  groups
    .command('list')
    .description('every consumer group with its state')
    .action(async (_options: unknown, command: Command) => {
      await withCluster(command.optsWithGlobals<GlobalOptions>(), async ({ admin }) => {
        const listed = await admin.listGroups();
        if (listed.length === 0) process.stderr.write('no consumer groups\n');
        else print(columns(['GROUP', 'STATE', 'PROTOCOL-TYPE'], listed.map((g) => [g.groupId, g.state, g.protocolType])));
      });
    });

  groups
    .command('describe')
    .description("a group's state, members, and per partition: committed offset, log end offset, lag and owner")
    .argument('<group>', 'group id')
    .action(async (groupId: string, _options: unknown, command: Command) => {
      await withCluster(command.optsWithGlobals<GlobalOptions>(), (cluster) => describeGroup(cluster.admin, groupId));
    });

  groups
    .command('reset-offsets')
    .description("move a group's committed offsets of a topic (the group must have no active members); a dry run unless --execute")
    .argument('<group>', 'group id')
    .requiredOption('--topic <topic>', 'the topic whose partitions move')
    .option('--to-earliest', 'to the oldest record')
    .option('--to-latest', 'to the end (skip everything not yet consumed)')
    .option('--to-timestamp <time>', 'to the first record at or after this time (ISO-8601 or epoch ms)', timestamp)
    .option('--to-offset <n>', 'to this offset (clamped into each partition)', nonNegativeInteger)
    .addOption(new Option('--dry-run', 'only print the new offsets (the default)').conflicts('execute'))
    .option('--execute', 'commit the new offsets')
    .addHelpText('after', '\nExample:\n  tributary groups reset-offsets audit --topic events --to-earliest --execute')
    .action(async (groupId: string, options: ResetOptions, command: Command) => {
      const target = resetTarget(options);
      await withCluster(command.optsWithGlobals<GlobalOptions>(), async ({ admin }) => {
        if (options.execute) {
          const members = (await admin.describeGroup(groupId)).members.length;
          if (members > 0) {
            throw new CliError(`group ${groupId} has ${members} active member${members === 1 ? '' : 's'}; offsets can only be reset while the group is empty: stop its consumers first`);
          }
        }
        const current = new Map((await admin.fetchOffsets(groupId, [options.topic])).map((c) => [c.partition, c.offset]));
        const planned = await admin.resetOffsets(groupId, options.topic, target, { dryRun: !options.execute });
        print(columns(['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'], planned.map((p) => [p.topic, p.partition, offsetText(current.get(p.partition)), p.offset])));
        print(options.execute ? `committed the new offsets of group ${groupId}` : 'dry run: nothing changed; add --execute to commit these offsets');
      });
    });

  return groups;
}

function resetTarget(options: ResetOptions): ResetTarget {
  const targets: ResetTarget[] = [];
  if (options.toEarliest) targets.push('earliest');
  if (options.toLatest) targets.push('latest');
  if (options.toTimestamp !== undefined) targets.push({ timestamp: options.toTimestamp });
  if (options.toOffset !== undefined) targets.push({ offset: options.toOffset });
  if (targets.length !== 1) throw new CliError('give exactly one of --to-earliest, --to-latest, --to-timestamp, --to-offset', 2);
  return targets[0];
}

async function describeGroup(admin: Admin, groupId: string): Promise<void> {
  const [group, lags] = await Promise.all([admin.describeGroup(groupId), admin.groupLag(groupId)]);
  if (group.state === 'Dead' && lags.length === 0) throw new CliError(`group ${groupId} does not exist (no members, no committed offsets); see the groups with 'tributary groups list'`);
  const owners = partitionOwners(group);
  const rows = new Map<string, { topic: string; partition: number; committed: number | null; logEnd: number | null; lag: number | null }>();
  for (const l of lags) rows.set(`${l.topic}\u0000${l.partition}`, { ...l });
  // assigned partitions without a commit yet: the log end is still worth showing
  for (const topic of new Set([...owners.values()].map((o) => o.topic))) {
    const missing = [...owners.values()].filter((o) => o.topic === topic && !rows.has(`${o.topic}\u0000${o.partition}`));
    if (missing.length === 0) continue;
    const ends = new Map((await admin.listOffsets(topic, 'latest')).map((o) => [o.partition, o.offset]));
    for (const o of missing) rows.set(`${topic}\u0000${o.partition}`, { topic, partition: o.partition, committed: null, logEnd: ends.get(o.partition) ?? null, lag: null });
  }
  print(`Group: ${groupId}  State: ${group.state}  Protocol: ${group.protocol || '-'}  Members: ${group.members.length}`);
  const sorted = [...rows.entries()]
    .map(([key, row]) => ({ row, owner: owners.get(key) }))
    .sort((a, b) => (a.row.topic === b.row.topic ? a.row.partition - b.row.partition : a.row.topic < b.row.topic ? -1 : 1));
  print('');
  print(
    columns(
      ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'MEMBER'],
      sorted.map(({ row, owner }) => [row.topic, row.partition, offsetText(row.committed), offsetText(row.logEnd), row.lag ?? '-', owner?.memberId ?? '-']),
    ),
  );
  if (group.members.length > 0) {
    print('');
    print(
      columns(
        ['MEMBER', 'CLIENT-ID', 'HOST', 'PARTITIONS'],
        group.members.map((m) => [m.memberId, m.clientId, m.clientHost, [...owners.values()].filter((o) => o.memberId === m.memberId).map((o) => `${o.topic}-${o.partition}`).join(',') || '-']),
      ),
    );
  }
}

/** topic\0partition -> the member it is assigned to (consumer-protocol groups; others have opaque assignments). */
function partitionOwners(group: GroupDescription): Map<string, { topic: string; partition: number; memberId: string }> {
  const owners = new Map<string, { topic: string; partition: number; memberId: string }>();
  if (group.protocolType !== 'consumer') return owners;
  for (const member of group.members) {
    if (member.assignment.length === 0) continue; // not assigned yet (rebalancing)
    for (const [topic, partitions] of decodeAssignment(member.assignment)) {
      for (const partition of partitions) owners.set(`${topic}\u0000${partition}`, { topic, partition, memberId: member.memberId });
    }
  }
  return owners;
}

function offsetText(offset: number | null | undefined): string {
  return offset === null || offset === undefined || offset < 0 ? '-' : String(offset);
}
