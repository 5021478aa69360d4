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

/**
 * How much longer `run` takes on `large` than on `small` (after one warm-up call on `small`),
 * as `ratio()` computes it. A run preempted by other work on a busy machine looks slow, so a
 * ratio at or above `suspect` is timed again, over more rounds, before it counts: a
 * super-linear scan stays slow however often it is timed.
 */
export function growth<T>(
  run: (input: T) => unknown,
  small: T,
  large: T,
  suspect: number,
): { ratio: number; small: number; large: number } {
  run(small);
  const t1 = timePerCall(() => run(small), 100, false);
  let t2 = timePerCall(() => run(large), 100, false);
  for (let retry = 0; retry < 3 && ratio(t2, t1) >= suspect; retry++)
    t2 = Math.min(
      t2,
      timePerCall(() => run(large), 600, false),
    );
  return { ratio: ratio(t2, t1), small: t1, large: t2 };
}
