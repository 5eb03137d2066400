/**
 * `npm run bench -- broker`: one broker (and one controller) as real processes; a load client
 * pipelines pre-built Produce requests (64 KiB batches of 100-byte records, acks=1) over several
 * connections, then fetches everything back from the start. Medians of several runs, beside the
 * targets of shared/BENCHMARKS.md. A report, not a test.
 */
import { KafkaConnection } from '@tributary/client';
import { encodeRecordBatch } from '@tributary/protocol';
import { LocalCluster } from '../cluster/local-cluster';
import { machineLine } from './lib/machine';
import { formatNumber, formatSummary, summarize } from './lib/stats';
import { renderTable } from './lib/table';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const RUNS = Number(args.get('runs') ?? 3);
const RECORDS_PER_RUN = Number(args.get('records') ?? 2_000_000);
const CONNECTIONS = Number(args.get('connections') ?? 4);
const IN_FLIGHT = Number(args.get('in-flight') ?? 8);
const PARTITIONS = CONNECTIONS;

function batch64k(): { batch: Buffer; records: number } {
  const records = Math.floor((64 * 1024 - 61) / 108);
  return { batch: encodeRecordBatch(Array.from({ length: records }, (_, i) => ({ value: Buffer.alloc(100, i % 251) }))), records };
}

async function produceRun(bootstrap: { host: string; port: number }, topic: string): Promise<{ recordsPerSec: number; mbPerSec: number }> {
  const { batch, records } = batch64k();
  const requestsTotal = Math.ceil(RECORDS_PER_RUN / records);
  const connections = await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const c = new KafkaConnection({ ...bootstrap, clientId: 'bench', maxInFlight: IN_FLIGHT });
      await c.connect();
      return c;
    }),
  );
  let sent = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    connections.map(async (connection, index) => {
      const inFlight = new Set<Promise<unknown>>();
      // bounded: each connection sends its share, IN_FLIGHT at a time
      while (sent < requestsTotal) {
        sent++;
        const request = connection
          .request(0, { acks: 1, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: index % PARTITIONS, records: Buffer.from(batch) }] }] })
          .then((response) => {
            const code = response.responses[0]?.partitionResponses[0]?.errorCode;
            if (code !== 0) throw new Error(`produce failed with error ${code}`);
          })
          .finally(() => inFlight.delete(request));
        inFlight.add(request);
        if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  for (const c of connections) c.close();
  return { recordsPerSec: (sent * records) / seconds, mbPerSec: (sent * batch.length) / 2 ** 20 / seconds };
}

async function fetchRun(bootstrap: { host: string; port: number }, topic: string, topicId: string): Promise<{ recordsPerSec: number; mbPerSec: number }> {
  const connection = new KafkaConnection({ ...bootstrap, clientId: 'bench-fetch' });
  await connection.connect();
  const offsets = Array.from({ length: PARTITIONS }, () => 0);
  let bytes = 0;
  let records = 0;
  const start = process.hrtime.bigint();
  for (let round = 0; round < 100_000; round++) {
    const response = await connection.request(1, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 16 * 1024 * 1024,
      isolationLevel: 0,
      topics: [{ topic, topicId, partitions: offsets.map((fetchOffset, partition) => ({ partition, fetchOffset, partitionMaxBytes: 4 * 1024 * 1024, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 })) }],
    });
    let progressed = false;
    for (const p of response.responses[0]?.partitions ?? []) {
      const data = p.records;
      if (!data || data.length === 0) continue;
      bytes += data.length;
      // walk batch headers only: count records and move the offset past the last batch
      for (let pos = 0; pos + 61 <= data.length; ) {
        const size = data.readInt32BE(pos + 8) + 12;
        if (pos + size > data.length) break;
        records += data.readInt32BE(pos + 57);
        offsets[p.partitionIndex] = Number(data.readBigInt64BE(pos)) + data.readInt32BE(pos + 23) + 1;
        pos += size;
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  connection.close();
  return { recordsPerSec: records / seconds, mbPerSec: bytes / 2 ** 20 / seconds };
}

async function main(): Promise<void> {
  console.log(`# broker benchmark\n${machineLine()}\nruns: ${RUNS}, ${formatNumber(RECORDS_PER_RUN)} records of 100 B per run, 64 KiB batches, acks=1, ${CONNECTIONS} connections x ${IN_FLIGHT} in flight\n`);
  const cluster = await LocalCluster.start({ controllers: 1, brokers: 1 });
  try {
    const [host, port] = cluster.bootstrap.split(':');
    const bootstrap = { host, port: Number(port) };
    const admin = new KafkaConnection({ ...bootstrap, clientId: 'bench-admin' });
    await admin.connect();
    const produce: { recordsPerSec: number; mbPerSec: number }[] = [];
    const fetch: { recordsPerSec: number; mbPerSec: number }[] = [];
    for (let run = 0; run < RUNS; run++) {
      const topic = `bench-${run}`;
      const created = await admin.request(19, { topics: [{ name: topic, numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
      const topicId = created.topics[0]?.topicId ?? '';
      produce.push(await produceRun(bootstrap, topic));
      fetch.push(await fetchRun(bootstrap, topic, topicId));
      console.error(`run ${run + 1}: produce ${formatNumber(produce[run].recordsPerSec)} rec/s, fetch ${formatNumber(fetch[run].recordsPerSec)} rec/s`);
    }
    admin.close();
    const rows = [
      ['broker ingest, pre-built Produce requests', `${formatSummary(summarize(produce.map((p) => p.recordsPerSec)))} rec/s (${formatNumber(summarize(produce.map((p) => p.mbPerSec)).median)} MB/s)`, '>= 1,500,000 rec/s'],
      ['fetch from the start (page cache)', `${formatSummary(summarize(fetch.map((p) => p.recordsPerSec)))} rec/s (${formatNumber(summarize(fetch.map((p) => p.mbPerSec)).median)} MB/s)`, '>= 3,000,000 rec/s'],
    ];
    console.log(renderTable(['figure', 'Tributary (median [range])', 'target'], rows));
    console.log('\nThe load client and the broker share the 2 cores.');
  } finally {
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
