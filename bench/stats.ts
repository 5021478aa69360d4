/** Small statistics the benchmarks share. */
import * as os from 'os';

/** The median of a list (the mean of the middle two when it has an even length). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median and spread (min–max) of a list: "12.3 (10.1–14.0)". */
export function spread(values: readonly number[], digits = 1): string {
  return `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
}

/** The 1-, 5- and 15-minute load averages, as the tables print them. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
}
