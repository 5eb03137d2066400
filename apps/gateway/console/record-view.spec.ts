import { decodeUtf8, encodeUtf8, renderBytes, renderDelivered } from './record-view';

// btoa and TextEncoder: the same globals in the browser and in Node
const bytesBase64 = (...bytes: number[]) => btoa(String.fromCharCode(...bytes));
const b64 = (text: string) => bytesBase64(...new TextEncoder().encode(text));

describe('how the console shows record bytes', () => {
  it('shows JSON objects and arrays pretty-printed, in auto and json modes', () => {
    expect(renderBytes(b64('{"a":1,"b":[true]}'), 'auto')).toEqual({ kind: 'json', text: '{\n  "a": 1,\n  "b": [\n    true\n  ]\n}' });
    expect(renderBytes(b64('[1,2]'), 'json').kind).toBe('json');
  });

  it('shows UTF-8 text that is not JSON as text; json mode says why it fell back', () => {
    expect(renderBytes(b64('héllo {x'), 'auto')).toEqual({ kind: 'string', text: 'héllo {x' });
    expect(renderBytes(b64('{not json'), 'json')).toEqual({ kind: 'string', text: '{not json', note: 'not JSON' });
    // a bare number is valid JSON, but the text it is reads the same and keeps its exact digits
    expect(renderBytes(b64('12345678901234567890'), 'auto')).toEqual({ kind: 'string', text: '12345678901234567890' });
  });

  it('shows bytes that are not UTF-8 as base64, whatever mode was asked', () => {
    const binary = bytesBase64(0xff, 0xfe, 0x00, 0x01);
    expect(renderBytes(binary, 'auto')).toEqual({ kind: 'base64', text: binary });
    expect(renderBytes(binary, 'string')).toEqual({ kind: 'base64', text: binary, note: 'not UTF-8' });
    expect(decodeUtf8(binary)).toBeNull();
  });

  it('keeps JSON as its raw text in string mode and as base64 in base64 mode; null stays null', () => {
    expect(renderBytes(b64('{"a":1}'), 'string')).toEqual({ kind: 'string', text: '{"a":1}' });
    expect(renderBytes(b64('{"a":1}'), 'base64')).toEqual({ kind: 'base64', text: b64('{"a":1}') });
    expect(renderBytes(null, 'auto')).toEqual({ kind: 'null', text: 'null' });
  });

  it('renders WebSocket deliveries: strings as text or JSON, values flagged binary from their base64', () => {
    expect(renderDelivered('{"n":1}', false, 'auto')).toEqual({ kind: 'json', text: '{\n  "n": 1\n}' });
    expect(renderDelivered('plain', false, 'base64')).toEqual({ kind: 'base64', text: b64('plain') });
    expect(renderDelivered(bytesBase64(0xc3), true, 'auto').kind).toBe('base64');
    expect(renderDelivered(null, false, 'auto').kind).toBe('null');
  });

  it('encodes text to base64 of its UTF-8 (header values typed into the produce form)', () => {
    expect(encodeUtf8('é✓')).toBe(b64('é✓'));
  });
});
