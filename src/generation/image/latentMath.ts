/**
 * Latent arithmetic behind VAE variations and blends. Latents are flat
 * Float32Arrays (the model's latent shape without the batch axis).
 */
import { gaussian } from './random';

/**
 * A variation of `latent`: adds seeded Gaussian noise times `strength`.
 * With the encoder's log-variance the noise follows the posterior's spread per
 * dimension, so dimensions the encoder is sure about move less.
 */
export function perturbLatent(latent: Float32Array, seed: number, strength: number, logvar?: Float32Array): Float32Array {
  const next = gaussian(seed);
  const out = new Float32Array(latent.length);
  for (let i = 0; i < latent.length; i++) {
    const sigma = logvar ? Math.exp(0.5 * logvar[i]!) : 1;
    out[i] = latent[i]! + strength * sigma * next();
  }
  return out;
}

/** Linear interpolation: t = 0 gives `a`, t = 1 gives `b`. */
export function lerpLatent(a: Float32Array, b: Float32Array, t: number): Float32Array {
  assertSameLength(a, b);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + (b[i]! - a[i]!) * t;
  return out;
}

/**
 * Spherical interpolation. Gaussian latents concentrate near a sphere, and a
 * straight line between two of them passes through the low-norm middle the
 * decoder rarely saw; slerp keeps the norm and gives cleaner in-between images.
 * Falls back to lerp for (nearly) parallel latents.
 */
export function slerpLatent(a: Float32Array, b: Float32Array, t: number): Float32Array {
  assertSameLength(a, b);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  const cos = dot / (Math.sqrt(na * nb) || 1);
  const omega = Math.acos(Math.min(1, Math.max(-1, cos)));
  if (omega < 1e-4 || Math.PI - omega < 1e-4) return lerpLatent(a, b, t);
  const s = Math.sin(omega);
  const wa = Math.sin((1 - t) * omega) / s;
  const wb = Math.sin(t * omega) / s;
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i]! + wb * b[i]!;
  return out;
}

/** Evenly spaced blend weights strictly between the two parents: 1/(n+1) … n/(n+1). */
export function blendSteps(count: number): number[] {
  return Array.from({ length: count }, (_, i) => (i + 1) / (count + 1));
}

function assertSameLength(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length)
    throw new RangeError(`Latents differ in size (${a.length} and ${b.length}); were they made by the same model?`);
}
