import { isUtf8 } from 'node:buffer';
import { ProducerRecord } from '@tributary/client';
import { ConsumedRecord, RecordHeaderInput } from '@tributary/protocol';
import { FrameError } from './error-frames';
import { DataFormat, HeaderFormat, ProduceFrame } from './ws-protocol';

/** W3C trace context, version 00 layout (https://www.w3.org/TR/trace-context/#traceparent-header). */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Date's own range: a timestamp outside it has no RFC 3339 form. */
const MAX_DATE_MS = 8.64e15;

export interface DeliveryFormats {
  key: DataFormat;
  value: DataFormat;
  headers: HeaderFormat;
}


/**
 * Turns consumed records into the JSON text of a delivery (one element of a `records` frame).
 * The text is built once per record, when the record arrives from the cluster, so a waiting
 * record costs its encoded size and pins no fetch buffer; frames are then joined from these texts.
 */
export class DeliveryEncoder {
  /** Records of one batch often share a millisecond: its RFC 3339 text is made once. */
  private lastTimestampMs = Number.NaN;
  private lastTimestampJson = 'null';

  constructor(private readonly formats: DeliveryFormats) {}

  /** The delivery texts of one partition's records, in order. */
  encodeBatch(topic: string, partition: number, records: readonly ConsumedRecord[]): string[] {
    const prefix = `{"topic":${JSON.stringify(topic)},"partition":${partition},`;
    const texts = new Array<string>(records.length);
    for (let i = 0; i < records.length; i++) texts[i] = this.encode(prefix, records[i]);
    return texts;
  }

  private encode(prefix: string, record: ConsumedRecord): string {
    const key = encodeData(record.key, this.formats.key);
    const value = encodeData(record.value, this.formats.value);
    let text = `${prefix}"offset":${record.offset},"timestamp":${this.timestampJson(record.timestamp)},"key":${key.json},"value":${value.json},"headers":${this.encodeHeaders(record)}`;
    const traceparent = traceparentOf(record);
    if (traceparent) text += `,"traceparent":"${traceparent}"`;
    if (key.fellBack) text += ',"key_format":"binary"';
    if (value.fellBack) text += ',"value_format":"binary"';
    return `${text}}`;
  }

  private timestampJson(ms: number): string {
    if (ms !== this.lastTimestampMs) {
      this.lastTimestampMs = ms;
      this.lastTimestampJson = Math.abs(ms) <= MAX_DATE_MS ? `"${new Date(ms).toISOString()}"` : 'null';
    }
    return this.lastTimestampJson;
  }

  private encodeHeaders(record: ConsumedRecord): string {
    if (record.headers.length === 0) return '[]';
    const parts: string[] = [];
    for (const header of record.headers) {
      const value = encodeData(header.value, this.formats.headers);
      parts.push(`{"name":${JSON.stringify(header.key)},"value":${value.json}${value.fellBack ? ',"format":"binary"' : ''}}`);
    }
    return `[${parts.join(',')}]`;
  }
}

/** JSON text of `bytes` in `format`; bytes that are not valid in it (not UTF-8, not JSON) fall back to base64. */
function encodeData(bytes: Buffer | null, format: DataFormat): { json: string; fellBack: boolean } {
  if (bytes === null) return { json: 'null', fellBack: false };
  if (format === 'binary') return { json: `"${bytes.toString('base64')}"`, fellBack: false };
  if (isUtf8(bytes)) {
    const text = bytes.toString('utf8');
    if (format === 'string') return { json: JSON.stringify(text), fellBack: false };
    if (isJson(text)) return { json: text, fellBack: false }; // already JSON text: embedded as it is
  }
  return { json: `"${bytes.toString('base64')}"`, fellBack: true };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The record's `traceparent` header when it is well-formed W3C trace context. */
function traceparentOf(record: ConsumedRecord): string | undefined {
  for (const header of record.headers) {
    if (header.key !== 'traceparent' || header.value === null) continue;
    const text = header.value.toString('latin1');
    return TRACEPARENT.test(text) ? text : undefined;
  }
  return undefined;
}

/** The record a produce frame asks for; throws a 422 FrameError naming the field that cannot be encoded. */
export function producerRecordOf(frame: ProduceFrame): ProducerRecord {
  const headers: RecordHeaderInput[] = (frame.headers ?? []).map((header, i) => ({
    key: header.name,
    value: header.value === null ? null : frame.header_format === 'binary' ? decodeBase64(header.value, `headers.${i}.value`) : header.value,
  }));
  if (frame.traceparent !== undefined) {
    if (!TRACEPARENT.test(frame.traceparent)) throw new FrameError(422, 'traceparent: expected W3C trace context such as 00-<32 hex>-<16 hex>-<2 hex>');
    headers.push({ key: 'traceparent', value: frame.traceparent });
  }
  return {
    key: decodeData(frame.key, frame.key_format, 'key'),
    value: decodeData(frame.value, frame.value_format, 'value'),
    headers,
    ...(frame.partition !== undefined ? { partition: frame.partition } : {}),
    ...(frame.timestamp !== undefined ? { timestamp: frame.timestamp } : {}),
  };
}

function decodeData(data: unknown, format: DataFormat, field: string): Buffer | string | null {
  if (data === undefined || data === null) return null;
  if (format === 'json') return JSON.stringify(data);
  if (typeof data !== 'string') throw new FrameError(422, `${field}: expected a string for ${field}_format "${format}" (use "json" for other values)`);
  return format === 'binary' ? decodeBase64(data, field) : data;
}

function decodeBase64(text: string, field: string): Buffer {
  if (!BASE64.test(text)) throw new FrameError(422, `${field}: not base64`);
  return Buffer.from(text, 'base64');
}
