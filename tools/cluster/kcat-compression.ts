import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ClusterClient } from '@tributary/client';
import { CompressionType, readRecordBatches } from '@tributary/protocol';

/** kcat's and librdkafka's compression codecs and what the stored batches say for each (the compression tests). */
const exec = promisify(execFile);

export const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Codec = (typeof CODECS)[number];
export const CODEC_TYPES: Record<Codec, CompressionType> = { gzip: CompressionType.Gzip, snappy: CompressionType.Snappy, lz4: CompressionType.Lz4, zstd: CompressionType.Zstd };

/** `key:value` lines produced by kcat with `-z codec`; linger lets librdkafka build multi-record batches, where compression applies. */
export async function kcatProduce(bootstrap: string, topic: string, codec: Codec, lines: string[], extraArgs: string[] = []): Promise<void> {
  const produce = exec('kcat', ['-b', bootstrap, '-P', '-t', topic, '-K', ':', '-z', codec, '-X', 'linger.ms=20', ...extraArgs], { timeout: 60_000 });
  produce.child.stdin?.end(`${lines.join('\n')}\n`);
  await produce;
}

/** Every record of a topic as `key:value`, read by kcat from the beginning to the end. */
export async function kcatConsume(bootstrap: string, topic: string): Promise<string[]> {
  const { stdout } = await exec('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k:%s\n'], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter(Boolean);
}

/** The codecs of the record batches stored in every partition of a topic, read raw with Fetch (what is on disk goes on the wire), 1 MiB at a time. */
export async function storedCodecs(client: ClusterClient, topic: string): Promise<Set<CompressionType>> {
  const info = await client.topic(topic);
  const codecs = new Set<CompressionType>();
  for (const [partition, { leader }] of info.partitions.entries()) {
    const connection = await client.connection(leader);
    let fetchOffset = 0;
    for (let guard = 0; ; guard++) {
      if (guard === 1000) throw new Error(`${topic}-${partition}: fetch never reached the end`);
      const response = await connection.request(1, {
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1024 * 1024,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic, topicId: info.topicId, partitions: [{ partition, fetchOffset, partitionMaxBytes: 1024 * 1024, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 }] }],
        forgottenTopicsData: [],
        rackId: '',
      });
      const batches = [...readRecordBatches(response.responses[0].partitions[0].records ?? Buffer.alloc(0))];
      if (batches.length === 0) break;
      for (const batch of batches) codecs.add(batch.compression);
      fetchOffset = batches[batches.length - 1].lastOffset + 1;
    }
  }
  return codecs;
}
