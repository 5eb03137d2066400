/** Samples this process's RSS on a timer; `max` is the peak seen. Stops itself after `limitMs`. */
export class RssSampler {
  max = process.memoryUsage().rss;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 50, limitMs = 30 * 60_000) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    setTimeout(() => this.stop(), limitMs).unref();
  }

  /** Call from synchronous loops too (timers cannot fire while they run). */
  sample(): void {
    this.max = Math.max(this.max, process.memoryUsage().rss);
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.max;
  }
}
