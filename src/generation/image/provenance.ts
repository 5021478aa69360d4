/**
 * Provenance: how a generated image was made, stored in the PNG itself so
 * "Regenerate from this image" can recreate or vary it later, even after the
 * file was moved or renamed.
 */
import type { UpscaleMode } from './pixels';
import type { PngText } from './png';
import { isValidSeed } from './random';

/** Keyword of the PNG text chunk that holds the provenance JSON. */
export const PROVENANCE_KEYWORD = 'inkwell:provenance';

/** How the latent of an image came about. */
export type ImageMethod =
  /** Drawn from the seed (the latent is recomputed from it). */
  | 'sample'
  /** A VAE variation: a parent's latent plus seeded noise. */
  | 'variation'
  /** A VAE blend of two parents' latents. */
  | 'blend';

/** Everything needed to make the same image again. */
export interface ImageProvenance {
  /** Version of this record; bump when fields change meaning. */
  format: 1;
  /** The model's name (its folder name), as `inkwell.models.image` would name it. */
  model: string;
  modelKind: 'gan' | 'vae';
  method: ImageMethod;
  /** Seed of the latent (sample) or of the noise (variation). */
  seed: number;
  /** Class label of a conditional model. */
  label?: number;
  /** The exact latent, for variations and blends, which a seed alone cannot recreate. */
  latent?: number[];
  /** Strength of a variation's noise. */
  strength?: number;
  /** Blend weight of the second parent. */
  t?: number;
  /** Seeds of the parents of a variation or blend, when they were generated images themselves. */
  parentSeeds?: number[];
  /** Side in pixels of the saved image and how it was scaled. */
  size: number;
  upscale: UpscaleMode;
}

/** The PNG text chunks to write for an image: a Software tag and the provenance JSON. */
export function provenanceText(p: ImageProvenance): PngText[] {
  return [
    { keyword: 'Software', text: 'Inkwell' },
    { keyword: PROVENANCE_KEYWORD, text: JSON.stringify(p) },
  ];
}

/** The provenance in a PNG's text chunks, or undefined when absent or unreadable. */
export function readProvenance(text: Record<string, string>): ImageProvenance | undefined {
  const raw = text[PROVENANCE_KEYWORD];
  if (!raw) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const p = v as Partial<ImageProvenance>;
  const methods: ImageMethod[] = ['sample', 'variation', 'blend'];
  if (p.format !== 1 || typeof p.model !== 'string' || !p.model) return undefined;
  if (p.modelKind !== 'gan' && p.modelKind !== 'vae') return undefined;
  if (!methods.includes(p.method as ImageMethod) || !isValidSeed(p.seed)) return undefined;
  if (p.latent !== undefined && !(Array.isArray(p.latent) && p.latent.every((x) => typeof x === 'number'))) return undefined;
  if (p.method !== 'sample' && !p.latent) return undefined;
  return p as ImageProvenance;
}
