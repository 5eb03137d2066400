/**
 * `npm run bench -- log-engine`: the log engine against raw node:fs on the same bytes, in the
 * same run. Prints medians [ranges] of several runs and the ratio to the raw baseline, beside the
 * targets of shared/BENCHMARKS.md. A report, not a test: nothing here passes or fails CI.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PartitionLog, encodeBatch } from '@tributary/log-engine';
import { Figure, benchResult, single, writeBenchResult } from './lib/bench-result';
import { machineLine } from './lib/machine';
import { RssSampler } from './lib/rss-sampler';
import { Summary, formatNumber, formatSummary, summarize } from './lib/stats';
import { renderTable } from './lib/table';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const RUNS = Number(args.get('runs') ?? 3);
const APPEND_MB = Number(args.get('append-mb') ?? 1024);
const READ_GB = Number(args.get('read-gb') ?? 2);
const OPEN_GB = Number(args.get('open-gb') ?? 10);
const RECORD_BYTES = 100;
const FLUSH_EVERY_MS = 5;
const ROOT = path.resolve(__dirname, '../..');

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-bench-'));
const cleanup = () => fs.rmSync(workDir, { recursive: true, force: true });
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

/** One batch of 100-byte records of at most `bytes` (Kafka v2, uncompressed, valid CRC). */
function batchOf(bytes: number): { batch: Buffer; records: number } {
  const build = (n: number) => encodeBatch(Array.from({ length: n }, (_, i) => ({ value: Buffer.alloc(RECORD_BYTES, i % 251) })), { timestamp: Date.now() });
  let records = Math.max(1, Math.floor(bytes / (RECORD_BYTES + 8)));
  let batch = build(records);
  // bounded: each pass shrinks the count by the overshoot ratio
  for (let pass = 0; batch.length > bytes && pass < 10; pass++) {
    records = Math.max(1, Math.floor((records * bytes) / batch.length) - 1);
    batch = build(records);
  }
  return { batch, records };
}

interface Throughput {
  mbPerSec: number;
  recordsPerSec: number;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Appends `totalBytes` through the log, optionally with a group-commit flush every 5 ms. */
async function appendLog(dir: string, batch: Buffer, recordsPerBatch: number, totalBytes: number, fsync: boolean): Promise<Throughput> {
  const log = PartitionLog.open(dir);
  const batches = Math.ceil(totalBytes / batch.length);
  const start = process.hrtime.bigint();
  let lastFlush = Date.now();
  const flushes: Promise<void>[] = [];
  for (let i = 0; i < batches; i++) {
    log.appendAsLeader(batch, 0);
    if (fsync && Date.now() - lastFlush >= FLUSH_EVERY_MS) {
      flushes.push(log.flush());
      lastFlush = Date.now();
      await yieldToLoop(); // let finished fsyncs report back
    }
  }
  if (fsync) flushes.push(log.flush());
  await Promise.all(flushes);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  log.close();
  return { mbPerSec: (batches * batch.length) / 2 ** 20 / seconds, recordsPerSec: (batches * recordsPerBatch) / seconds };
}

/** The same bytes with fs.writeSync into one file (and fdatasync every 5 ms when asked). */
async function appendRaw(file: string, batch: Buffer, recordsPerBatch: number, totalBytes: number, fsync: boolean): Promise<Throughput> {
  const fd = fs.openSync(file, 'w');
  const batches = Math.ceil(totalBytes / batch.length);
  const start = process.hrtime.bigint();
  let position = 0;
  let lastFlush = Date.now();
  const flushes: Promise<void>[] = [];
  for (let i = 0; i < batches; i++) {
    fs.writeSync(fd, batch, 0, batch.length, position);
    position += batch.length;
    if (fsync && Date.now() - lastFlush >= FLUSH_EVERY_MS) {
      flushes.push(new Promise((resolve, reject) => fs.fdatasync(fd, (e) => (e ? reject(e) : resolve()))));
      lastFlush = Date.now();
      await yieldToLoop();
    }
  }
  if (fsync) fs.fdatasyncSync(fd);
  await Promise.all(flushes);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  fs.closeSync(fd);
  return { mbPerSec: (batches * batch.length) / 2 ** 20 / seconds, recordsPerSec: (batches * recordsPerBatch) / seconds };
}

function writeLogOf(dir: string, totalBytes: number, sampler?: RssSampler): { endOffset: number } {
  const log = PartitionLog.open(dir);
  const { batch } = batchOf(1 << 20);
  for (let written = 0; written < totalBytes; written += batch.length) {
    log.appendAsLeader(batch, 0);
    sampler?.sample();
  }
  const endOffset = log.logEndOffset;
  log.close();
  return { endOffset };
}

function readLog(dir: string): number {
  const log = PartitionLog.open(dir);
  const reused = Buffer.allocUnsafe(2 << 20);
  const start = process.hrtime.bigint();
  let bytes = 0;
  let offset = 0;
  for (let guard = 0; offset < log.logEndOffset && guard < 10_000_000; guard++) {
    const { records } = log.read(offset, 1 << 20, undefined, reused);
    if (records.length === 0) break;
    bytes += records.length;
    // the next offset follows the last batch: read its header (lastOffsetDelta at 23)
    let pos = 0;
    let last = offset;
    while (pos < records.length) {
      last = Number(records.readBigInt64BE(pos)) + records.readInt32BE(pos + 23);
      pos += records.readInt32BE(pos + 8) + 12;
    }
    offset = last + 1;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  log.close();
  return bytes / 2 ** 20 / seconds;
}

function readRaw(dir: string): number {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
  const buffer = Buffer.allocUnsafe(1 << 20);
  const start = process.hrtime.bigint();
  let bytes = 0;
  for (const file of files) {
    const fd = fs.openSync(path.join(dir, file), 'r');
    for (let n = fs.readSync(fd, buffer, 0, buffer.length, null); n > 0; n = fs.readSync(fd, buffer, 0, buffer.length, null)) bytes += n;
    fs.closeSync(fd);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return bytes / 2 ** 20 / seconds;
}

function timeOpen(dir: string): { ms: number; scanned: number } {
  const start = process.hrtime.bigint();
  const log = PartitionLog.open(dir);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const scanned = log.recovery.segmentsScanned;
  log.close();
  return { ms, scanned };
}

/** Appends in a child process (recovery point checkpointed every second), then SIGKILLs it. */
function killWhileWriting(dir: string, extraMb: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', './tools/scripts/register.js', path.join(__dirname, 'log-engine-killed-writer.ts'), dir, String(extraMb), '1000'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (chunk: Buffer) => {
      const line = chunk.toString();
      if (line.startsWith('ready')) {
        child.kill('SIGKILL');
        resolve(line.trim());
      }
    });
    child.on('exit', () => clearTimeout(timer));
    child.on('error', reject);
  });
}

function ratio(ours: Summary, raw: Summary): string {
  return `${formatNumber((ours.median / raw.median) * 100)}%`;
}

async function main(): Promise<void> {
  const began = Date.now();
  const free = fs.statfsSync(workDir);
  const needed = (Math.max(OPEN_GB, READ_GB) + 2 * APPEND_MB / 1024 + 1) * 2 ** 30;
  if (free.bavail * free.bsize < needed) throw new Error(`needs ${formatNumber(needed / 2 ** 30, 1)} GiB free in ${os.tmpdir()}`);
  console.log(`# log-engine benchmark\n${machineLine()}\nruns: ${RUNS}, append volume ${APPEND_MB} MiB per run, read ${READ_GB} GiB, open ${OPEN_GB} GiB\n`);
  const results: Record<string, unknown> = {};
  const rows: string[][] = [];
  const figures: Figure[] = [];
  /** Our figure against raw node:fs on the same bytes in the same run (target: at least 80% of it). */
  const againstRaw = (figure: string, ours: Summary, raw: Summary, targeted: boolean): Figure => ({
    figure,
    unit: 'MB/s',
    summary: ours,
    baselines: [{ name: 'raw node:fs', value: raw.median, better: 'higher' }],
    ...(targeted ? { target: { name: 'target', value: 0.8 * raw.median, better: 'higher' as const } } : {}),
  });

  const openDir = path.join(workDir, 'open');
  const sampler = new RssSampler();
  writeLogOf(openDir, OPEN_GB * 2 ** 30, sampler);
  const rssMiB = sampler.stop() / 2 ** 20;
  const clean: number[] = [];
  for (let run = 0; run < RUNS; run++) clean.push(timeOpen(openDir).ms);
  const killed: number[] = [];
  let scanned = 0;
  let killNote = '';
  for (let run = 0; run < RUNS; run++) {
    killNote = await killWhileWriting(openDir, 256);
    const opened = timeOpen(openDir);
    killed.push(opened.ms);
    scanned = opened.scanned;
  }
  fs.rmSync(openDir, { recursive: true });
  const co = summarize(clean);
  const ko = summarize(killed);
  results[`open ${OPEN_GB} GiB`] = { cleanMs: co, afterSigkillMs: ko, rssMiB, segmentsScannedAfterKill: scanned, lastKill: killNote };
  rows.push([`open ${OPEN_GB} GiB after a clean stop`, `${formatSummary(co, 1)} ms`, '', '', '< 1,000 ms']);
  rows.push([`open ${OPEN_GB} GiB after SIGKILL (recovery point checkpointed every 1 s)`, `${formatSummary(ko, 1)} ms, ${scanned} segment(s) scanned`, '', '', '< 3,000 ms']);
  rows.push([`RSS while appending ${OPEN_GB} GiB`, `${formatNumber(rssMiB)} MiB`, '', '', '< 200 MiB']);
  figures.push(
    { figure: `open ${OPEN_GB} GiB after a clean stop`, unit: 'ms', summary: co, digits: 1, target: { name: 'target', value: 1_000, better: 'lower' } },
    { figure: `open ${OPEN_GB} GiB after SIGKILL (recovery point checkpointed every 1 s)`, unit: 'ms', summary: ko, digits: 1, target: { name: 'target', value: 3_000, better: 'lower' } },
    { figure: `RSS while appending ${OPEN_GB} GiB`, unit: 'MiB', summary: single(rssMiB), target: { name: 'target', value: 200, better: 'lower' } },
  );

  for (const [label, size] of [['16 KiB', 16 * 1024], ['1 MiB', 1 << 20]] as const) {
    const { batch, records } = batchOf(size);
    for (const fsync of [false, true]) {
      const ours: Throughput[] = [];
      const raw: Throughput[] = [];
      for (let run = 0; run < RUNS; run++) {
        const dir = path.join(workDir, `append-${run}`);
        raw.push(await appendRaw(path.join(workDir, 'raw.bin'), batch, records, APPEND_MB * 2 ** 20, fsync));
        fs.rmSync(path.join(workDir, 'raw.bin'));
        ours.push(await appendLog(dir, batch, records, APPEND_MB * 2 ** 20, fsync));
        fs.rmSync(dir, { recursive: true });
      }
      const o = summarize(ours.map((t) => t.mbPerSec));
      const r = summarize(raw.map((t) => t.mbPerSec));
      const name = `append ${label} batches${fsync ? ', fsync every 5 ms' : ''}`;
      results[name] = { ours: o, raw: r, recordsPerSec: summarize(ours.map((t) => t.recordsPerSec)) };
      figures.push(againstRaw(name, o, r, !fsync));
      rows.push([name, `${formatSummary(o)} MB/s (${formatNumber(summarize(ours.map((t) => t.recordsPerSec)).median)} rec/s)`, `${formatSummary(r)} MB/s`, ratio(o, r), fsync ? 'report' : '>= 80%']);
      console.error(`done: ${name}`);
    }
  }

  const readDir = path.join(workDir, 'read');
  writeLogOf(readDir, READ_GB * 2 ** 30);
  const ours: number[] = [];
  const raw: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    raw.push(readRaw(readDir));
    ours.push(readLog(readDir));
  }
  fs.rmSync(readDir, { recursive: true });
  const ro = summarize(ours);
  const rr = summarize(raw);
  results[`sequential read of ${READ_GB} GiB`] = { ours: ro, raw: rr };
  figures.push(againstRaw(`sequential read of ${READ_GB} GiB (1 MiB reads into a reused buffer)`, ro, rr, true));
  rows.push([`sequential read of ${READ_GB} GiB (1 MiB reads into a reused buffer)`, `${formatSummary(ro)} MB/s`, `${formatSummary(rr)} MB/s`, ratio(ro, rr), '>= 80%']);
  console.error('done: read');

  console.log(renderTable(['figure', 'log-engine (median [range])', 'raw node:fs', 'ratio', 'target'], rows));
  console.log(`\nelapsed ${formatNumber((Date.now() - began) / 1000, 1)} s`);
  fs.mkdirSync(path.join(ROOT, 'tmp/bench'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'tmp/bench/log-engine.json'), JSON.stringify({ machine: machineLine(), runs: RUNS, results }, null, 2));
  writeBenchResult(args.get('json'), benchResult('log-engine', `runs: ${RUNS}, append ${APPEND_MB} MiB per run, read ${READ_GB} GiB, open ${OPEN_GB} GiB; 100-byte records`, figures));
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(cleanup);
