import {
  AlterConfigsRequest,
  AlterConfigsResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  Encodable,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
  TOPIC_CONFIGS,
} from '@tributary/protocol';
import { BrokerContext } from '../broker-context';
import { ErrorCode } from '../../replica/kafka-errors';
import { since, upTo } from '../versioned';

/** Kafka's ConfigResource.Type and DescribeConfigs enums. */
const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;
const SOURCE_DYNAMIC_TOPIC = 1;
const SOURCE_DEFAULT = 5;
const CONFIG_TYPE = { boolean: 1, string: 2, int: 3, long: 5, double: 6, list: 7 } as const;
const OP_SET = 0;
const OP_DELETE = 1;
const OP_APPEND = 2;
const OP_SUBTRACT = 3;

type ResourceKind = 'topic' | 'broker';

function kindOf(resourceType: number): ResourceKind | null {
  return resourceType === RESOURCE_TOPIC ? 'topic' : resourceType === RESOURCE_BROKER ? 'broker' : null;
}

/** DescribeConfigs: every known topic config with its value, default or override, and type. */
export function handleDescribeConfigs(ctx: BrokerContext, request: DescribeConfigsRequest, apiVersion: number): Encodable<DescribeConfigsResponse> {
  const image = ctx.metadata();
  return {
    throttleTimeMs: 0,
    results: request.resources.map((resource) => {
      const base = { resourceType: resource.resourceType, resourceName: resource.resourceName, configs: [] };
      const kind = kindOf(resource.resourceType);
      if (kind === null) return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource type ${resource.resourceType} is not supported` };
      if (kind === 'broker') return { ...base, errorCode: 0, errorMessage: null };
      if (!image.topicByName(resource.resourceName)) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic '${resource.resourceName}' does not exist` };
      const overrides = image.topicConfig(resource.resourceName);
      const wanted = resource.configurationKeys;
      const configs = TOPIC_CONFIGS.filter((c) => wanted === null || wanted.includes(c.name)).map((c) => {
        const override = overrides.get(c.name);
        return {
          name: c.name,
          value: override ?? c.defaultValue,
          readOnly: false,
          isDefault: upTo(apiVersion, 0, override === undefined),
          configSource: since(apiVersion, 1, override === undefined ? SOURCE_DEFAULT : SOURCE_DYNAMIC_TOPIC),
          isSensitive: false,
          synonyms: since(apiVersion, 1, []),
          configType: since(apiVersion, 3, CONFIG_TYPE[c.type]),
          documentation: since(apiVersion, 3, request.includeDocumentation ? c.doc : null),
        };
      });
      return { ...base, errorCode: 0, errorMessage: null, configs };
    }),
  };
}

/** AlterConfigs (legacy): replaces a resource's whole config set; forwarded to the controller. */
export async function handleAlterConfigs(ctx: BrokerContext, request: AlterConfigsRequest): Promise<Encodable<AlterConfigsResponse>> {
  return { throttleTimeMs: 0, responses: await forward(ctx, request.resources.map((r) => ({ ...r, configs: r.configs })), true, request.validateOnly) };
}

/** IncrementalAlterConfigs: SET/DELETE per key, APPEND/SUBTRACT on list configs. */
export async function handleIncrementalAlterConfigs(ctx: BrokerContext, request: IncrementalAlterConfigsRequest): Promise<Encodable<IncrementalAlterConfigsResponse>> {
  const image = ctx.metadata();
  const resources = request.resources.map((resource) => {
    const kind = kindOf(resource.resourceType);
    const current = kind === null ? new Map<string, string>() : image.config(kind, resource.resourceName);
    const configs = resource.configs.map((c) => {
      const items = (current.get(c.name) ?? TOPIC_CONFIGS.find((d) => d.name === c.name)?.defaultValue ?? '').split(',').map((v) => v.trim()).filter(Boolean);
      const given = (c.value ?? '').split(',').map((v) => v.trim()).filter(Boolean);
      switch (c.configOperation) {
        case OP_SET:
          return { name: c.name, value: c.value };
        case OP_DELETE:
          return { name: c.name, value: null };
        case OP_APPEND:
          return { name: c.name, value: [...items, ...given.filter((g) => !items.includes(g))].join(',') };
        case OP_SUBTRACT:
          return { name: c.name, value: items.filter((i) => !given.includes(i)).join(',') || null };
        default:
          return { name: c.name, value: c.value, invalidOperation: c.configOperation };
      }
    });
    return { resourceType: resource.resourceType, resourceName: resource.resourceName, configs };
  });
  return { throttleTimeMs: 0, responses: await forward(ctx, resources, false, request.validateOnly) };
}

async function forward(
  ctx: BrokerContext,
  resources: { resourceType: number; resourceName: string; configs: { name: string; value: string | null; invalidOperation?: number }[] }[],
  replace: boolean,
  validateOnly: boolean,
): Promise<{ errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }[]> {
  const rejected = new Map<number, string>();
  resources.forEach((r, i) => {
    if (kindOf(r.resourceType) === null) rejected.set(i, `resource type ${r.resourceType} is not supported`);
    const bad = r.configs.find((c) => c.invalidOperation !== undefined);
    if (bad) rejected.set(i, `config operation ${bad.invalidOperation} is not one of SET, DELETE, APPEND, SUBTRACT`);
  });
  const accepted = resources.filter((_, i) => !rejected.has(i));
  const answer = accepted.length === 0 ? { results: [] } : await ctx.controller.call('configs.alter', {
    resources: accepted.map((r) => ({ resourceType: kindOf(r.resourceType) as ResourceKind, resourceName: r.resourceName, configs: r.configs.map(({ name, value }) => ({ name, value })) })),
    replace,
    validateOnly,
  });
  let next = 0;
  return resources.map((r, i) => {
    const problem = rejected.get(i);
    if (problem !== undefined) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, resourceType: r.resourceType, resourceName: r.resourceName };
    const result = answer.results[next++];
    return { errorCode: result?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: result?.errorMessage ?? null, resourceType: r.resourceType, resourceName: r.resourceName };
  });
}
