/**
 * Writes docs/benchmarks.md from the --json results of a `npm run bench` session.
 * argv: <results dir> <output file> <JSON of ReportRun>. Results are read in the order of the
 * report run's `order` (benches missing from the dir are listed as failed by the caller).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BenchResult } from './bench-result';
import { ReportRun, renderReport } from './report';

const [dir, output, runJson] = process.argv.slice(2);
if (!dir || !output || !runJson) {
  console.error('usage: write-report.ts <results dir> <output file> <report run JSON>');
  process.exit(2);
}
const run = JSON.parse(runJson) as ReportRun & { order: string[] };
const results = run.order
  .map((bench) => path.join(dir, `${bench}.json`))
  .filter((file) => fs.existsSync(file))
  .map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResult);
fs.mkdirSync(path.dirname(output), { recursive: true });
fs.writeFileSync(output, renderReport(results, run));
console.log(`wrote ${output} (${results.length} benches)`);
