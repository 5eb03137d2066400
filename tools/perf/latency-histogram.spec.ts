import { LatencyHistogram } from './latency-histogram';

describe('LatencyHistogram', () => {
  it('finds percentiles within 1% of the exact ones', () => {
    const histogram = new LatencyHistogram();
    for (let i = 1; i <= 10_000; i++) histogram.record(i / 100); // 0.01 .. 100 ms, uniform
    const summary = histogram.summary();
    expect(summary.count).toBe(10_000);
    expect(summary.p50Ms).toBeGreaterThanOrEqual(50 * 0.99);
    expect(summary.p50Ms).toBeLessThanOrEqual(50 * 1.01);
    expect(summary.p99Ms).toBeGreaterThanOrEqual(99 * 0.99);
    expect(summary.p99Ms).toBeLessThanOrEqual(99 * 1.01);
    expect(summary.p999Ms).toBeGreaterThanOrEqual(99.9 * 0.99);
    expect(summary.maxMs).toBe(100);
    expect(summary.meanMs).toBeCloseTo(50.005, 6);
  });

  it('weighs a sample recorded for many records as that many', () => {
    const histogram = new LatencyHistogram();
    histogram.record(1, 99);
    histogram.record(1000, 1);
    expect(histogram.percentile(99)).toBeLessThanOrEqual(1.01);
    expect(histogram.percentile(99.9)).toBe(1000);
  });

  it('never reports above the largest sample, and rejects nonsense', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.percentile(50)).toBe(0);
    histogram.record(0.5);
    expect(histogram.percentile(100)).toBe(0.5);
    expect(() => histogram.record(-1)).toThrow(RangeError);
    expect(() => histogram.record(Number.NaN)).toThrow(RangeError);
  });
});
