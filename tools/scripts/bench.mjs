// `npm run bench -- log-engine --runs 5` runs one benchmark and prints its table.
// `npm run bench` runs every benchmark in tools/bench, each with --json into tmp/bench/results,
// and writes docs/benchmarks.md; `npm run bench -- --quick` does the same with fewer runs and
// smaller sizes (about 10 minutes on 2 cores); `--only raft,controller` runs (and reports) just those;
// `--report <file>` writes the report elsewhere. Other options go to the bench(es).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const benchDir = join(root, 'tools/bench');
const available = readdirSync(benchDir).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, ''));

/** --quick: each bench's smaller settings (its defaults are the full run). */
const QUICK = {
  'log-engine': ['--runs', '1', '--append-mb', '256', '--read-gb', '1', '--open-gb', '2'],
  protocol: ['--runs', '2'],
  broker: ['--runs', '1', '--records', '1000000', '--peers', '1'],
  client: ['--runs', '1', '--records', '1000000', '--kafkajs-records', '100000', '--e2e-seconds', '3', '--peers', '1'],
  'gateway-ws': ['--runs', '1', '--subscribers', '300', '--records', '2000'],
  'gateway-rest': ['--runs', '1', '--records', '100000', '--seconds', '5'],
  raft: ['--runs', '1', '--seconds', '5'],
  controller: ['--runs', '1', '--sequential', '100', '--pipelined', '300'],
};
/** Order of the full session and of the report: the storage up to the clients. */
const ORDER = ['log-engine', 'protocol', 'raft', 'controller', 'broker', 'client', 'gateway-ws', 'gateway-rest'];

const runBench = (bench, args) => spawnSync(process.execPath, ['-r', './tools/scripts/register.js', join(benchDir, `${bench}.bench.ts`), ...args], { cwd: root, stdio: 'inherit' });

const [name, ...rest] = process.argv.slice(2);
if (name && !name.startsWith('--')) {
  if (!available.includes(name)) {
    console.error(`unknown benchmark "${name}"; available: ${available.join(', ')}`);
    process.exit(2);
  }
  const result = runBench(name, rest);
  process.exit(result.status ?? 1);
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : null;
const reportAt = args.indexOf('--report');
const reportFile = reportAt >= 0 ? resolve(args[reportAt + 1] ?? '') : join(root, 'docs/benchmarks.md');
const ours = new Set([onlyAt, onlyAt + 1, reportAt, reportAt + 1].filter((i) => i >= 0));
const shared = args.filter((a, i) => a !== '--quick' && !ours.has(i));
const unknown = (only ?? []).filter((b) => !available.includes(b));
if (reportAt >= 0 && !args[reportAt + 1]) {
  console.error('--report takes the file to write the report to');
  process.exit(2);
}
if (unknown.length > 0 || (only && only.length === 0)) {
  console.error(`--only takes a comma-separated list of: ${available.join(', ')}`);
  process.exit(2);
}
const benches = [...ORDER.filter((b) => available.includes(b)), ...available.filter((b) => !ORDER.includes(b)).sort()].filter((b) => !only || only.includes(b));
const resultsDir = join(root, 'tmp/bench/results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });
const began = Date.now();
const failed = [];
for (const bench of benches) {
  console.log(`\n=== ${bench} ===`);
  const started = Date.now();
  const result = runBench(bench, [...(quick ? (QUICK[bench] ?? ['--runs', '1']) : []), ...shared, '--json', join(resultsDir, `${bench}.json`)]);
  console.log(`=== ${bench}: ${result.status === 0 ? 'done' : `failed (exit ${result.status ?? result.signal})`} in ${Math.round((Date.now() - started) / 1000)} s ===`);
  if (result.status !== 0) failed.push({ bench, reason: `exited with ${result.status ?? result.signal}; run \`npm run bench -- ${bench}\` to see why` });
  else if (!existsSync(join(resultsDir, `${bench}.json`))) failed.push({ bench, reason: 'it writes no --json results yet' });
}
const report = {
  command: `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
  elapsedSeconds: (Date.now() - began) / 1000,
  failed,
  order: benches,
};
const written = spawnSync(process.execPath, ['-r', './tools/scripts/register.js', join(benchDir, 'lib/write-report.ts'), resultsDir, reportFile, JSON.stringify(report)], { cwd: root, stdio: 'inherit' });
process.exit(written.status !== 0 || failed.length > 0 ? 1 : 0);
