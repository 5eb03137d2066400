/** One line to stdout: what commands print as their result (messages about the run go to stderr). */
export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Rows as left-aligned columns under an upper-case header, the way kafka-topics and kubectl print. */
export function columns(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n');
}
