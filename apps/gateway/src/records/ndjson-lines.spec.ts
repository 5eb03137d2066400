import { ndjsonLines } from './ndjson-lines';

async function linesOf(chunks: string[], maxLineBytes: number): Promise<({ line: string } | { tooLong: true })[]> {
  async function* body() {
    for (const chunk of chunks) yield Buffer.from(chunk);
  }
  const out: ({ line: string } | { tooLong: true })[] = [];
  for await (const item of ndjsonLines(body(), maxLineBytes)) out.push(item);
  return out;
}

describe('ndjsonLines', () => {
  it('joins lines split across chunks, skips blank lines and keeps a last line without a newline', async () => {
    expect(await linesOf(['{"a":', '1}\n\n{"b"', ':2}\n{"c":3}'], 100)).toEqual([{ line: '{"a":1}' }, { line: '{"b":2}' }, { line: '{"c":3}' }]);
  });

  it('reports a line longer than the limit once and resumes at the next line, without buffering it', async () => {
    const long = 'x'.repeat(25);
    expect(await linesOf(['{"a":1}\n', long.slice(0, 10), long.slice(10), '\n{"b":2}\n'], 20)).toEqual([{ line: '{"a":1}' }, { tooLong: true }, { line: '{"b":2}' }]);
    expect(await linesOf([`${long}\n`, '{"b":2}'], 20)).toEqual([{ tooLong: true }, { line: '{"b":2}' }]);
    expect(await linesOf(['ok\n', long], 20)).toEqual([{ line: 'ok' }, { tooLong: true }]);
  });
});
