const NEWLINE = 0x0a;

/**
 * Splits the body into lines of at most `maxLineBytes`; a longer line is reported as `tooLong`
 * (and skipped up to its newline) instead of being buffered.
 */
export async function* ndjsonLines(body: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<{ line: string } | { tooLong: true }> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  for await (const chunk of body) {
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, newline);
      start = newline + 1;
      if (skipping || pendingBytes + piece.length > maxLineBytes) {
        skipping = false;
        pending = [];
        pendingBytes = 0;
        yield { tooLong: true };
        continue;
      }
      const line = Buffer.concat([...pending, piece]).toString('utf8');
      pending = [];
      pendingBytes = 0;
      if (line.trim() !== '') yield { line };
    }
    const rest = chunk.subarray(start);
    if (skipping) continue;
    if (pendingBytes + rest.length > maxLineBytes) {
      skipping = true;
      pending = [];
      pendingBytes = 0;
    } else if (rest.length > 0) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (skipping) yield { tooLong: true };
  else if (pendingBytes > 0) {
    const line = Buffer.concat(pending).toString('utf8');
    if (line.trim() !== '') yield { line };
  }
}
