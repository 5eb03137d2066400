import { UnprocessableEntityException } from '@nestjs/common';
import { ConsumedRecord } from '@tributary/protocol';
import { ConsumedRecordBody, RecordFormat } from './consumed-record.schemas';

function render(bytes: Buffer | null, format: RecordFormat, what: string): unknown {
  if (bytes === null) return null;
  if (format === 'binary') return bytes.toString('base64');
  const text = bytes.toString('utf8');
  if (format === 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UnprocessableEntityException(`format: the ${what} is not JSON; ask with format=string or format=binary`);
  }
}

/** A record as REST answers it: key and value in `format`, headers in base64. */
export function recordBody(topic: string, partition: number, record: ConsumedRecord, format: RecordFormat): ConsumedRecordBody {
  return {
    topic_name: topic,
    partition_id: partition,
    offset: record.offset,
    timestamp: new Date(record.timestamp).toISOString(),
    key: render(record.key, format, `key at ${topic}-${partition}@${record.offset}`),
    value: render(record.value, format, `value at ${topic}-${partition}@${record.offset}`),
    headers: record.headers.map((header) => ({ name: header.key, value: header.value === null ? null : header.value.toString('base64') })),
  };
}
