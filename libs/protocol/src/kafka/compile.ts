import { MalformedMessageError, UnencodableValueError } from './errors';
import { Reader } from './reader';
import { FieldDeclaration, MessageDeclaration, StructDeclaration, inRange, parseVersions, propertyName } from './schema';
import { Writer } from './writer';

/**
 * Turns a message declaration into an encoder/decoder for one version. Everything that depends
 * only on (declaration, version) - which fields exist, nullability, compact vs classic encodings,
 * tag numbers, defaults - is resolved here once, leaving closures that just read and write.
 */

export type MessageValue = Record<string, unknown>;

/** The codec for one type at one version; `isDefault` decides whether a tagged field is written. */
export interface TypeCodec {
  write(w: Writer, value: unknown): void;
  read(r: Reader): unknown;
  isDefault(value: unknown): boolean;
  defaultValue(): unknown;
  /** Reader/Writer method doing the whole job, so generated code can call it directly. */
  readonly readMethod?: ReaderMethod;
  readonly writeMethod?: WriterMethod;
  /** The default is an immutable primitive that can be shared instead of rebuilt. */
  readonly sharedDefault?: boolean;
}

type ReaderMethod = { [K in keyof Reader]: Reader[K] extends () => unknown ? K : never }[keyof Reader];
type WriterMethod = 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float64' | 'bool' | 'uuid'
  | 'nullableString' | 'compactNullableString' | 'nullableBytes' | 'compactNullableBytes';

export interface MessageCodec {
  readonly name: string;
  readonly version: number;
  readonly flexible: boolean;
  encode(w: Writer, value: MessageValue): void;
  decode(r: Reader): MessageValue;
  defaultValue(): MessageValue;
}

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export function compileMessage(decl: MessageDeclaration, version: number): MessageCodec {
  const range = parseVersions(decl.validVersions);
  if (!inRange(range, version)) {
    throw new RangeError(`${decl.name} has no version ${version} (valid ${decl.validVersions})`);
  }
  const flexible = inRange(parseVersions(decl.flexibleVersions), version);
  const structs = new Map<string, StructDeclaration>((decl.commonStructs ?? []).map((s) => [s.name, s]));
  const codec = compileStruct(decl.name, decl.fields, { version, flexible, structs });
  return {
    name: decl.name,
    version,
    flexible,
    encode: (w, value) => codec.write(w, value),
    decode: (r) => codec.read(r) as MessageValue,
    defaultValue: () => codec.defaultValue() as MessageValue,
  };
}

interface CompileContext {
  readonly version: number;
  readonly flexible: boolean;
  readonly structs: ReadonlyMap<string, StructDeclaration>;
}

/** How one declared field behaves at the compiled version. */
interface FieldPlan {
  readonly key: string;
  readonly path: string;
  readonly codec: TypeCodec;
  readonly mode: 'inline' | 'tagged' | 'absent';
  readonly tag: number;
  readonly ignorable: boolean;
}

function compileStruct(path: string, fields: readonly FieldDeclaration[], ctx: CompileContext): TypeCodec {
  const plans: FieldPlan[] = fields.map((field) => planField(path, field, ctx));
  const tagged = plans.filter((p) => p.mode === 'tagged').sort((a, b) => a.tag - b.tag);
  // fields this version lacks; only non-ignorable ones must be checked when encoding
  const absent = plans.filter((p) => p.mode === 'absent' && !p.ignorable);
  const taggedByTag = new Map(tagged.map((p) => [p.tag, p]));
  const flexible = ctx.flexible;

  const defaultValue = (): MessageValue => {
    const value: MessageValue = {};
    for (const plan of plans) value[plan.key] = plan.codec.defaultValue();
    return value;
  };

  const checkAbsent = (value: MessageValue): void => {
    for (const plan of absent) {
      const v = value[plan.key];
      if (v !== undefined && !plan.codec.isDefault(v)) {
        throw new UnencodableValueError(`${plan.path} is not in version ${ctx.version} and cannot hold a non-default value`);
      }
    }
  };
  const notObject = (): never => {
    throw new UnencodableValueError(`${path}: expected an object`);
  };
  const { read, write } = generateStructFunctions(plans, flexible, absent.length > 0, {
    checkAbsent,
    notObject,
    taggedByTag,
    tagged,
  });

  const isDefault = (v: unknown): boolean => {
    if (v === undefined) return true;
    if (v === null || typeof v !== 'object') return false;
    const value = v as MessageValue;
    return plans.every((plan) => plan.mode === 'absent' || plan.codec.isDefault(value[plan.key]));
  };

  return { write, read, isDefault, defaultValue };
}

interface StructHelpers {
  checkAbsent(value: MessageValue): void;
  notObject(): never;
  taggedByTag: ReadonlyMap<number, FieldPlan>;
  tagged: readonly FieldPlan[];
}

/**
 * Emits straight-line JavaScript for a struct's read and write: one statement per field, direct
 * Reader/Writer calls for primitives, and an object literal so every decoded value gets the same
 * shape. Only plan indexes and vetted method names reach the source text; values stay in arrays.
 */
function generateStructFunctions(
  plans: readonly FieldPlan[],
  flexible: boolean,
  hasAbsent: boolean,
  helpers: StructHelpers,
): { read: (r: Reader) => unknown; write: (w: Writer, value: unknown) => void } {
  const codecs = plans.map((p) => p.codec);
  const defaults = plans.map((p) => (p.codec.sharedDefault ? p.codec.defaultValue() : undefined));
  const defaultExpr = (i: number): string => (codecs[i].sharedDefault ? `d[${i}]` : `c[${i}].defaultValue()`);

  const properties = plans.map((plan, i) => {
    const key = JSON.stringify(plan.key);
    if (plan.mode !== 'inline') return `${key}: ${defaultExpr(i)}`;
    const method = plan.codec.readMethod;
    return `${key}: ${method ? `r.${method}()` : `c[${i}].read(r)`}`;
  });
  const readSource = `return function read(r) {
  const o = { ${properties.join(',\n    ')} };
  ${flexible ? 'h.readTagged(r, o, h.taggedByTag);' : ''}
  return o;
};`;

  const statements = plans.flatMap((plan, i) => {
    if (plan.mode !== 'inline') return [];
    const method = plan.codec.writeMethod;
    return [
      `x = v[${JSON.stringify(plan.key)}]; if (x === undefined) x = ${defaultExpr(i)};`,
      method ? `w.${method}(x);` : `c[${i}].write(w, x);`,
    ];
  });
  const writeSource = `return function write(w, v) {
  if (v === null || typeof v !== 'object') h.notObject();
  ${hasAbsent ? 'h.checkAbsent(v);' : ''}
  let x;
  ${statements.join('\n  ')}
  ${flexible ? 'h.writeTagged(w, v, h.tagged);' : ''}
};`;

  const h = { ...helpers, readTagged: readTaggedFields, writeTagged: writeTaggedFields };
  type Factory<T> = (c: readonly TypeCodec[], d: readonly unknown[], h: unknown) => T;
  const makeRead = new Function('c', 'd', 'h', readSource) as Factory<(r: Reader) => unknown>;
  const makeWrite = new Function('c', 'd', 'h', writeSource) as Factory<(w: Writer, value: unknown) => void>;
  return { read: makeRead(codecs, defaults, h), write: makeWrite(codecs, defaults, h) };
}

function writeTaggedFields(w: Writer, value: MessageValue, tagged: readonly FieldPlan[]): void {
  let present: FieldPlan[] | undefined;
  for (const plan of tagged) {
    const v = value[plan.key];
    if (v !== undefined && !plan.codec.isDefault(v)) (present ??= []).push(plan);
  }
  if (present === undefined) {
    w.uvarint(0);
    return;
  }
  w.uvarint(present.length);
  for (const plan of present) {
    // A tagged field is prefixed by its size, so it is encoded aside first.
    const scratch = new Writer(64);
    plan.codec.write(scratch, value[plan.key]);
    const bytes = scratch.finish();
    w.uvarint(plan.tag).uvarint(bytes.length).raw(bytes);
  }
}

function readTaggedFields(r: Reader, value: MessageValue, taggedByTag: ReadonlyMap<number, FieldPlan>): void {
  const count = r.uvarint();
  // Writers send tags in ascending order; like Kafka's reader we do not insist on it.
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    if (size > r.remaining) throw new MalformedMessageError(`tagged field ${tag} of ${size} bytes past the end`);
    const plan = taggedByTag.get(tag);
    if (plan === undefined) {
      r.skip(size); // unknown tags are how newer peers extend a message; ignore them
      continue;
    }
    const sub = new Reader(r.buffer, r.offset, r.offset + size);
    value[plan.key] = plan.codec.read(sub);
    r.skip(size);
  }
}

function planField(parentPath: string, field: FieldDeclaration, ctx: CompileContext): FieldPlan {
  const path = `${parentPath}.${field.name}`;
  const present = inRange(parseVersions(field.versions), ctx.version);
  const tagged = present && field.tag !== undefined && ctx.flexible && inRange(parseVersions(field.taggedVersions), ctx.version);
  const nullable = present && inRange(parseVersions(field.nullableVersions), ctx.version);
  // A field can opt out of compact encodings (e.g. the request header's ClientId).
  const compact =
    ctx.flexible && (field.flexibleVersions === undefined || inRange(parseVersions(field.flexibleVersions), ctx.version));
  const codec = typeCodec(path, field, { ...ctx, flexible: compact }, nullable);
  return {
    key: propertyName(field.name),
    path,
    codec,
    mode: !present ? 'absent' : tagged ? 'tagged' : 'inline',
    tag: field.tag ?? -1,
    ignorable: field.ignorable === true,
  };
}

function typeCodec(path: string, field: FieldDeclaration, ctx: CompileContext, nullable: boolean): TypeCodec {
  const defaultLiteral = field.default;
  const defaultIsNull = defaultLiteral === 'null';
  if (field.type.startsWith('[]')) {
    const elementType = field.type.slice(2);
    const element = elementCodec(path, elementType, field.fields, ctx);
    return arrayCodec(path, element, ctx.flexible, nullable, defaultIsNull);
  }
  const primitive = primitiveCodec(path, field.type, ctx.flexible, nullable, defaultLiteral);
  if (primitive) return primitive;
  const struct = compileStruct(path, structFields(path, field.type, field.fields, ctx), ctx);
  return nullable || defaultIsNull ? nullableStructCodec(path, struct, nullable, defaultIsNull) : struct;
}

function structFields(
  path: string,
  typeName: string,
  inlineFields: readonly FieldDeclaration[] | undefined,
  ctx: CompileContext,
): readonly FieldDeclaration[] {
  const fields = inlineFields ?? ctx.structs.get(typeName)?.fields;
  if (fields === undefined) throw new Error(`${path}: unknown type ${typeName}`);
  return fields;
}

function elementCodec(
  path: string,
  typeName: string,
  inlineFields: readonly FieldDeclaration[] | undefined,
  ctx: CompileContext,
): TypeCodec {
  return (
    primitiveCodec(path, typeName, ctx.flexible, false, undefined) ??
    compileStruct(path, structFields(path, typeName, inlineFields, ctx), ctx)
  );
}

function arrayCodec(path: string, element: TypeCodec, compact: boolean, nullable: boolean, defaultIsNull: boolean): TypeCodec {
  return {
    write(w, value) {
      if (value === null) {
        if (!nullable) throw new UnencodableValueError(`${path} is not nullable in this version`);
        if (compact) w.uvarint(0);
        else w.int32(-1);
        return;
      }
      if (!Array.isArray(value)) throw new UnencodableValueError(`${path}: expected an array`);
      if (compact) w.uvarint(value.length + 1);
      else w.int32(value.length);
      for (const item of value) element.write(w, item);
    },
    read(r) {
      const count = compact ? r.compactArrayLength(nullable) : r.arrayLength(nullable);
      if (count < 0) return null;
      const items: unknown[] = new Array(count);
      for (let i = 0; i < count; i++) items[i] = element.read(r);
      return items;
    },
    isDefault: (value) =>
      value === undefined || (defaultIsNull ? value === null : Array.isArray(value) && value.length === 0),
    defaultValue: () => (defaultIsNull ? null : []),
  };
}

/** Nullable structs carry an int8 marker: -1 for null, 1 for present (Kafka's generated code). */
function nullableStructCodec(path: string, struct: TypeCodec, nullable: boolean, defaultIsNull: boolean): TypeCodec {
  return {
    write(w, value) {
      if (!nullable) {
        if (value === null) throw new UnencodableValueError(`${path} is not nullable in this version`);
        struct.write(w, value);
        return;
      }
      if (value === null) {
        w.int8(-1);
        return;
      }
      w.int8(1);
      struct.write(w, value);
    },
    read(r) {
      if (!nullable) return struct.read(r);
      return r.int8() < 0 ? null : struct.read(r);
    },
    isDefault: (value) => value === undefined || (defaultIsNull ? value === null : struct.isDefault(value)),
    defaultValue: () => (defaultIsNull ? null : struct.defaultValue()),
  };
}

function notNull(path: string): never {
  throw new UnencodableValueError(`${path} is not nullable in this version`);
}

function numberCodec(
  defaultLiteral: string | undefined,
  method: 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float64',
): TypeCodec {
  const fallback = defaultLiteral === undefined ? 0 : Number(defaultLiteral);
  return {
    write: (w, v) => w[method](v as number),
    read: (r) => r[method](),
    isDefault: (v) => v === undefined || v === fallback,
    defaultValue: () => fallback,
    readMethod: method,
    writeMethod: method,
    sharedDefault: true,
  };
}

function primitiveCodec(
  path: string,
  type: string,
  compact: boolean,
  nullable: boolean,
  defaultLiteral: string | undefined,
): TypeCodec | undefined {
  switch (type) {
    case 'bool': {
      const fallback = defaultLiteral === 'true';
      return {
        write: (w, v) => w.bool(v as boolean),
        read: (r) => r.bool(),
        isDefault: (v) => v === undefined || v === fallback,
        defaultValue: () => fallback,
        readMethod: 'bool',
        writeMethod: 'bool',
        sharedDefault: true,
      };
    }
    case 'int8':
      return numberCodec(defaultLiteral, 'int8');
    case 'int16':
      return numberCodec(defaultLiteral, 'int16');
    case 'uint16':
      return numberCodec(defaultLiteral, 'uint16');
    case 'int32':
      return numberCodec(defaultLiteral, 'int32');
    case 'uint32':
      return numberCodec(defaultLiteral, 'uint32');
    case 'float64':
      return numberCodec(defaultLiteral, 'float64');
    case 'int64': {
      const fallback = defaultLiteral === undefined ? 0n : BigInt(defaultLiteral);
      return {
        // numbers are accepted for convenience; decoding always yields bigint
        write: (w, v) => w.int64(typeof v === 'bigint' ? v : BigInt(v as number)),
        read: (r) => r.int64(),
        isDefault: (v) => v === undefined || v === fallback || (typeof v === 'number' && BigInt(v) === fallback),
        defaultValue: () => fallback,
        readMethod: 'int64',
        sharedDefault: true,
      };
    }
    case 'uuid':
      return {
        write: (w, v) => w.uuid(v as string),
        read: (r) => r.uuid(),
        isDefault: (v) => v === undefined || v === ZERO_UUID,
        defaultValue: () => ZERO_UUID,
        readMethod: 'uuid',
        writeMethod: 'uuid',
        sharedDefault: true,
      };
    case 'string': {
      const fallback = defaultLiteral === 'null' ? null : (defaultLiteral ?? '');
      const write = compact
        ? nullable
          ? (w: Writer, v: unknown) => w.compactNullableString(v as string | null)
          : (w: Writer, v: unknown) => (v === null ? notNull(path) : w.compactString(v as string))
        : nullable
          ? (w: Writer, v: unknown) => w.nullableString(v as string | null)
          : (w: Writer, v: unknown) => (v === null ? notNull(path) : w.string(v as string));
      const read = compact
        ? nullable
          ? (r: Reader) => r.compactNullableString()
          : (r: Reader) => r.compactString()
        : nullable
          ? (r: Reader) => r.nullableString()
          : (r: Reader) => r.string();
      const readMethod: ReaderMethod = compact
        ? nullable ? 'compactNullableString' : 'compactString'
        : nullable ? 'nullableString' : 'string';
      // non-nullable writers keep their null check, so only nullable ones are called directly
      const writeMethod: WriterMethod | undefined = nullable ? (compact ? 'compactNullableString' : 'nullableString') : undefined;
      return {
        write,
        read,
        isDefault: (v) => v === undefined || v === fallback,
        defaultValue: () => fallback,
        readMethod,
        writeMethod,
        sharedDefault: true,
      };
    }
    case 'bytes':
    case 'records': {
      // records stay raw bytes here; record batches are decoded elsewhere, only when needed.
      const defaultIsNull = defaultLiteral === 'null' || type === 'records';
      const nullableHere = nullable || type === 'records';
      const write = compact
        ? nullableHere
          ? (w: Writer, v: unknown) => w.compactNullableBytes(v as Uint8Array | null)
          : (w: Writer, v: unknown) => (v === null ? notNull(path) : w.compactBytes(v as Uint8Array))
        : nullableHere
          ? (w: Writer, v: unknown) => w.nullableBytes(v as Uint8Array | null)
          : (w: Writer, v: unknown) => (v === null ? notNull(path) : w.bytes(v as Uint8Array));
      const read = compact
        ? nullableHere
          ? (r: Reader) => r.compactNullableBytes()
          : (r: Reader) => r.compactBytes()
        : nullableHere
          ? (r: Reader) => r.nullableBytes()
          : (r: Reader) => r.bytes();
      const readMethod: ReaderMethod = compact
        ? nullableHere ? 'compactNullableBytes' : 'compactBytes'
        : nullableHere ? 'nullableBytes' : 'bytes';
      const writeMethod: WriterMethod | undefined = nullableHere
        ? compact ? 'compactNullableBytes' : 'nullableBytes'
        : undefined;
      return {
        write,
        read,
        isDefault: (v) => v === undefined || (defaultIsNull ? v === null : v instanceof Uint8Array && v.length === 0),
        defaultValue: () => (defaultIsNull ? null : Buffer.alloc(0)),
        readMethod,
        writeMethod,
      };
    }
    default:
      return undefined;
  }
}
