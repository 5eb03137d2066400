import { Partitioners } from 'kafkajs';
import { murmur2, partitionForKey } from './partitioner';

describe('key partitioning', () => {
  it('murmur2 matches the Java client on its published test vectors', () => {
    // from Kafka's UtilsTest.testMurmur2
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ];
    for (const [key, hash] of cases) expect(murmur2(Buffer.from(key))).toBe(hash);
    expect(murmur2(Buffer.from([97, 98, 99]))).toBe(479470107); // "abc"
  });

  it('puts every key on the partition kafkajs\'s Java-compatible default partitioner chooses', () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const key = Buffer.from(Array.from({ length: 1 + (seed % 40) }, (_, j) => (seed >> (j % 24)) & 0xff));
      const partitionCount = 1 + (seed % 64);
      const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
      expect(partitionForKey(key, partitionCount)).toBe(kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } }));
    }
  });
});
