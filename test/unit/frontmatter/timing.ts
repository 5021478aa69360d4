/**
 * Timing helpers for tests that guard against slow (super-linear or
 * exponential) work. They never compare with absolute times: a machine under
 * load slows the baseline and the measured case alike, so ratios against a
 * baseline measured in the same run hold where fixed limits would flake.
 */

/**
 * Milliseconds one call of `fn` takes: repeats it until `minMs` have passed
 * after one warm-up call (skip it when a smaller run already warmed the code)
 * and returns the fastest round (one round when that alone takes longer,
 * unless `minMs` is 0: then the fastest of two).
 */
export function timePerCall(fn: () => void, minMs = 30, warmUp = true): number {
  if (warmUp) fn(); // the first call of a code path pays for compiling it
  const first = performance.now();
  fn();
  let best = performance.now() - first;
  if (minMs > 0 && best > minMs) return best;
  const deadline = performance.now() + minMs;
  let rounds = 0;
  do {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
    rounds++;
  } while (performance.now() < deadline || rounds < 2);
  return best;
}

/**
 * A floor for baselines: below about 0.05 ms timer resolution and call
 * overhead dominate, so ratios against tinier baselines mean nothing.
 */
export const MIN_BASELINE_MS = 0.05;

/** `measured / baseline`, with the baseline raised to MIN_BASELINE_MS. */
export function ratio(measured: number, baseline: number): number {
  return measured / Math.max(baseline, MIN_BASELINE_MS);
}
