import { JsonValueItem, JsonValueSplitter, MAX_NESTING_DEPTH, jsonValues } from './json-values';

function split(chunks: (string | Buffer)[], maxValueBytes = 1000): JsonValueItem[] {
  const splitter = new JsonValueSplitter(maxValueBytes);
  const out = chunks.flatMap((chunk) => splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)));
  return [...out, ...splitter.end()];
}

/** Every way of cutting `body` in two, and byte by byte. */
function everySplit(body: Buffer): Buffer[][] {
  const ways = Array.from({ length: body.length + 1 }, (_, at) => [body.subarray(0, at), body.subarray(at)]);
  ways.push(Array.from(body, (_, i) => body.subarray(i, i + 1)));
  return ways;
}

const json = (value: unknown) => ({ json: JSON.stringify(value) });
const invalid = (fragment: string) => ({ invalid: expect.stringContaining(fragment) });

/** A small seeded PRNG (mulberry32), so a failing fuzz case reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('JsonValueSplitter', () => {
  it('splits objects back to back, one per line (LF or CRLF), pretty-printed or separated by any whitespace', () => {
    const a = { value: { data: 1 } };
    const b = { key: { type: 'STRING', data: 'k' }, value: { type: 'JSON', data: { nested: [1, { deep: true }] } } };
    expect(split([`${JSON.stringify(a)}${JSON.stringify(b)}`])).toEqual([json(a), json(b)]);
    expect(split([`${JSON.stringify(a)}\n${JSON.stringify(b)}\n`])).toEqual([json(a), json(b)]);
    expect(split([`${JSON.stringify(a)}\r\n\r\n${JSON.stringify(b)}\r\n`])).toEqual([json(a), json(b)]);
    const pretty = split([`${JSON.stringify(a, null, 2)}\n${JSON.stringify(b, null, '\t')} \t\n  ${JSON.stringify(a, null, 4)}`]);
    expect(pretty.map((item) => JSON.parse((item as { json: string }).json))).toEqual([a, b, a]);
    expect(split(['', ' \n\t ', ''])).toEqual([]);
  });

  it('skips a UTF-8 byte order mark at the start of the body, even cut across chunks, and nowhere else', () => {
    const record = { value: { data: 1 } };
    const withMark = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(record))]);
    for (const chunks of everySplit(withMark)) expect(split(chunks)).toEqual([json(record)]);
    expect(split([Buffer.concat([Buffer.from(JSON.stringify(record)), withMark])])).toEqual([json(record), invalid('unexpected byte 0xef where a record should start'), json(record)]);
  });

  it('finds the same values wherever the chunks are cut: strings with escaped quotes, backslashes, braces and multibyte characters', () => {
    const records = [
      { value: { type: 'STRING', data: 'he said "}{" and \\ left' } },
      { key: { type: 'STRING', data: 'é ü 中文 😀' }, value: { type: 'JSON', data: { '{': ['}', '[', ']'], e: 'a\u0000b\nc\u2028', n: -12.5e-3, z: 0, t: true, f: false, u: null } } },
      { value: { data: [] }, headers: [{ name: 'h', value: 'dg==' }], o: {} },
    ];
    const body = Buffer.from(`${JSON.stringify(records[0])}${JSON.stringify(records[1], null, 2)}\n  ${JSON.stringify(records[2])}`);
    expect(body.toString()).toContain('\\"}{\\"');
    for (const chunks of everySplit(body)) {
      const items = split(chunks);
      expect(items.map((item) => JSON.parse((item as { json: string }).json))).toEqual(records);
    }
  });

  it('takes every escape JSON has, \\u escapes split across chunks included', () => {
    const text = String.raw`{"s":"\" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00"}`;
    for (const chunks of everySplit(Buffer.from(text))) expect(split(chunks)).toEqual([{ json: text }]);
    expect(JSON.parse(text).s).toBe('" \\ / \b \f \n \r \t é 😀');
  });

  it('reports a value over the limit once, without keeping it, and goes on with the next one', () => {
    const small = { value: { data: 1 } };
    const large = { value: { type: 'STRING', data: 'x'.repeat(60) } };
    const limit = JSON.stringify(large).length - 1;
    const body = Buffer.from(`${JSON.stringify(small)}${JSON.stringify(large)}\n${JSON.stringify(small)}`);
    for (const chunks of everySplit(body)) expect(split(chunks, limit)).toEqual([json(small), { tooLong: true }, json(small)]);
    // a value of exactly the limit is a record
    expect(split([JSON.stringify(large)], limit + 1)).toEqual([json(large)]);
    // over the limit and cut short by the end of the body, or not JSON at all: still one too-long answer
    expect(split([JSON.stringify(large).slice(0, -1)], limit - 5)).toEqual([{ tooLong: true }]);
    expect(split([`{"a":${'!'.repeat(100)}`, '}', JSON.stringify(small)], 50)).toEqual([{ tooLong: true }, json(small)]);
  });

  it('keeps no more than the limit of a value over it, however many chunks it spans', () => {
    const splitter = new JsonValueSplitter(100);
    splitter.push(Buffer.from('{"value":{"type":"STRING","data":"'));
    const kept = () => (splitter as unknown as { pieces: Buffer[] }).pieces.reduce((sum, piece) => sum + piece.length, 0);
    for (let i = 0; i < 50; i++) {
      expect(splitter.push(Buffer.alloc(64, 'y'))).toEqual([]);
      expect(kept()).toBeLessThanOrEqual(100);
    }
    expect(splitter.push(Buffer.from('"}}{"value":{"data":2}}'))).toEqual([{ tooLong: true }, json({ value: { data: 2 } })]);
  });

  it('takes values nested up to the maximum depth; deeper is a bad value, and a deep value over the limit keeps no stack', () => {
    const ok = JSON.stringify({ value: { data: 'ok' } });
    const nested = (levels: number) => `{"value":{"data":${'['.repeat(levels - 2)}${']'.repeat(levels - 2)}}}`;
    expect(split([nested(MAX_NESTING_DEPTH) + ok], 10_000)).toEqual([{ json: nested(MAX_NESTING_DEPTH) }, { json: ok }]);
    expect(split([nested(MAX_NESTING_DEPTH + 1) + ok], 10_000)).toEqual([invalid(`a value nested deeper than ${MAX_NESTING_DEPTH} levels`), { json: ok }]);
    // brackets that never close, far past the limit: the scanner's stack stays where the limit left it
    const splitter = new JsonValueSplitter(100);
    const stack = () => (splitter as unknown as { containers: number[] }).containers.length;
    for (let i = 0; i < 100; i++) {
      expect(splitter.push(Buffer.alloc(500, '['))).toEqual([]);
      expect(stack()).toBeLessThanOrEqual(500);
    }
    expect(splitter.push(Buffer.from(`\n${ok}`))).toEqual([{ tooLong: true }, { json: ok }]);
  });

  it('answers each bad value on its own and goes on with the next record', () => {
    const ok = { value: { data: 'ok' } };
    const line = JSON.stringify(ok);
    // not JSON on its own line: the next line starting with '{' is the next record
    expect(split([`{not json\n${line}\n`])).toEqual([invalid("not valid JSON: unexpected 'n' where a key should be at byte 2 of the record"), json(ok)]);
    // a syntax error inside an object whose brackets balance: the object is the bad value
    expect(split([`{"a":1,,"b":{"c":2}}${line}`])).toEqual([invalid("unexpected ',' where a key should be at byte 8"), json(ok)]);
    expect(split([`{"a":}${line}`])).toEqual([invalid("unexpected '}' where a value should be"), json(ok)]);
    // one pretty-printed over several lines
    expect(split([`{\n  "a": [1 2],\n  "b": {"c": "}"}\n}\n${line}`])).toEqual([invalid("unexpected '2' where ',' or ']' should be"), json(ok)]);
    // a string left open by a raw newline (JSON strings cannot hold one), a bad escape, a bad \u escape
    expect(split([`{"a":"open\n${line}`])).toEqual([invalid('a control character (byte 0x0a) inside a string'), json(ok)]);
    expect(split([String.raw`{"a":"\x}"}` + line])).toEqual([invalid("an unknown escape (\\ then 'x') inside a string"), json(ok)]);
    expect(split([String.raw`{"a":"\u12G4 }"}` + line])).toEqual([invalid("'G' inside a \\u escape"), json(ok)]);
    // numbers and literals that are not JSON
    expect(split([`{"a":01}${line}{"a":-}${line}{"a":1.}${line}{"a":1e}${line}{"a":tru}${line}`])).toEqual([
      invalid('a number with a leading zero'),
      json(ok),
      invalid("unexpected '}' after '-'"),
      json(ok),
      invalid("unexpected '}' after a decimal point"),
      json(ok),
      invalid("unexpected '}' in an exponent"),
      json(ok),
      invalid("unexpected '}' in true"),
      json(ok),
    ]);
    // a missing comma between members, with the next record on the next line
    expect(split([`{"a":1\n${line}`])).toEqual([invalid("unexpected '{' where ',' or '}' should be"), json(ok)]);
  });

  it('answers top-level values that are not objects, and text between records, as bad values', () => {
    const ok = { value: { data: 'ok' } };
    expect(split([`[1,{"a":2}] 42 -0.5e+3 "s{" true false null ${JSON.stringify(ok)} 7`])).toEqual([
      invalid('a record must be a JSON object, not an array'),
      invalid('not a number'),
      invalid('not a number'),
      invalid('not a string'),
      invalid('not a boolean'),
      invalid('not a boolean'),
      invalid('not null'),
      json(ok),
      invalid('not a number'),
    ]);
    // text up to the next '{' is one bad value, so is a stray closing brace
    expect(split([`hello world\nmore ${JSON.stringify(ok)}}\n${JSON.stringify(ok)}`])).toEqual([
      invalid("unexpected 'h' where a record should start at byte 1"),
      json(ok),
      invalid("unexpected '}' where a record should start"),
      json(ok),
    ]);
    expect(split([`[1,,2]${JSON.stringify(ok)}`])).toEqual([invalid("unexpected ',' where a value should be"), json(ok)]);
  });

  it('takes the rest of the body as one bad value when it cannot find where a bad one ends', () => {
    // a brace never closed, with the next objects on the same line: no line starts with '{' and the brackets never balance
    expect(split(['{"a":{"b":1}{"value":{"data":1}}{"value":{"data":2}}'])).toEqual([invalid("unexpected '{' where ',' or '}' should be at byte 13")]);
    // a body that ends inside a value
    expect(split(['{"value":'])).toEqual([invalid("the body ended before the value's closing '}'")]);
    expect(split(['{"value":{"data":[1'])).toEqual([invalid("the body ended before the value's closing '}'")]);
    expect(split(['{"value":"abc'])).toEqual([invalid("the body ended before the value's closing '}'")]);
    expect(split(['"abc'])).toEqual([invalid('the body ended inside the value')]);
    expect(split(['{"value":\n'])).toEqual([invalid("not valid JSON: the body ended before the value's closing '}'")]);
  });

  it('agrees with JSON.parse on random records in random chunks, and never throws on their mutations', () => {
    const random = rng(20261202);
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
    const text = () => Array.from({ length: Math.floor(random() * 8) }, () => pick(['a', '"', '\\', '{', '}', '[', ']', 'é', '😀', '\n', ' ', ':', ','])).join('');
    const value = (depth: number): unknown => {
      const kind = Math.floor(random() * (depth > 2 ? 4 : 6));
      if (kind === 0) return text();
      if (kind === 1) return Math.round((random() - 0.5) * 1e6) / 100;
      if (kind === 2) return pick([true, false, null]);
      if (kind === 3) return Math.floor(random() * 1e9);
      if (kind === 4) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [text(), value(depth + 1)]));
    };
    for (let round = 0; round < 200; round++) {
      const records = Array.from({ length: 1 + Math.floor(random() * 5) }, () => ({ value: { type: 'JSON', data: value(0) } }));
      const body = Buffer.from(records.map((record) => JSON.stringify(record, null, pick([0, 2, '\t'])) + pick(['', '\n', ' ', '\r\n', '\n\n'])).join(''));
      const chunks: Buffer[] = [];
      for (let at = 0; at < body.length; ) {
        const size = 1 + Math.floor(random() * 20);
        chunks.push(body.subarray(at, at + size));
        at += size;
      }
      expect(split(chunks, body.length).map((item) => JSON.parse((item as { json: string }).json))).toEqual(records);
      // a byte changed, dropped or added: whatever comes out is either JSON or an answer, one per value
      const mutated = Buffer.from(body);
      const at = Math.floor(random() * mutated.length);
      mutated[at] = pick([0x7b, 0x7d, 0x22, 0x5c, 0x2c, 0x0a, 0x78]);
      for (const item of split([mutated.subarray(0, at + 1), mutated.subarray(at + 1)])) {
        if ('json' in item) expect(() => JSON.parse(item.json)).not.toThrow();
      }
    }
  });
});

describe('jsonValues', () => {
  it('splits an async body, the value cut short at its end included', async () => {
    async function* body() {
      yield Buffer.from('{"a":1}{"b"');
      yield Buffer.from(':2}\n{"c":');
    }
    const out: JsonValueItem[] = [];
    for await (const item of jsonValues(body(), 100)) out.push(item);
    expect(out).toEqual([{ json: '{"a":1}' }, { json: '{"b":2}' }, invalid("the body ended before the value's closing '}'")]);
  });
});
