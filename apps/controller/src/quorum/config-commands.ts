import { AlterConfigsCommand, AlterConfigsResult, MetadataImage, MetadataRecord, validateTopicConfig } from '@tributary/protocol';
import { OK, fail } from './controller-errors';
import { CommandOutcome } from './topic-commands';

/**
 * AlterConfigs / IncrementalAlterConfigs (already resolved to set/delete by the broker): topic
 * configs are validated by name and type against Kafka's definitions; broker configs are not
 * dynamically alterable yet. `replace` (legacy AlterConfigs) removes every key not listed.
 */
export function alterConfigs(image: MetadataImage, command: AlterConfigsCommand): CommandOutcome<AlterConfigsResult> {
  const records: MetadataRecord[] = [];
  const results = command.resources.map((resource): AlterConfigsResult => {
    const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
    if (resource.resourceType === 'broker') return { ...base, ...fail('INVALID_REQUEST', 'broker configs cannot be changed at runtime yet') };
    if (!image.topicByName(resource.resourceName)) return { ...base, ...fail('UNKNOWN_TOPIC_OR_PARTITION', `topic '${resource.resourceName}' does not exist`) };
    for (const config of resource.configs) {
      const problem = validateTopicConfig(config.name, config.value);
      if (problem) return { ...base, ...fail('INVALID_CONFIG', problem) };
    }
    if (!command.validateOnly) {
      const listed = new Set(resource.configs.map((c) => c.name));
      if (command.replace) {
        for (const name of image.topicConfig(resource.resourceName).keys()) {
          if (!listed.has(name)) records.push({ type: 'config', resourceType: 'topic', resourceName: resource.resourceName, name, value: null });
        }
      }
      for (const config of resource.configs) records.push({ type: 'config', resourceType: 'topic', resourceName: resource.resourceName, name: config.name, value: config.value });
    }
    return { ...base, ...OK };
  });
  return { results, records };
}
