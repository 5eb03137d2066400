import { UnprocessableEntityException } from '@nestjs/common';
import { DataType } from './produce.schemas';

/** Strict base64 (standard alphabet, padded): Buffer.from would silently skip bad characters. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function decodeBase64(text: string, field: string): Buffer {
  if (!BASE64.test(text)) throw new UnprocessableEntityException(`${field}: not valid base64`);
  return Buffer.from(text, 'base64');
}

/** The record bytes of a produce request's key or value (already validated: STRING and BINARY carry strings). */
export function dataBytes(data: { type: DataType; data?: unknown }, field: string): Buffer {
  switch (data.type) {
    case 'BINARY':
      return decodeBase64(String(data.data ?? ''), `${field}.data`);
    case 'STRING':
      return Buffer.from(String(data.data ?? ''), 'utf8');
    default:
      return Buffer.from(JSON.stringify(data.data ?? null), 'utf8');
  }
}
