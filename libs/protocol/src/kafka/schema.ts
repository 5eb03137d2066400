/**
 * Our own data format for Kafka message schemas (see schemas.generated.ts). Version strings keep
 * Kafka's notation: "3+" (from 3 up), "0-4" (inclusive), "5" (single), "none".
 */
export interface FieldDeclaration {
  readonly name: string;
  /** bool, int8..int64, uint16, uint32, float64, string, bytes, uuid, records, `[]T`, or a struct name. */
  readonly type: string;
  readonly versions: string;
  readonly nullableVersions?: string;
  /** Kafka's default literal ("-1", "null", "true", "0x7fffffff", ...). */
  readonly default?: string;
  readonly ignorable?: boolean;
  readonly tag?: number;
  readonly taggedVersions?: string;
  /** Overrides the message's flexible versions for this field ("none" keeps classic encoding). */
  readonly flexibleVersions?: string;
  readonly fields?: readonly FieldDeclaration[];
}

export interface StructDeclaration {
  readonly name: string;
  readonly versions: string;
  readonly fields: readonly FieldDeclaration[];
}

export interface MessageDeclaration {
  readonly name: string;
  readonly type: 'request' | 'response' | 'header';
  readonly apiKey?: number;
  readonly validVersions: string;
  readonly flexibleVersions: string;
  readonly deprecatedVersions?: string;
  readonly latestVersionUnstable?: boolean;
  readonly fields: readonly FieldDeclaration[];
  readonly commonStructs?: readonly StructDeclaration[];
}

/** An inclusive version range; `max` is Infinity for open ranges like "3+". Empty when min > max. */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

const EMPTY: VersionRange = { min: 0, max: -1 };

export function parseVersions(spec: string | undefined): VersionRange {
  if (spec === undefined || spec === 'none') return EMPTY;
  if (spec.endsWith('+')) return { min: Number(spec.slice(0, -1)), max: Infinity };
  const dash = spec.indexOf('-');
  if (dash >= 0) return { min: Number(spec.slice(0, dash)), max: Number(spec.slice(dash + 1)) };
  const single = Number(spec);
  return { min: single, max: single };
}

export function inRange(range: VersionRange, version: number): boolean {
  return version >= range.min && version <= range.max;
}

/** Kafka field names, lower-camel-cased: "ThrottleTimeMs" -> "throttleTimeMs". */
export function propertyName(fieldName: string): string {
  return fieldName.charAt(0).toLowerCase() + fieldName.slice(1);
}
