import * as fs from 'node:fs';
import { z } from 'zod';

/**
 * App configuration from, in increasing precedence: defaults in the schema, a JSON config file
 * (`--config file.json`), environment variables (`<PREFIX>_KAFKA_PORT`), and CLI flags
 * (`--kafka-port 9092` or `--kafka-port=9092`). Validated once at start; every problem is
 * reported together, naming the setting and where its value came from.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** e.g. "BROKER": BROKER_KAFKA_PORT sets kafkaPort */
  envPrefix: string;
}

const toCamel = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const toKebab = (camel: string) => camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const toEnv = (prefix: string, camel: string) => `${prefix}_${toKebab(camel).replace(/-/g, '_').toUpperCase()}`;

export function loadConfig<S extends z.ZodObject>(schema: S, sources: ConfigSources): z.infer<S> {
  const keys = Object.keys(schema.shape);
  const origin = new Map<string, string>();
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];

  const flags = parseFlags(sources.argv, problems);
  const configFile = flags.get('config') ?? sources.env[`${sources.envPrefix}_CONFIG`];
  if (configFile !== undefined) {
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(configFile, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the file must hold a JSON object');
      for (const [key, value] of Object.entries(parsed)) {
        if (!keys.includes(key)) problems.push(`${key}: unknown setting (in ${configFile})`);
        raw[key] = value;
        origin.set(key, `config file ${configFile}`);
      }
    } catch (error) {
      problems.push(`config file ${configFile}: ${(error as Error).message}`);
    }
  }
  for (const key of keys) {
    const name = toEnv(sources.envPrefix, key);
    const value = sources.env[name];
    if (value !== undefined) {
      raw[key] = value;
      origin.set(key, `env ${name}`);
    }
  }
  for (const [flag, value] of flags) {
    if (flag === 'config') continue;
    const key = toCamel(flag);
    if (!keys.includes(key)) {
      problems.push(`--${flag}: unknown flag (known: ${keys.map((k) => `--${toKebab(k)}`).join(', ')})`);
      continue;
    }
    raw[key] = value;
    origin.set(key, `flag --${flag}`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '');
      const from = origin.get(key);
      problems.push(`${key}: ${issue.message}${from ? ` (from ${from})` : ''}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return (result as { data: z.infer<S> }).data;
}

function parseFlags(argv: readonly string[], problems: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      problems.push(`unexpected argument "${arg}" (settings are --name value)`);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      flags.set(arg.slice(2), argv[++i]);
    } else {
      flags.set(arg.slice(2), 'true');
    }
  }
  return flags;
}

/** Schema helpers shared by the apps. */
export const port = () => z.coerce.number().int().min(0).max(65535);
export const nodeId = () => z.coerce.number().int().min(0).max(2 ** 31 - 1);
/** "id@host:port,id@host:port" */
export const voterList = () =>
  z
    .string()
    .transform((value, ctx) => {
      const voters = value.split(',').map((entry) => entry.trim()).filter(Boolean).map((entry) => {
        const match = /^(\d+)@([^:]+):(\d+)$/.exec(entry);
        if (!match) {
          ctx.addIssue({ code: 'custom', message: `"${entry}" is not id@host:port` });
          return { id: -1, host: '', port: 0 };
        }
        return { id: Number(match[1]), host: match[2], port: Number(match[3]) };
      });
      if (new Set(voters.map((v) => v.id)).size !== voters.length) ctx.addIssue({ code: 'custom', message: 'voter ids must be unique' });
      return voters;
    });
