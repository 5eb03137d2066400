import { UnprocessableEntityException } from '@nestjs/common';
import { dataBytes, decodeBase64 } from './record-data';

describe('record data', () => {
  it('turns JSON, STRING and BINARY data into the bytes Kafka stores', () => {
    expect(dataBytes({ type: 'JSON', data: { a: [1, 'x'] } }, 'value').toString()).toBe('{"a":[1,"x"]}');
    expect(dataBytes({ type: 'JSON', data: undefined }, 'value').toString()).toBe('null');
    expect(dataBytes({ type: 'STRING', data: 'héllo' }, 'value').toString('utf8')).toBe('héllo');
    expect(dataBytes({ type: 'BINARY', data: Buffer.from([0, 255, 7]).toString('base64') }, 'key')).toEqual(Buffer.from([0, 255, 7]));
  });

  it('refuses base64 that Buffer.from would silently mangle, naming the field', () => {
    for (const bad of ['!!!!', 'abc', 'ab=c', 'YWJj\n']) {
      expect(() => decodeBase64(bad, 'value.data')).toThrow(UnprocessableEntityException);
    }
    expect(() => decodeBase64('@', 'headers.0.value')).toThrow('headers.0.value: not valid base64');
    expect(decodeBase64('', 'value.data')).toEqual(Buffer.alloc(0));
  });
});
