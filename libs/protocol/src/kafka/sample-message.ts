import { ZERO_UUID } from './compile';
import { FieldDeclaration, MessageDeclaration, StructDeclaration, inRange, parseVersions, propertyName } from './schema';

/**
 * Builds a value of a message at a version from its declaration, for round-trip tests and
 * fuzzing: every field present in that version gets a value different from its default (so it
 * really goes on the wire, tagged fields included); absent fields get their default, which is
 * what decoding produces. With `nulls`, nullable fields are null instead.
 */
export function sampleMessage(
  decl: MessageDeclaration,
  version: number,
  options: { nulls?: boolean; arrayLength?: number } = {},
): Record<string, unknown> {
  const structs = new Map<string, StructDeclaration>((decl.commonStructs ?? []).map((s) => [s.name, s]));
  const ctx: SampleContext = { version, structs, nulls: options.nulls ?? false, arrayLength: options.arrayLength ?? 2, seed: 1 };
  return sampleStruct(decl.fields, ctx);
}

interface SampleContext {
  readonly version: number;
  readonly structs: ReadonlyMap<string, StructDeclaration>;
  readonly nulls: boolean;
  readonly arrayLength: number;
  seed: number;
}

function sampleStruct(fields: readonly FieldDeclaration[], ctx: SampleContext): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const field of fields) {
    const present = inRange(parseVersions(field.versions), ctx.version);
    value[propertyName(field.name)] = present ? sampleField(field, ctx) : defaultOf(field, ctx);
  }
  return value;
}

function structFieldsOf(field: FieldDeclaration, typeName: string, ctx: SampleContext): readonly FieldDeclaration[] {
  const fields = field.fields ?? ctx.structs.get(typeName)?.fields;
  if (fields === undefined) throw new Error(`unknown type ${typeName}`);
  return fields;
}

function sampleField(field: FieldDeclaration, ctx: SampleContext): unknown {
  if (ctx.nulls && inRange(parseVersions(field.nullableVersions), ctx.version)) return null;
  if (field.type.startsWith('[]')) {
    const elementType = field.type.slice(2);
    const items: unknown[] = [];
    for (let i = 0; i < ctx.arrayLength; i++) {
      items.push(
        isPrimitive(elementType)
          ? samplePrimitive(elementType, undefined, ctx)
          : sampleStruct(structFieldsOf(field, elementType, ctx), ctx),
      );
    }
    return items;
  }
  if (isPrimitive(field.type)) return samplePrimitive(field.type, field.default, ctx);
  return sampleStruct(structFieldsOf(field, field.type, ctx), ctx);
}

const PRIMITIVES = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'uuid', 'records']);

function isPrimitive(type: string): boolean {
  return PRIMITIVES.has(type);
}

/** A deterministic, type-valid value that differs from `defaultLiteral`. */
function samplePrimitive(type: string, defaultLiteral: string | undefined, ctx: SampleContext): unknown {
  const n = ctx.seed++;
  const avoid = (candidate: number, fallbackDefault: number): number =>
    candidate === (defaultLiteral === undefined ? fallbackDefault : Number(defaultLiteral)) ? candidate + 1 : candidate;
  switch (type) {
    case 'bool':
      return defaultLiteral !== 'true';
    case 'int8':
      return avoid((n % 100) + 1, 0);
    case 'int16':
      return avoid((n * 7) % 30000 + 1, 0);
    case 'uint16':
      return avoid(40000 + n, 0);
    case 'int32':
      return avoid(100000 + n * 13, 0);
    case 'uint32':
      return avoid(3000000000 + n, 0);
    case 'float64':
      return n + 0.5;
    case 'int64': {
      const candidate = 10000000000n + BigInt(n);
      return defaultLiteral !== undefined && BigInt(defaultLiteral) === candidate ? candidate + 1n : candidate;
    }
    case 'string':
      return `s${n}-\u00e9`; // non-ASCII on purpose: lengths are in bytes, not characters
    case 'bytes':
      return Buffer.from([n & 0xff, 1, 2, 3]);
    case 'records':
      return Buffer.from([0, 0, 0, 0, 0, 0, 0, n & 0xff, 9, 9]);
    case 'uuid':
      return `${(0x10000000 + n).toString(16)}-0000-4000-8000-0000000000ab`;
    default:
      throw new Error(`not a primitive: ${type}`);
  }
}

/** The default a field takes when a version lacks it (mirrors the codec). */
function defaultOf(field: FieldDeclaration, ctx: SampleContext): unknown {
  const literal = field.default;
  if (field.type.startsWith('[]')) return literal === 'null' ? null : [];
  switch (field.type) {
    case 'bool':
      return literal === 'true';
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'float64':
      return literal === undefined ? 0 : Number(literal);
    case 'int64':
      return literal === undefined ? 0n : BigInt(literal);
    case 'string':
      return literal === 'null' ? null : (literal ?? '');
    case 'bytes':
      return literal === 'null' ? null : Buffer.alloc(0);
    case 'records':
      return null;
    case 'uuid':
      return ZERO_UUID;
    default: {
      if (literal === 'null') return null;
      const value: Record<string, unknown> = {};
      for (const f of structFieldsOf(field, field.type, ctx)) value[propertyName(f.name)] = defaultOf(f, ctx);
      return value;
    }
  }
}
