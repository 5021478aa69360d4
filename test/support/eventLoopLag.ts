/**
 * How late this process's event loop runs a timer: the measure of "the editor never
 * stutters" shared by the tests (extension host, runtime client) and `npm run bench`.
 *
 * A chain of `setTimeout(periodMs)`: each tick records how much later than asked it
 * fired. Sampling can stop and start again and the samples add up, so one summary can
 * cover only the moments that matter (the runs of a benchmark, not the pauses between).
 * perf_hooks' `monitorEventLoopDelay` cannot be paused that way: its first sample after
 * `enable()` counts the whole time it was disabled.
 */
export class EventLoopLag {
  private readonly delays: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = 0;

  constructor(private readonly periodMs = 1) {}

  /** Starts (or resumes) sampling. */
  start(): this {
    if (this.timer) return this;
    this.last = performance.now();
    this.timer = setTimeout(this.tick, this.periodMs);
    return this;
  }

  /** Pauses sampling; the samples so far stay. */
  stop(): this {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this;
  }

  /** Samples `work` only: starts, awaits it, stops. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    this.start();
    try {
      return await work();
    } finally {
      this.stop();
    }
  }

  /** Delays past the period asked for, in milliseconds, oldest first. */
  get samples(): readonly number[] {
    return this.delays;
  }

  get count(): number {
    return this.delays.length;
  }

  get max(): number {
    return Math.max(0, ...this.delays);
  }

  /** The nearest-rank percentile, `p` in [0, 1]; 0 without samples. */
  percentile(p: number): number {
    const sorted = [...this.delays].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
  }

  summary(): string {
    return `p99 ${this.percentile(0.99).toFixed(1)} ms, max ${this.max.toFixed(1)} ms (${this.count} samples of ${this.periodMs} ms)`;
  }

  private readonly tick = (): void => {
    const now = performance.now();
    this.delays.push(Math.max(0, now - this.last - this.periodMs));
    this.last = now;
    if (this.timer) this.timer = setTimeout(this.tick, this.periodMs);
  };
}
