/** Percentiles of a latency distribution, in milliseconds. */
export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/** Smallest latency told apart from zero: 1 µs. */
const MIN_MS = 0.001;
/** Each bucket is 1% wider than the one before: percentiles are within 1% of the truth. */
const GROWTH = 1.01;
/** Buckets up to an hour; anything slower lands in the last one. */
const BUCKETS = Math.ceil(Math.log(3_600_000 / MIN_MS) / Math.log(GROWTH)) + 2;

/**
 * Latencies in log-scale buckets (as HdrHistogram does): constant memory however many records a
 * run measures, and a count per sample so a batch of records acknowledged together costs one call.
 */
export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private sumMs = 0;
  private maxMs = 0;

  get count(): number {
    return this.total;
  }

  record(latencyMs: number, times = 1): void {
    if (!(latencyMs >= 0) || !(times > 0)) throw new RangeError(`bad latency sample ${latencyMs} x ${times}`);
    const bucket = latencyMs <= MIN_MS ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(latencyMs / MIN_MS) / Math.log(GROWTH)));
    this.counts[bucket] += times;
    this.total += times;
    this.sumMs += latencyMs * times;
    if (latencyMs > this.maxMs) this.maxMs = latencyMs;
  }

  /** The latency at or below which `percent` % of the samples fall (the bucket's upper edge, at most the maximum). */
  percentile(percent: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((percent / 100) * this.total));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.counts[bucket];
      if (seen >= rank) return Math.min(this.maxMs, MIN_MS * GROWTH ** bucket);
    }
    return this.maxMs;
  }

  summary(): LatencySummary {
    return {
      count: this.total,
      meanMs: this.total === 0 ? 0 : this.sumMs / this.total,
      p50Ms: this.percentile(50),
      p95Ms: this.percentile(95),
      p99Ms: this.percentile(99),
      p999Ms: this.percentile(99.9),
      maxMs: this.maxMs,
    };
  }
}
