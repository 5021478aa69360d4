/**
 * Seeded randomness for latents. The same seed must give the same latent on
 * every machine and every run, so this is plain 32-bit integer arithmetic
 * (mulberry32) and Box-Muller, never Math.random.
 */
import { mulberry32 } from '../sampling';

/** The same PRNG as the text samplers, so one seed means one thing everywhere. */
export { mulberry32 };

/** Largest seed; seeds are unsigned 32-bit integers. */
export const MAX_SEED = 0xffffffff;

/** Standard normal samples from a seeded uniform source (Box-Muller, both values used). */
export function gaussian(seed: number): () => number {
  const uniform = mulberry32(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const u1 = 1 - uniform();
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
}

/** A latent of `size` standard normal values drawn from `seed`. */
export function seededLatent(seed: number, size: number): Float32Array {
  const next = gaussian(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = next();
  return out;
}

/**
 * Seeds of a batch: candidate i of a batch started at `base` has seed base + i
 * (wrapping at 2^32). A candidate can thus be recreated from its own seed alone.
 */
export function candidateSeeds(base: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (base + i) >>> 0);
}

/** True for an unsigned 32-bit integer. */
export function isValidSeed(seed: unknown): seed is number {
  return typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED;
}

/** A fresh seed for a new batch (not reproducible by design; the seed itself is recorded). */
export function freshSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}
