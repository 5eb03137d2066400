import { Command } from 'commander';
import { KafkaProtocolError } from '@tributary/protocol';
import { collect, keyValue, positiveInteger } from '../arguments';
import { CliError } from '../cli-errors';
import { GlobalOptions, withCluster } from '../cli-context';
import { columns, print } from '../output';

const TOPIC_ALREADY_EXISTS = 36;

interface CreateOptions {
  partitions?: number;
  replicationFactor?: number;
  config?: Record<string, string>;
  ifNotExists?: boolean;
}

/** `tributary topics ...`: list, create, describe, delete, alter-config. */
export function topicsCommand(): Command {
  const topics = new Command('topics').description('list, create, describe, delete topics and change their configs');

  topics
    .command('list')
    .description('print the names of the topics, one per line')
    .option('--internal', 'include internal topics (__consumer_offsets)')
    .action(async (options: { internal?: boolean }, command: Command) => {
      await withCluster(command.optsWithGlobals<GlobalOptions>(), async ({ admin }) => {
        for (const name of await admin.listTopics({ includeInternal: options.internal === true })) print(name);
      });
    });

  topics
    .command('create')
    .description('create a topic')
    .argument('<topic>', 'topic name')
    .option('--partitions <n>', "number of partitions (default: the brokers' num.partitions)", positiveInteger)
    .option('--replication-factor <n>', "replicas per partition (default: the brokers' default.replication.factor)", positiveInteger)
    .option('--config <key=value>', 'a topic config such as retention.ms=86400000 (repeatable)', keyValue)
    .option('--if-not-exists', 'succeed without change when the topic exists already')
    .action(async (topic: string, options: CreateOptions, command: Command) => {
      await withCluster(command.optsWithGlobals<GlobalOptions>(), async ({ admin }) => {
        try {
          const [created] = await admin.createTopics([{ name: topic, partitions: options.partitions, replicationFactor: options.replicationFactor, configs: options.config }]);
          print(`created topic ${created.name} (${created.partitions} partitions, replication factor ${created.replicationFactor})`);
        } catch (error) {
          if (options.ifNotExists && error instanceof KafkaProtocolError && error.code === TOPIC_ALREADY_EXISTS) {
            print(`topic ${topic} exists already`);
            return;
          }
          throw error;
        }
      });
    });

  topics
    .command('describe')
    .description('partitions (leader, replicas, in-sync replicas) and configs of topics')
    .argument('<topics...>', 'topic names')
    .option('--all-configs', 'list every config with its source, not only those set on the topic')
    .action(async (names: string[], options: { allConfigs?: boolean }, command: Command) => {
      await withCluster(command.optsWithGlobals<GlobalOptions>(), async ({ admin }) => {
        const descriptions = await admin.describeTopics(names);
        for (const [index, topic] of descriptions.entries()) {
          const configs = await admin.describeConfigs(topic.name);
          const shown = Object.entries(configs)
            .filter(([, entry]) => options.allConfigs || entry.source === 'DYNAMIC_TOPIC_CONFIG')
            .sort(([a], [b]) => a.localeCompare(b));
          if (index > 0) print('');
          print(`Topic: ${topic.name}  TopicId: ${topic.topicId}  PartitionCount: ${topic.partitions.length}  ReplicationFactor: ${topic.partitions[0]?.replicas.length ?? 0}`);
          if (options.allConfigs) print(`${columns(['CONFIG', 'VALUE', 'SOURCE'], shown.map(([key, entry]) => [key, entry.value ?? '-', entry.source]))}\n`);
          else print(`Configs: ${shown.length === 0 ? '(defaults)' : shown.map(([key, entry]) => `${key}=${entry.value ?? ''}`).join(', ')}`);
          print(
            columns(
              ['PARTITION', 'LEADER', 'REPLICAS', 'ISR'],
              topic.partitions.map((p) => [p.partition, p.leader < 0 ? 'none' : p.leader, p.replicas.join(','), p.isr.join(',')]),
            ),
          );
        }
      });
    });

  topics
    .command('delete')
    .description('delete topics and their data')
    .argument('<topics...>', 'topic names')
    .action(async (names: string[], _options: unknown, command: Command) => {
      await withCluster(command.optsWithGlobals<GlobalOptions>(), async ({ admin }) => {
        await admin.deleteTopics(names);
        for (const name of names) print(`deleted topic ${name}`);
      });
    });

  topics
    .command('alter-config')
    .description("change some of a topic's configs and leave the others as they are")
    .argument('<topic>', 'topic name')
    .option('--set <key=value>', 'set a config (repeatable)', keyValue)
    .option('--delete <key>', 'remove an override so the default applies again (repeatable)', collect)
    .action(async (topic: string, options: { set?: Record<string, string>; delete?: string[] }, command: Command) => {
      const changes: Record<string, string | null> = { ...options.set };
      for (const key of options.delete ?? []) changes[key] = null;
      if (Object.keys(changes).length === 0) throw new CliError("nothing to change: give --set key=value or --delete key (see 'tributary topics alter-config --help')", 2);
      await withCluster(command.optsWithGlobals<GlobalOptions>(), async ({ admin }) => {
        await admin.alterConfigs(topic, changes);
        const described = Object.entries(changes).map(([key, value]) => (value === null ? `${key} back to its default` : `${key}=${value}`));
        print(`updated topic ${topic}: ${described.join(', ')}`);
      });
    });

  return topics;
}
