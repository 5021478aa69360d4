/**
 * Image generation on top of any ONNX runner: latents in, RGBA images out.
 *
 * The runner is injected (the runtime process and the CLI wrap an
 * onnxruntime-node session in a {@link GraphRunner}), so everything here stays
 * pure and testable, and the only native code lives where it may.
 */
import { GenerationError } from '../generationError';
import { fixedBatchSize, imageDecoderOf, ImageManifest, latentSize, VaeDecoderSpec } from './manifest';
import { cropToSquare, imagesToTensor, resizeImage, RgbaImage, tensorToImages } from './pixels';
import { blendSteps, perturbLatent, slerpLatent } from './latentMath';
import { seededLatent } from './random';

/** A tensor fed to a graph. Class labels are int64, everything else float32. */
export type FeedTensor = { type: 'float32'; data: Float32Array; dims: number[] } | { type: 'int64'; data: BigInt64Array; dims: number[] };

/** A tensor a graph returned. */
export interface OutputTensor {
  data: ArrayLike<number>;
  dims: readonly number[];
}

/** Runs one ONNX graph; implemented over onnxruntime-node by the process and the CLI. */
export interface GraphRunner {
  run(feeds: Record<string, FeedTensor>, outputs: readonly string[]): Promise<Record<string, OutputTensor>>;
}

/** One generated image with what made it. */
export interface GeneratedImage {
  /** Seed of the latent (sample) or of the noise (variation); the blend's first parent seed otherwise. */
  seed: number;
  latent: Float32Array;
  label?: number;
  /** Blend weight, for blends. */
  t?: number;
  /** At the model's own size. */
  image: RgbaImage;
}

/** A VAE encoder's posterior for one image. */
export interface EncodedImage {
  mean: Float32Array;
  logvar?: Float32Array;
}

/**
 * How long image work is driven: `signal` aborted stops it before the next batch (it then throws
 * a `cancelled` GenerationError); `onBatch` hears each batch start (progress, for a deadline).
 */
export interface ImageWork {
  signal?: AbortSignal;
  onBatch?(): void;
}

/** Largest batch sent to a model with a dynamic batch axis; bounds memory on big models. */
const MAX_BATCH = 16;

/** A loaded GAN or VAE, ready to make images. */
export class ImageGenerator {
  private readonly spec: VaeDecoderSpec;

  constructor(
    /** The model's name, recorded in provenance. */
    readonly name: string,
    readonly manifest: ImageManifest,
    private readonly decoder: GraphRunner,
    private readonly encoder?: GraphRunner,
  ) {
    this.spec = imageDecoderOf(manifest);
  }

  /** Numbers in one latent. */
  get latentSize(): number {
    return latentSize(this.spec.input);
  }

  /** Classes of a conditional model; undefined for an unconditional one. */
  get classes(): number | undefined {
    return this.spec.classInput?.classes;
  }

  /** Whether the model can encode images (a VAE with an encoder), needed for variations and blends. */
  get canEncode(): boolean {
    return this.manifest.kind === 'vae' && !!this.manifest.encoder && !!this.encoder;
  }

  /**
   * The label a candidate uses: the requested one, or, for a conditional model
   * without one, a label derived from the seed so a batch shows every class.
   */
  labelFor(seed: number, label?: number): number | undefined {
    const classes = this.classes;
    if (classes === undefined) return undefined;
    if (label === undefined) return seed % classes;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new RangeError(`Class label ${label} is out of range: this model has classes 0 to ${classes - 1}.`);
    }
    return label;
  }

  /** One image per seed, each from its own seeded Gaussian latent. */
  async generate(seeds: readonly number[], options: { label?: number } & ImageWork = {}): Promise<GeneratedImage[]> {
    const latents = seeds.map((s) => seededLatent(s, this.latentSize));
    const labels = seeds.map((s) => this.labelFor(s, options.label));
    const images = await this.decode(latents, labels, options);
    return images.map((image, i) => ({ seed: seeds[i]!, latent: latents[i]!, label: labels[i], image }));
  }

  /** Decodes latents to images at the model's size, in batches. */
  async decode(
    latents: readonly Float32Array[],
    labels: ReadonlyArray<number | undefined> = [],
    work: ImageWork = {},
  ): Promise<RgbaImage[]> {
    const size = this.latentSize;
    for (const z of latents) {
      if (z.length !== size) throw new RangeError(`A latent has ${z.length} values; this model takes ${size}.`);
    }
    const fixed = fixedBatchSize(this.spec.input);
    const batch = fixed ?? MAX_BATCH;
    const out: RgbaImage[] = [];
    for (let start = 0; start < latents.length; start += batch) {
      if (work.signal?.aborted) throw new GenerationError('cancelled', 'Image generation was cancelled.');
      work.onBatch?.();
      const chunk = latents.slice(start, start + batch);
      // A fixed batch axis must be filled; the padding images are dropped.
      const n = fixed ?? chunk.length;
      const data = new Float32Array(n * size);
      chunk.forEach((z, i) => data.set(z, i * size));
      const feeds: Record<string, FeedTensor> = {
        [this.spec.input.name]: { type: 'float32', data, dims: [n, ...this.spec.input.shape.slice(1)] },
      };
      if (this.spec.classInput) {
        const ids = new BigInt64Array(n);
        for (let i = 0; i < chunk.length; i++) ids[i] = BigInt(labels[start + i] ?? 0);
        feeds[this.spec.classInput.name] = { type: 'int64', data: ids, dims: [n] };
      }
      const result = await this.decoder.run(feeds, [this.spec.output.name]);
      const tensor = result[this.spec.output.name];
      if (!tensor) throw new Error(`The model returned no output named "${this.spec.output.name}".`);
      const images = tensorToImages(tensor.data, tensor.dims, this.spec.output);
      if (images.length < chunk.length) {
        throw new Error(
          `The model returned ${images.length} image(s) for a batch of ${n} latents (output "${this.spec.output.name}" has shape [${tensor.dims.join(', ')}]). ` +
            'If its batch axis is fixed, give that size as the first dimension of "input.shape" in manifest.json.',
        );
      }
      out.push(...images.slice(0, chunk.length));
    }
    return out;
  }

  /** Encodes images (any size; centre-cropped to a square and resized smoothly to the model's) to their posterior. */
  async encode(images: readonly RgbaImage[]): Promise<EncodedImage[]> {
    if (this.manifest.kind !== 'vae' || !this.manifest.encoder || !this.encoder) {
      throw new Error(
        `${this.manifest.displayName} has no encoder, so it cannot make variations or blends of an image. Use a VAE whose manifest lists an encoder.`,
      );
    }
    const enc = this.manifest.encoder;
    const size = this.manifest.imageSize;
    const resized = images.map((img) => resizeImage(cropToSquare(img), size, size, 'smooth'));
    const tensor = imagesToTensor(resized, this.spec.output);
    const names = enc.outputs.logvar ? [enc.outputs.mean, enc.outputs.logvar] : [enc.outputs.mean];
    const result = await this.encoder.run({ [enc.input.name]: { type: 'float32', ...tensor } }, names);
    const mean = result[enc.outputs.mean];
    if (!mean) throw new Error(`The encoder returned no output named "${enc.outputs.mean}".`);
    const logvar = enc.outputs.logvar ? result[enc.outputs.logvar] : undefined;
    const z = this.latentSize;
    if (mean.data.length !== images.length * z) {
      throw new Error(
        `The encoder's "${enc.outputs.mean}" has ${mean.data.length / images.length} values per image; the decoder takes ${z}.`,
      );
    }
    return images.map((_, i) => ({
      mean: Float32Array.from(Array.prototype.slice.call(mean.data, i * z, (i + 1) * z) as number[]),
      ...(logvar ? { logvar: Float32Array.from(Array.prototype.slice.call(logvar.data, i * z, (i + 1) * z) as number[]) } : {}),
    }));
  }

  /** Variations of an encoded image: its mean plus seeded noise, one per seed. */
  async variations(
    source: EncodedImage,
    seeds: readonly number[],
    strength: number,
    options: { label?: number } & ImageWork = {},
  ): Promise<GeneratedImage[]> {
    const latents = seeds.map((s) => perturbLatent(source.mean, s, strength, source.logvar));
    const labels = seeds.map((s) => this.labelFor(s, options.label));
    const images = await this.decode(latents, labels, options);
    return images.map((image, i) => ({ seed: seeds[i]!, latent: latents[i]!, label: labels[i], image }));
  }

  /** `count` blends between two latents, evenly spaced strictly between them (spherical interpolation). */
  async blend(
    a: Float32Array,
    b: Float32Array,
    count: number,
    options: { seed?: number; label?: number } & ImageWork = {},
  ): Promise<GeneratedImage[]> {
    const ts = blendSteps(count);
    const latents = ts.map((t) => slerpLatent(a, b, t));
    const seed = options.seed ?? 0;
    const label = this.labelFor(seed, options.label);
    const images = await this.decode(
      latents,
      latents.map(() => label),
      options,
    );
    return images.map((image, i) => ({ seed, latent: latents[i]!, label, t: ts[i], image }));
  }
}
