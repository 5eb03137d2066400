// How the console shows the bytes of keys, values and headers: as JSON when they parse as JSON,
// else as text when they are UTF-8, else as base64; or in the form the user picked.

export type ViewMode = 'auto' | 'json' | 'string' | 'base64';
export const VIEW_MODES: ViewMode[] = ['auto', 'json', 'string', 'base64'];

export interface RenderedBytes {
  /** What `text` is: the form the bytes were shown in, or null for a null key or value. */
  kind: 'json' | 'string' | 'base64' | 'null';
  text: string;
  /** Why the requested form could not be used (then `text` is base64 or a string). */
  note?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Renders base64-encoded bytes (null: no bytes) in `mode`. */
export function renderBytes(base64: string | null, mode: ViewMode): RenderedBytes {
  if (base64 === null) return { kind: 'null', text: 'null' };
  if (mode === 'base64') return { kind: 'base64', text: base64 };
  const text = decodeUtf8(base64);
  if (text === null) return { kind: 'base64', text: base64, note: mode === 'auto' ? undefined : 'not UTF-8' };
  if (mode === 'string') return { kind: 'string', text };
  const json = parseJson(text);
  if (json !== undefined) return { kind: 'json', text: JSON.stringify(json, null, 2) };
  return { kind: 'string', text, note: mode === 'json' ? 'not JSON' : undefined };
}

/** Renders a value as the WebSocket delivers it: a string (or base64 when flagged binary). */
export function renderDelivered(value: unknown, binary: boolean, mode: ViewMode): RenderedBytes {
  if (value === null || value === undefined) return { kind: 'null', text: 'null' };
  if (typeof value !== 'string') return { kind: 'json', text: JSON.stringify(value, null, 2) };
  return renderBytes(binary ? value : encodeUtf8(value), mode);
}

export function decodeUtf8(base64: string): string | null {
  try {
    return utf8.decode(base64ToBytes(base64));
  } catch {
    return null;
  }
}

export function encodeUtf8(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

function parseJson(text: string): unknown {
  // a bare number or word is JSON too, but reads better as the text it is
  if (!/^\s*[[{"]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
