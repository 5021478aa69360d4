/**
 * The last step of every generated image: scale to the display size, attach
 * provenance, encode as PNG. Shared by the runtime process and the CLI so both
 * write byte-identical files for the same seed and settings.
 */
import type { GeneratedImage, ImageGenerator } from './generator';
import { resizeImage, UpscaleMode } from './pixels';
import { encodePng } from './png';
import { ImageMethod, ImageProvenance, provenanceText } from './provenance';

/** How generated images are turned into files. */
export interface RenderOptions {
  /** Side in pixels of the saved image. */
  size: number;
  upscale: UpscaleMode;
  /** `small` for files that are kept, `fast` (default) for candidates on screen. */
  effort?: 'fast' | 'small';
}

/** Extra provenance of variations and blends. */
export interface DerivedFrom {
  method: ImageMethod;
  strength?: number;
  parentSeeds?: number[];
}

/** The provenance record of one generated image. */
export function provenanceOf(
  model: ImageGenerator,
  g: GeneratedImage,
  render: RenderOptions,
  derived: DerivedFrom = { method: 'sample' },
): ImageProvenance {
  const p: ImageProvenance = {
    format: 1,
    model: model.name,
    modelKind: model.manifest.kind,
    method: derived.method,
    seed: g.seed,
    size: render.size,
    upscale: render.upscale,
  };
  if (g.label !== undefined) p.label = g.label;
  if (derived.method !== 'sample') p.latent = Array.from(g.latent);
  if (derived.strength !== undefined) p.strength = derived.strength;
  if (g.t !== undefined) p.t = g.t;
  if (derived.parentSeeds?.length) p.parentSeeds = derived.parentSeeds;
  return p;
}

/** Scales, tags and encodes one generated image. */
export function renderPng(model: ImageGenerator, g: GeneratedImage, render: RenderOptions, derived?: DerivedFrom): Buffer {
  const scaled = resizeImage(g.image, render.size, render.size, render.upscale);
  return encodePng(scaled, provenanceText(provenanceOf(model, g, render, derived)), { effort: render.effort ?? 'fast' });
}
