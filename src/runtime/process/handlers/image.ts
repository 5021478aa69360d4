/**
 * GAN and VAE image methods of the runtime process, and the loader the CLI
 * shares: manifest -> ONNX sessions -> {@link ImageGenerator}. The sessions run through the
 * wrapper text models use too (generation/onnxGraph.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as ort from 'onnxruntime-node';
import { RuntimeError } from '../../runtimeError';
import type { ImageBatchResult, ImageModelCheck, ImageRenderParams, ImageSource, RuntimeStep, TensorSignature } from '../../protocol';
import { GenerationError } from '../../../generation/generationError';
import { GeneratedImage, GraphRunner, ImageGenerator, type ImageWork } from '../../../generation/image/generator';
import { graphRunner } from '../../../generation/onnxGraph';
import type { MakeTensor } from '../../../generation/onnxTypes';
import { ImageManifest, ImageManifestError, imageDecoderOf, parseImageManifest } from '../../../generation/image/manifest';
import { decodePng } from '../../../generation/image/png';
import { MODEL_FILE_LIMITS, readModelText } from '../../../generation/modelFiles';
import { DerivedFrom, provenanceOf, renderPng, RenderOptions } from '../../../generation/image/render';
import { seededLatent } from '../../../generation/image/random';
import type { HandlerContext, HandlerGroup, RuntimeServices } from './types';

/** Opens (or reuses) the ONNX session of a graph file. */
export type SessionSource = (file: string) => Promise<ort.InferenceSession>;

/** A loaded image model and the sessions behind it. */
export interface LoadedImageModel {
  dir: string;
  manifest: ImageManifest;
  generator: ImageGenerator;
  decoder: ort.InferenceSession;
  encoder?: ort.InferenceSession;
  /** The ONNX files, for sizes and unloading. */
  files: string[];
}

/** True when `dir` holds an image model manifest (the check does the rest). */
export function isImageModelFolder(dir: string): boolean {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) return false;
  try {
    const kind = (JSON.parse(readModelText(file, MODEL_FILE_LIMITS.json)) as { kind?: unknown }).kind;
    return kind === 'gan' || kind === 'vae';
  } catch {
    // An unreadable manifest is still ours: the check reports why it is broken.
    return true;
  }
}

/** Reads and validates `<dir>/manifest.json`, as a RuntimeError with a code on failure. */
export function readImageManifest(dir: string): ImageManifest {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(dir)) throw new RuntimeError('model-not-found', `Image model folder not found: ${dir}`, dir);
  if (!fs.existsSync(file)) {
    throw new RuntimeError('model-not-found', `${dir} has no manifest.json; an image model folder needs one (kind "gan" or "vae").`, file);
  }
  const text = readModelText(file, MODEL_FILE_LIMITS.json);
  try {
    return parseImageManifest(text, file);
  } catch (err) {
    if (err instanceof ImageManifestError) throw new RuntimeError('model-invalid', err.message, file);
    throw new RuntimeError('model-invalid', `Could not read ${file}: ${err instanceof Error ? err.message : String(err)}`, file);
  }
}

function requireNames(session: ort.InferenceSession, file: string, inputs: string[], outputs: string[]): void {
  const missingIn = inputs.filter((n) => !session.inputNames.includes(n));
  const missingOut = outputs.filter((n) => !session.outputNames.includes(n));
  if (missingIn.length || missingOut.length) {
    const parts = [
      ...missingIn.map((n) => `input "${n}" (the graph has ${session.inputNames.map((x) => `"${x}"`).join(', ')})`),
      ...missingOut.map((n) => `output "${n}" (the graph has ${session.outputNames.map((x) => `"${x}"`).join(', ')})`),
    ];
    throw new RuntimeError('model-invalid', `manifest.json names ${parts.join(' and ')} that ${path.basename(file)} does not have.`, file);
  }
}

/** Loads an image model folder: validates the manifest, opens the sessions, checks the names match. */
export async function loadImageModel(runtime: typeof ort, sessions: SessionSource, dir: string): Promise<LoadedImageModel> {
  const manifest = readImageManifest(dir);
  const spec = imageDecoderOf(manifest);
  const makeTensor: MakeTensor = (type, data, dims) => new runtime.Tensor(type, data, dims);
  const decoderFile = path.join(dir, spec.onnx);
  const decoder = await sessions(decoderFile);
  requireNames(decoder, decoderFile, [spec.input.name, ...(spec.classInput ? [spec.classInput.name] : [])], [spec.output.name]);
  const files = [decoderFile];
  let encoder: ort.InferenceSession | undefined;
  let encoderRunner: GraphRunner | undefined;
  if (manifest.kind === 'vae' && manifest.encoder) {
    const e = manifest.encoder;
    const encoderFile = path.join(dir, e.onnx);
    encoder = await sessions(encoderFile);
    requireNames(encoder, encoderFile, [e.input.name], [e.outputs.mean, ...(e.outputs.logvar ? [e.outputs.logvar] : [])]);
    encoderRunner = graphRunner(encoder, makeTensor, encoderFile);
    files.push(encoderFile);
  }
  const generator = new ImageGenerator(path.basename(dir), manifest, graphRunner(decoder, makeTensor, decoderFile), encoderRunner);
  return { dir, manifest, generator, decoder, encoder, files };
}

async function loadInProcess(services: RuntimeServices, dir: string): Promise<{ model: LoadedImageModel; loadMs: number }> {
  const started = performance.now();
  const spec = imageDecoderOf(readImageManifest(dir));
  const wasLoaded = services.sessions.has(path.join(dir, spec.onnx));
  const model = await loadImageModel(services.ort, (file) => services.sessions.get(file), dir);
  return { model, loadMs: wasLoaded ? 0 : performance.now() - started };
}

/** Size 0 means the model's own size: small PNGs for gallery thumbnails, scaled by the webview. */
function checkRender(p: ImageRenderParams, nativeSize: number): RenderOptions {
  if (!Number.isInteger(p.size) || p.size < 0 || p.size > 4096)
    throw new RuntimeError('bad-request', `Image size must be a whole number of pixels from 1 to 4096 (got ${p.size}).`);
  if (p.upscale !== 'nearest' && p.upscale !== 'smooth')
    throw new RuntimeError('bad-request', `Upscale must be "nearest" or "smooth" (got ${String(p.upscale)}).`);
  return { size: p.size || nativeSize, upscale: p.upscale };
}

function checkSeeds(seeds: number[]): void {
  if (!Array.isArray(seeds) || !seeds.length || seeds.length > 256)
    throw new RuntimeError('bad-request', 'Ask for 1 to 256 images at a time.');
  if (!seeds.every((s) => Number.isInteger(s) && s >= 0 && s <= 0xffffffff))
    throw new RuntimeError('bad-request', 'Seeds must be whole numbers from 0 to 4294967295.');
}

/** Converts the pure layer's errors to coded runtime errors. */
function coded(err: unknown): RuntimeError {
  if (err instanceof GenerationError) return RuntimeError.from(err);
  if (err instanceof RangeError) return new RuntimeError('bad-request', err.message);
  return RuntimeError.from(err, 'inference-failed');
}

async function run<M extends 'image.generate' | 'image.variations' | 'image.blend' | 'image.render'>(
  ctx: HandlerContext<M>,
  dir: string,
  render: ImageRenderParams,
  make: (g: ImageGenerator, work: ImageWork) => Promise<{ images: GeneratedImage[]; derived: DerivedFrom }>,
  effort: 'fast' | 'small' = 'fast',
): Promise<ImageBatchResult> {
  const { model, loadMs } = await loadInProcess(ctx.services, dir);
  ctx.step('run');
  const options = { ...checkRender(render, model.manifest.imageSize), effort };
  await ctx.yieldToHost();
  if (ctx.signal.aborted) throw new RuntimeError('cancelled', 'Image generation was cancelled.');
  const started = performance.now();
  const g = model.generator;
  try {
    // The request's signal stops the work before its next batch; each batch is progress the host's deadline starts again from.
    const { images, derived } = await make(g, { signal: ctx.signal, onBatch: () => ctx.step('run') });
    const candidates = images.map((img) => {
      const png = renderPng(g, img, options, derived);
      return {
        seed: img.seed,
        ...(img.label !== undefined ? { label: img.label } : {}),
        ...(img.t !== undefined ? { t: img.t } : {}),
        pngBase64: png.toString('base64'),
        width: options.size,
        height: options.size,
        provenance: provenanceOf(g, img, options, derived),
      };
    });
    return {
      model: dir,
      modelName: g.name,
      displayName: model.manifest.displayName,
      modelKind: model.manifest.kind,
      canEncode: g.canEncode,
      ...(g.classes !== undefined ? { classes: g.classes } : {}),
      candidates,
      ms: performance.now() - started,
      loadMs,
    };
  } catch (err) {
    throw coded(err);
  }
}

/** The latent (and posterior spread) a variation or blend starts from. */
async function latentOf(g: ImageGenerator, source: ImageSource): Promise<{ mean: Float32Array; logvar?: Float32Array; seed?: number }> {
  if ('latent' in source) {
    if (!Array.isArray(source.latent) || source.latent.length !== g.latentSize) {
      throw new RuntimeError(
        'bad-request',
        `The recorded latent has ${Array.isArray(source.latent) ? source.latent.length : 0} values but ${g.name} takes ${g.latentSize}; it was made by a different model.`,
      );
    }
    return { mean: Float32Array.from(source.latent), seed: source.seed };
  }
  if ('seed' in source) return { mean: seededLatent(source.seed, g.latentSize), seed: source.seed };
  if (!g.canEncode) {
    throw new RuntimeError(
      'bad-request',
      `${g.manifest.displayName} has no encoder, so it can only vary images it made itself (with provenance). Choose a VAE with an encoder in inkwell.models.image.`,
    );
  }
  let image;
  try {
    image = decodePng(Buffer.from(source.pngBase64, 'base64'));
  } catch (err) {
    throw new RuntimeError('bad-request', `The image could not be read as PNG: ${err instanceof Error ? err.message : String(err)}`);
  }
  const [encoded] = await g.encode([image]);
  return encoded!;
}

export const imageHandlers: HandlerGroup<'image.generate' | 'image.variations' | 'image.blend' | 'image.render'> = {
  async 'image.generate'(params, ctx) {
    checkSeeds(params.seeds);
    return run(ctx, params.model, params, async (g, work) => ({
      images: await g.generate(params.seeds, { label: params.label, ...work }),
      derived: { method: 'sample' },
    }));
  },
  async 'image.variations'(params, ctx) {
    checkSeeds(params.seeds);
    if (!(params.strength >= 0 && params.strength <= 10))
      throw new RuntimeError('bad-request', `Variation strength must be from 0 to 10 (got ${params.strength}).`);
    return run(ctx, params.model, params, async (g, work) => {
      const source = await latentOf(g, params.source);
      const label = params.label ?? ('label' in params.source ? params.source.label : undefined);
      return {
        images: await g.variations(source, params.seeds, params.strength, { label, ...work }),
        derived: { method: 'variation', strength: params.strength, parentSeeds: source.seed !== undefined ? [source.seed] : undefined },
      };
    });
  },
  async 'image.blend'(params, ctx) {
    if (!Number.isInteger(params.count) || params.count < 1 || params.count > 64)
      throw new RuntimeError('bad-request', 'Ask for 1 to 64 blends at a time.');
    return run(ctx, params.model, params, async (g, work) => {
      const a = await latentOf(g, params.a);
      const b = await latentOf(g, params.b);
      const parents = [a.seed, b.seed].filter((s): s is number => s !== undefined);
      return {
        images: await g.blend(a.mean, b.mean, params.count, { seed: a.seed ?? 0, ...work }),
        derived: { method: 'blend', parentSeeds: parents.length ? parents : undefined },
      };
    });
  },
  async 'image.render'(params, ctx) {
    const p = params.provenance;
    return run(
      ctx,
      params.model,
      params,
      async (g, work) => {
        if (p.latent && p.latent.length !== g.latentSize) {
          throw new RuntimeError(
            'bad-request',
            `This image was made by a model with ${p.latent.length} latent values, but ${g.name} takes ${g.latentSize}. Is inkwell.models.image the model that made it ("${p.model}")?`,
          );
        }
        const latent = p.latent ? Float32Array.from(p.latent) : seededLatent(p.seed, g.latentSize);
        const label = g.labelFor(p.seed, p.label);
        const [image] = await g.decode([latent], [label], work);
        return {
          images: [{ seed: p.seed, latent, label, ...(p.t !== undefined ? { t: p.t } : {}), image: image! }],
          derived: { method: p.method, strength: p.strength, parentSeeds: p.parentSeeds },
        };
        // Rendering one image is how a chosen image is saved: compress it well.
      },
      params.size > 0 ? 'small' : 'fast',
    );
  },
};

function signature(list: readonly ort.InferenceSession.ValueMetadata[]): TensorSignature[] {
  return list.map((m) =>
    m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] },
  );
}

/** Seed of the check's test image: fixed, so two checks of one model agree. */
const CHECK_SEED = 42;

/** "Check Model" for a GAN or VAE: manifest, signatures and one test image. */
export async function checkImageModel(
  services: RuntimeServices,
  dir: string,
  progress?: (step: RuntimeStep) => void,
): Promise<ImageModelCheck> {
  const { model } = await loadInProcess(services, dir);
  progress?.('run');
  const g = model.generator;
  const started = performance.now();
  let sample: GeneratedImage;
  try {
    [sample] = (await g.generate([CHECK_SEED])) as [GeneratedImage];
    if (g.canEncode) await g.encode([sample.image]);
  } catch (err) {
    throw coded(err);
  }
  const ms = performance.now() - started;
  const { data } = sample.image;
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) sum += (data[i]! + data[i + 1]! + data[i + 2]!) / 3;
  const meanBrightness = sum / (data.length / 4) / 255;
  const bytes = model.files.reduce((n, f) => n + fs.statSync(f).size, 0);
  return {
    kind: 'image',
    model: dir,
    modelKind: model.manifest.kind,
    displayName: model.manifest.displayName,
    license: model.manifest.license,
    imageSize: model.manifest.imageSize,
    latentSize: g.latentSize,
    ...(g.classes !== undefined ? { classes: g.classes } : {}),
    canEncode: g.canEncode,
    inputs: signature(model.decoder.inputMetadata),
    outputs: signature(model.decoder.outputMetadata),
    ...(model.encoder
      ? { encoder: { inputs: signature(model.encoder.inputMetadata), outputs: signature(model.encoder.outputMetadata) } }
      : {}),
    sample: { seed: CHECK_SEED, width: sample.image.width, height: sample.image.height, ms, meanBrightness },
    bytes,
  };
}

/** The "Check Model" hook for image model folders. */
export const imageModelChecker = { matches: isImageModelFolder, check: checkImageModel };
