/**
 * `npm run bench -- protocol`: the codecs of libs/protocol in one process. Produce request decode +
 * re-encode and Fetch response encode with 1 MiB of 100-byte records, the batch builder and the
 * lazy reader in records/s, and msgpackr RPC round trips over loopback with 32 in flight.
 * Medians of several runs beside the targets of issue #3. A report, not a test.
 */
import {
  RecordBatchBuilder,
  RpcClient,
  RpcServer,
  decodeRequest,
  encodeRequest,
  encodeResponse,
  readRecordBatches,
} from '@tributary/protocol';
import { Figure, benchResult, writeBenchResult } from './lib/bench-result';
import { machineLine } from './lib/machine';
import { formatNumber, formatSummary, summarize } from './lib/stats';
import { renderTable } from './lib/table';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const RUNS = Number(args.get('runs') ?? 5);
const RECORD_BYTES = 100;
const MiB = 1024 * 1024;

/** Runs `op` repeatedly for about `ms` and returns operations per second. */
function rate(op: () => void, ms = 1000): number {
  for (let i = 0; i < 3; i++) op(); // warm-up
  let count = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    op();
    count++;
    now = process.hrtime.bigint();
  }
  return count / (Number(now - start) / 1e9);
}

/** 1 MiB of 100-byte records as 16 batches of 64 KiB, as a producer sends them. */
function recordsOneMiB(): { records: Buffer; count: number } {
  const builder = new RecordBatchBuilder();
  const value = Buffer.alloc(RECORD_BYTES, 7);
  const batches: Buffer[] = [];
  let count = 0;
  let size = 0;
  while (size < MiB) {
    builder.append(null, value, Date.now());
    count++;
    if (builder.sizeInBytes >= 64 * 1024) {
      const batch = builder.build();
      batches.push(batch);
      size += batch.length;
    }
  }
  return { records: Buffer.concat(batches), count };
}

function produceRoundTrip(records: Buffer): () => void {
  const frame = encodeRequest(0, 11, 1, 'bench', { acks: 1, timeoutMs: 30_000, topicData: [{ name: 'bench', partitionData: [{ index: 0, records }] }] });
  const body = frame.subarray(4);
  return () => {
    const decoded = decodeRequest(body);
    encodeRequest(0, 11, decoded.header.correlationId, decoded.header.clientId, decoded.body as never);
  };
}

function fetchResponseEncode(records: Buffer): () => void {
  return () => {
    encodeResponse(1, 16, 1, {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [{ topicId: '5b8e4d5e-0c4a-4c42-9f1e-7a1f3f0e2b11', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 1n, lastStableOffset: 1n, logStartOffset: 0n, records }] }],
    });
  };
}

function builderRecordsPerSec(): number {
  const builder = new RecordBatchBuilder();
  const value = Buffer.alloc(RECORD_BYTES, 3);
  const perBatch = Math.floor((64 * 1024 - 61) / (RECORD_BYTES + 8));
  const now = Date.now();
  return (
    rate(() => {
      for (let i = 0; i < perBatch; i++) builder.append(null, value, now);
      builder.build();
    }) * perBatch
  );
}

function readerRecordsPerSec(records: Buffer, count: number): number {
  return (
    rate(() => {
      let n = 0;
      for (const batch of readRecordBatches(records)) for (const record of batch.records()) n += record.value === null ? 0 : 1;
      if (n !== count) throw new Error(`read ${n} records, expected ${count}`);
    }) * count
  );
}

async function rpcRoundTripsPerSec(inFlight: number, ms = 1500): Promise<number> {
  const server = new RpcServer({ port: 0, host: '127.0.0.1' });
  server.handle('echo', async (data) => data);
  const address = await server.listen();
  const client = new RpcClient({ host: '127.0.0.1', port: address.port });
  const payload = { brokerId: 1, brokerEpoch: 42n, offset: 1234, wantFence: false };
  try {
    for (let i = 0; i < 200; i++) await client.request('echo', payload);
    let done = 0;
    const deadline = Date.now() + ms;
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (Date.now() < deadline) {
          await client.request('echo', payload);
          done++;
        }
      }),
    );
    return done / (Number(process.hrtime.bigint() - start) / 1e9);
  } finally {
    client.close();
    await server.close();
  }
}

async function main(): Promise<void> {
  console.log(`# protocol benchmark\n${machineLine()}\nruns: ${RUNS}, ${RECORD_BYTES}-byte uncompressed records\n`);
  const { records, count } = recordsOneMiB();
  const produce = produceRoundTrip(records);
  const fetch = fetchResponseEncode(records);
  const results = { produce: [] as number[], fetch: [] as number[], builder: [] as number[], reader: [] as number[], rpc: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    results.produce.push(rate(produce));
    results.fetch.push(rate(fetch));
    results.builder.push(builderRecordsPerSec());
    results.reader.push(readerRecordsPerSec(records, count));
    results.rpc.push(await rpcRoundTripsPerSec(32));
    console.error(`run ${run + 1}: builder ${formatNumber(results.builder[run])} rec/s, reader ${formatNumber(results.reader[run])} rec/s, rpc ${formatNumber(results.rpc[run])}/s`);
  }
  const mib = records.length / MiB;
  const perSecond = (values: number[], unit: string) => `${formatSummary(summarize(values))} ${unit}`;
  const ratio = (values: number[], target: number) => `${formatNumber(summarize(values).median / target, 2)}x`;
  const rows = [
    [`Produce request decode + re-encode (${formatNumber(mib, 2)} MiB, ${formatNumber(count)} records)`, perSecond(results.produce, '/s'), `${formatNumber(summarize(results.produce).median * mib)} MiB/s`, '-', '-'],
    [`Fetch response encode (${formatNumber(mib, 2)} MiB)`, perSecond(results.fetch, '/s'), `${formatNumber(summarize(results.fetch).median * mib)} MiB/s`, '-', '-'],
    ['batch builder, 64 KiB batches', perSecond(results.builder, 'rec/s'), '', '>= 3,000,000 rec/s', ratio(results.builder, 3_000_000)],
    ['lazy batch reader', perSecond(results.reader, 'rec/s'), '', '>= 3,000,000 rec/s', ratio(results.reader, 3_000_000)],
    ['msgpackr RPC round trips, 32 in flight, loopback', perSecond(results.rpc, '/s'), '', '>= 50,000/s', ratio(results.rpc, 50_000)],
  ];
  console.log(renderTable(['figure', 'median [range]', 'throughput', 'target', 'vs target'], rows));
  const atLeast = (value: number) => ({ name: 'target', value, better: 'higher' as const });
  const figures: Figure[] = [
    { figure: `Produce request decode + re-encode, ${formatNumber(mib, 2)} MiB`, unit: 'MiB/s', summary: summarize(results.produce.map((r) => r * mib)) },
    { figure: `Fetch response encode, ${formatNumber(mib, 2)} MiB`, unit: 'MiB/s', summary: summarize(results.fetch.map((r) => r * mib)) },
    { figure: 'batch builder, 64 KiB batches', unit: 'rec/s', summary: summarize(results.builder), target: atLeast(3_000_000) },
    { figure: 'lazy batch reader', unit: 'rec/s', summary: summarize(results.reader), target: atLeast(3_000_000) },
    { figure: 'msgpackr RPC round trips, 32 in flight, loopback', unit: '/s', summary: summarize(results.rpc), target: atLeast(50_000) },
  ];
  writeBenchResult(args.get('json'), benchResult('protocol', `runs: ${RUNS}, ${RECORD_BYTES}-byte uncompressed records, one process`, figures));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
