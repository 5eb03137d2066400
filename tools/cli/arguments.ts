import { InvalidArgumentError } from 'commander';

/** Parsers for option values: each throws InvalidArgumentError, which commander reports as a usage error. */

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer >= 0.');
  return n;
}

/** A record rate; -1 means no cap (as in Kafka's perf tools). */
export function throughput(value: string): number {
  if (value === '-1') return -1;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected records per second (> 0), or -1 for no cap.');
  return n;
}

/** Repeatable `k=v`, collected into a record. */
export function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}".`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** Repeatable plain value, collected into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export type Acks = -1 | 0 | 1;

export function acks(value: string): Acks {
  if (value === 'all' || value === '-1') return -1;
  if (value === '0' || value === '1') return Number(value) as Acks;
  throw new InvalidArgumentError('expected 0, 1 or all.');
}

export const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** An instant as epoch milliseconds or an ISO-8601 date-time (2026-11-25T10:00:00Z). */
export function timestamp(value: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw new InvalidArgumentError('expected epoch milliseconds or an ISO-8601 date-time such as 2026-11-25T10:00:00Z.');
  return ms;
}

/** A starting offset: a number, or earliest / latest. */
export function startOffset(value: string): number | 'earliest' | 'latest' {
  if (value === 'earliest' || value === 'latest') return value;
  return nonNegativeInteger(value);
}
