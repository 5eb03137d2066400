// Reads Apache Kafka's message schemas (JSON with // comments) once and emits our own compact
// TypeScript declarations of them, plus TypeScript interfaces for every request/response body.
// The project never reads the JSON at build or test time; the generated files are committed.
//
// Usage (from the repo root):
//   node -r ./tools/scripts/register.js tools/protocol-gen/generate.ts [path/to/kafka-protocol/messages]
// Default input: /work/shared/kafka-protocol/messages
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The parts of Kafka's schema JSON we read. */
interface KafkaField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  default?: string | number | boolean;
  ignorable?: boolean;
  tag?: number;
  taggedVersions?: string;
  flexibleVersions?: string;
  fields?: KafkaField[];
}
interface KafkaStruct {
  name: string;
  versions: string;
  fields: KafkaField[];
}
interface KafkaMessage {
  name: string;
  type: string;
  apiKey?: number;
  validVersions: string;
  flexibleVersions: string;
  deprecatedVersions?: string;
  latestVersionUnstable?: boolean;
  fields: KafkaField[];
  commonStructs?: KafkaStruct[];
}
type CompactField = Omit<KafkaField, 'default' | 'fields'> & { default?: string; fields?: CompactField[] };
type CompactMessage = Omit<KafkaMessage, 'fields' | 'commonStructs'> & {
  fields: CompactField[];
  commonStructs?: { name: string; versions: string; fields: CompactField[] }[];
};

const here = __dirname;
const inputDir = resolve(process.argv[2] ?? '/work/shared/kafka-protocol/messages');
const outDir = resolve(here, '../../libs/protocol/src/kafka');

/** Strips whole-line and trailing `//` comments outside of strings. */
function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') { out += text[++i]; continue; }
      if (c === '"') inString = false;
      continue;
    }
    if (c === '"') { inString = true; out += c; continue; }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
      continue;
    }
    out += c;
  }
  return out;
}

function loadSchema(file: string): KafkaMessage {
  return JSON.parse(stripComments(readFileSync(join(inputDir, file), 'utf8')));
}

/** Keeps only what the codec needs; drops prose and generator hints (about, entityType, mapKey, zeroCopy). */
function compactField(f: KafkaField): CompactField {
  const out: CompactField = { name: f.name, type: f.type, versions: f.versions };
  if (f.nullableVersions !== undefined) out.nullableVersions = f.nullableVersions;
  if (f.default !== undefined) out.default = String(f.default);
  if (f.ignorable) out.ignorable = true;
  if (f.tag !== undefined) out.tag = f.tag;
  if (f.taggedVersions !== undefined) out.taggedVersions = f.taggedVersions;
  if (f.flexibleVersions !== undefined) out.flexibleVersions = f.flexibleVersions;
  if (f.fields) out.fields = f.fields.map(compactField);
  return out;
}

function compactMessage(m: KafkaMessage): CompactMessage {
  const out: CompactMessage = {
    name: m.name,
    type: m.type,
    validVersions: m.validVersions,
    flexibleVersions: m.flexibleVersions,
    fields: [],
  };
  if (m.apiKey !== undefined) out.apiKey = m.apiKey;
  if (m.deprecatedVersions !== undefined) out.deprecatedVersions = m.deprecatedVersions;
  if (m.latestVersionUnstable) out.latestVersionUnstable = true;
  out.fields = m.fields.map(compactField);
  if (m.commonStructs) {
    out.commonStructs = m.commonStructs.map((s) => ({ name: s.name, versions: s.versions, fields: s.fields.map(compactField) }));
  }
  return out;
}

const files = readdirSync(inputDir).filter((f) => /(Request|Response|Header)\.json$/.test(f)).sort();
const messages = files.map((f) => loadSchema(f)).filter((m) => m.type === 'request' || m.type === 'response' || m.type === 'header');
messages.sort((a, b) => (a.apiKey ?? -1) - (b.apiKey ?? -1) || a.name.localeCompare(b.name));

// ---- schemas.generated.ts -------------------------------------------------------------------
const lit = (v: unknown): string => JSON.stringify(v);
function fieldToTs(f: CompactField, indent: string): string {
  const parts = Object.entries(f)
    .filter(([k]) => k !== 'fields')
    .map(([k, v]) => `${k}: ${lit(v)}`);
  if (!f.fields) return `${indent}{ ${parts.join(', ')} }`;
  const inner = f.fields.map((c) => fieldToTs(c, indent + '  ')).join(',\n');
  return `${indent}{ ${parts.join(', ')}, fields: [\n${inner},\n${indent}] }`;
}
function messageToTs(m: CompactMessage): string {
  const head = Object.entries(m)
    .filter(([k]) => k !== 'fields' && k !== 'commonStructs')
    .map(([k, v]) => `${k}: ${lit(v)}`)
    .join(', ');
  let s = `  {\n    ${head},\n    fields: [\n${m.fields.map((f) => fieldToTs(f, '      ')).join(',\n')},\n    ],\n`;
  if (m.commonStructs) {
    s += `    commonStructs: [\n`;
    for (const cs of m.commonStructs) {
      s += `      { name: ${lit(cs.name)}, versions: ${lit(cs.versions)}, fields: [\n${cs.fields
        .map((f) => fieldToTs(f, '        '))
        .join(',\n')},\n      ] },\n`;
    }
    s += `    ],\n`;
  }
  return s + '  }';
}

const header = `// GENERATED FILE - do not edit by hand.
// Compact declarations of Apache Kafka's protocol message schemas (Apache License 2.0, from
// apache/kafka clients/src/main/resources/common/message/*.json), reduced to what the codec needs.
// Regenerate from the repo root with:
//   node -r ./tools/scripts/register.js tools/protocol-gen/generate.ts /path/to/kafka-protocol/messages
`;
const compact = messages.map(compactMessage);
writeFileSync(
  join(outDir, 'schemas.generated.ts'),
  `${header}import type { MessageDeclaration } from './schema';\n\nexport const MESSAGE_DECLARATIONS: readonly MessageDeclaration[] = [\n${compact
    .map(messageToTs)
    .join(',\n')},\n];\n`,
);

// ---- types.generated.ts -------------------------------------------------------------------
const lowerCamel = (n: string): string => n.charAt(0).toLowerCase() + n.slice(1);
const PRIMITIVE_TS: Record<string, string> = {
  bool: 'boolean', int8: 'number', int16: 'number', uint16: 'number', int32: 'number', uint32: 'number',
  int64: 'bigint', float64: 'number', string: 'string', bytes: 'Buffer', uuid: 'string', records: 'Buffer',
};
function emitInterfaces(m: CompactMessage): string {
  const out: string[] = [];
  const common = new Map((m.commonStructs ?? []).map((s) => [s.name, s]));
  const emitted = new Set<string>();
  const structName = (s: string): string => `${m.name}${s}`;
  function tsType(f: CompactField): string {
    const isArray = f.type.startsWith('[]');
    const elem = isArray ? f.type.slice(2) : f.type;
    let t = PRIMITIVE_TS[elem];
    if (!t) {
      t = structName(elem);
      const decl = f.fields ? { name: elem, fields: f.fields } : common.get(elem);
      if (decl && !emitted.has(elem)) {
        emitted.add(elem);
        emitStruct(t, decl.fields);
      }
    }
    if (isArray) t = `${t}[]`;
    if (f.nullableVersions !== undefined || elem === 'records') t = `${t} | null`;
    return t;
  }
  function emitStruct(name: string, fields: CompactField[]): void {
    const lines = fields.map((f) => `  ${lowerCamel(f.name)}: ${tsType(f)};`);
    out.push(`export interface ${name} {\n${lines.join('\n')}\n}`);
  }
  emitStruct(m.name, m.fields);
  return out.reverse().join('\n\n');
}
const apis = compact.filter((m) => m.type !== 'header');
const byKey = (t: string): string =>
  apis
    .filter((m) => m.type === t)
    .map((m) => `  ${m.apiKey}: ${m.name};`)
    .join('\n');
writeFileSync(
  join(outDir, 'types.generated.ts'),
  `// GENERATED FILE - do not edit by hand.
// Body interfaces of Kafka protocol messages; field names are Kafka's, lower-camel-cased.
// int64 is bigint, uuid is a lower-case 8-4-4-4-12 hex string, bytes/records are Buffers.
// Fields absent from a version decode to their default. Regenerate from the repo root with:
//   node -r ./tools/scripts/register.js tools/protocol-gen/generate.ts /path/to/kafka-protocol/messages

${compact.map(emitInterfaces).join('\n\n')}

/** API keys by API name. */
export const API_KEYS = {
${apis.filter((m) => m.type === 'request').map((m) => `  ${m.name.replace(/Request$/, '')}: ${m.apiKey},`).join('\n')}
} as const;

export type ApiName = keyof typeof API_KEYS;
export type ApiKey = (typeof API_KEYS)[ApiName];

/** Request body type by API key. */
export interface RequestBodyByApiKey {
${byKey('request')}
}

/** Response body type by API key. */
export interface ResponseBodyByApiKey {
${byKey('response')}
}
`,
);
console.log(`wrote ${compact.length} message declarations to ${outDir}`);
