/**
 * Image model manifests: the `manifest.json` next to a GAN's or VAE's ONNX files.
 *
 * A manifest says which graph to run, what it takes (a latent of some shape,
 * optionally a class label) and how to read what it returns (layout, channels,
 * value range). {@link validateImageManifest} checks an untrusted JSON value
 * and reports every problem at once, each with the field it is about, so a
 * user fixing a manifest by hand sees all of them in one go.
 */

/** Axis order of an image tensor: channels first or channels last. */
export type ImageLayout = 'NCHW' | 'NHWC';

/** How pixel values are scaled: `tanh` in [-1, 1], `sigmoid` in [0, 1]. */
export type ImageValueRange = 'tanh' | 'sigmoid';

/** Colour channels of an image tensor: gray, RGB or RGBA. */
export type ImageChannels = 1 | 3 | 4;

/** The latent input of a generator or decoder. */
export interface LatentInputSpec {
  /** Input name in the ONNX graph. */
  name: string;
  /**
   * Shape with the batch first: `[-1, z]`, `[-1, z, 1, 1]` or `[-1, C, h, w]`.
   * A batch of -1 means any batch size; a positive batch is a fixed batch size.
   */
  shape: number[];
}

/** An optional class-label input (int64, one label per image) of a conditional model. */
export interface ClassInputSpec {
  name: string;
  /** Number of classes; labels are 0 … classes - 1. */
  classes: number;
}

/** The image output of a generator or decoder. */
export interface ImageOutputSpec {
  name: string;
  layout: ImageLayout;
  channels: ImageChannels;
  range: ImageValueRange;
}

/** A GAN: one generator graph from latent (and label) to image. */
export interface GanManifest {
  kind: 'gan';
  displayName: string;
  license: string;
  /** Generator graph, relative to the model folder. */
  onnx: string;
  input: LatentInputSpec;
  classInput?: ClassInputSpec;
  output: ImageOutputSpec;
  /** Side in pixels of the square image the model produces. */
  imageSize: number;
}

/** The decoder half of a VAE (same contract as a GAN generator). */
export interface VaeDecoderSpec {
  onnx: string;
  input: LatentInputSpec;
  classInput?: ClassInputSpec;
  output: ImageOutputSpec;
}

/**
 * The encoder half of a VAE. Its image input uses the decoder output's layout,
 * channels and value range, so an image decoded by the model can be encoded back.
 */
export interface VaeEncoderSpec {
  onnx: string;
  input: { name: string };
  /** Output names of the posterior's mean and (optionally) log-variance. */
  outputs: { mean: string; logvar?: string };
}

/** A VAE: a decoder that samples images and an optional encoder for variations and blends. */
export interface VaeManifest {
  kind: 'vae';
  displayName: string;
  license: string;
  decoder: VaeDecoderSpec;
  encoder?: VaeEncoderSpec;
  imageSize: number;
}

/** Any image model manifest; switch on `kind`. */
export type ImageManifest = GanManifest | VaeManifest;

/** One thing wrong with a manifest. */
export interface ManifestProblem {
  /** Dotted path of the offending field, e.g. `decoder.output.range`; empty for the whole manifest. */
  field: string;
  /** What is wrong and what is expected, as a sentence. */
  message: string;
}

/** The outcome of {@link validateImageManifest}. */
export type ManifestValidation = { ok: true; manifest: ImageManifest } | { ok: false; problems: ManifestProblem[] };

/** Thrown by {@link parseImageManifest}; `problems` lists every problem found. */
export class ImageManifestError extends Error {
  override readonly name = 'ImageManifestError';
  constructor(
    readonly problems: ManifestProblem[],
    readonly file?: string,
  ) {
    super(formatProblems(problems, file));
  }
}

/** The graph that turns latents into images, for either kind. */
export function imageDecoderOf(manifest: ImageManifest): VaeDecoderSpec {
  return manifest.kind === 'gan'
    ? { onnx: manifest.onnx, input: manifest.input, classInput: manifest.classInput, output: manifest.output }
    : manifest.decoder;
}

/** Numbers in one latent (the shape without its batch axis, multiplied out). */
export function latentSize(input: LatentInputSpec): number {
  return input.shape.slice(1).reduce((a, b) => a * b, 1);
}

/** The fixed batch size of a latent input, or undefined when any batch size is accepted. */
export function fixedBatchSize(input: LatentInputSpec): number | undefined {
  const batch = input.shape[0];
  return batch !== undefined && batch > 0 ? batch : undefined;
}

/** Parses and validates manifest text; throws {@link ImageManifestError} listing every problem. */
export function parseImageManifest(text: string, file?: string): ImageManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ImageManifestError([{ field: '', message: `is not valid JSON (${reason}).` }], file);
  }
  const result = validateImageManifest(value);
  if (!result.ok) throw new ImageManifestError(result.problems, file);
  return result.manifest;
}

/** One message listing every problem, e.g. for an error notification or the CLI. */
export function formatProblems(problems: ManifestProblem[], file?: string): string {
  const where = file ? `Image model manifest ${file}` : 'Image model manifest';
  const lines = problems.map((p) => (p.field ? `\`${p.field}\` ${p.message}` : p.message));
  return lines.length === 1 ? `${where}: ${lines[0]}` : `${where} has ${lines.length} problems:\n- ${lines.join('\n- ')}`;
}

/**
 * Checks an untrusted value against the manifest schema. Unknown extra fields
 * are allowed (model cards may carry notes); every required field must be
 * present and well-formed.
 */
export function validateImageManifest(value: unknown): ManifestValidation {
  const problems: ManifestProblem[] = [];
  const check = new Checker(problems);
  if (!isObject(value)) {
    return { ok: false, problems: [{ field: '', message: `must be a JSON object (got ${describe(value)}).` }] };
  }
  const kind = value.kind;
  if (kind !== 'gan' && kind !== 'vae') {
    const got = kind === undefined ? 'it is missing' : `got ${describe(kind)}`;
    problems.push({ field: 'kind', message: `must be "gan" or "vae" (${got}).` });
    return { ok: false, problems };
  }
  const displayName = check.string(value, 'displayName', '');
  const license = check.string(value, 'license', '');
  const imageSize = check.integer(value, 'imageSize', '', 1, 4096);

  if (kind === 'gan') {
    const graph = check.graph(value, '');
    if (problems.length) return { ok: false, problems };
    return {
      ok: true,
      manifest: { kind, displayName: displayName!, license: license!, imageSize: imageSize!, ...graph! },
    };
  }

  let decoder: VaeDecoderSpec | undefined;
  if (!isObject(value.decoder)) {
    problems.push({
      field: 'decoder',
      message: `must be an object with onnx, input and output (${value.decoder === undefined ? 'it is missing' : `got ${describe(value.decoder)}`}).`,
    });
  } else {
    decoder = check.graph(value.decoder, 'decoder.');
  }
  let encoder: VaeEncoderSpec | undefined;
  if (value.encoder !== undefined) {
    if (!isObject(value.encoder)) {
      problems.push({ field: 'encoder', message: `must be an object with onnx, input and outputs (got ${describe(value.encoder)}).` });
    } else {
      const e = value.encoder;
      const onnx = check.relativeFile(e, 'onnx', 'encoder.');
      const input = check.object(e, 'input', 'encoder.');
      const inputName = input && check.string(input, 'name', 'encoder.input.');
      const outputs = check.object(e, 'outputs', 'encoder.');
      const mean = outputs && check.string(outputs, 'mean', 'encoder.outputs.');
      const logvar = outputs && outputs.logvar !== undefined ? check.string(outputs, 'logvar', 'encoder.outputs.') : undefined;
      if (onnx && inputName && mean) {
        encoder = { onnx, input: { name: inputName }, outputs: logvar ? { mean, logvar } : { mean } };
      }
    }
  }
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    manifest: {
      kind,
      displayName: displayName!,
      license: license!,
      imageSize: imageSize!,
      decoder: decoder!,
      ...(encoder ? { encoder } : {}),
    },
  };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Field checks that record a problem and return undefined instead of throwing. */
class Checker {
  constructor(private readonly problems: ManifestProblem[]) {}

  private fail(field: string, message: string): undefined {
    this.problems.push({ field, message });
    return undefined;
  }

  private missingOr(value: unknown): string {
    return value === undefined ? 'it is missing' : `got ${describe(value)}`;
  }

  string(obj: Json, key: string, prefix: string): string | undefined {
    const v = obj[key];
    if (typeof v === 'string' && v.trim()) return v;
    return this.fail(prefix + key, `must be a non-empty string (${this.missingOr(v)}).`);
  }

  object(obj: Json, key: string, prefix: string): Json | undefined {
    const v = obj[key];
    if (isObject(v)) return v;
    return this.fail(prefix + key, `must be an object (${this.missingOr(v)}).`);
  }

  integer(obj: Json, key: string, prefix: string, min: number, max: number): number | undefined {
    const v = obj[key];
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    return this.fail(prefix + key, `must be a whole number from ${min} to ${max} (${this.missingOr(v)}).`);
  }

  /** A file inside the model folder: relative, no `..`, so a manifest cannot point elsewhere. */
  relativeFile(obj: Json, key: string, prefix: string): string | undefined {
    const file = this.string(obj, key, prefix);
    if (file === undefined) return undefined;
    const parts = file.split(/[\\/]/);
    if (/^([a-zA-Z]:)?[\\/]/.test(file) || parts.includes('..')) {
      return this.fail(prefix + key, `must be a path inside the model folder (got ${describe(file)}).`);
    }
    return file;
  }

  /** onnx + input + optional classInput + output: a generator or a decoder. */
  graph(obj: Json, prefix: string): VaeDecoderSpec | undefined {
    const before = this.problems.length;
    const onnx = this.relativeFile(obj, 'onnx', prefix);
    const input = this.latentInput(obj, prefix);
    let classInput: ClassInputSpec | undefined;
    if (obj.classInput !== undefined) {
      const c = this.object(obj, 'classInput', prefix);
      const name = c && this.string(c, 'name', `${prefix}classInput.`);
      const classes = c && this.integer(c, 'classes', `${prefix}classInput.`, 1, 100000);
      if (name && classes) classInput = { name, classes };
    }
    const output = this.output(obj, prefix);
    if (input && classInput && input.name === classInput.name) {
      this.fail(`${prefix}classInput.name`, `must differ from the latent input's name ("${input.name}").`);
    }
    if (this.problems.length > before) return undefined;
    return { onnx: onnx!, input: input!, output: output!, ...(classInput ? { classInput } : {}) };
  }

  private latentInput(obj: Json, prefix: string): LatentInputSpec | undefined {
    const input = this.object(obj, 'input', prefix);
    if (!input) return undefined;
    const name = this.string(input, 'name', `${prefix}input.`);
    const field = `${prefix}input.shape`;
    const shape = input.shape;
    const expected = 'a batch axis (-1) followed by positive sizes, as [-1, z], [-1, z, 1, 1] or [-1, C, h, w]';
    if (!Array.isArray(shape) || (shape.length !== 2 && shape.length !== 4)) {
      return this.fail(field, `must be ${expected} (${this.missingOr(shape)}${Array.isArray(shape) ? ` of length ${shape.length}` : ''}).`);
    }
    if (!shape.every((d) => typeof d === 'number' && Number.isInteger(d))) {
      return this.fail(field, `must contain whole numbers only (got ${JSON.stringify(shape)}).`);
    }
    const dims = shape as number[];
    if (dims[0] === 0 || dims[0]! < -1)
      return this.fail(field, `must start with -1 (any batch size) or a fixed batch size (got ${dims[0]}).`);
    if (dims.slice(1).some((d) => d <= 0)) return this.fail(field, `must be ${expected} (got ${JSON.stringify(dims)}).`);
    if (dims.slice(1).reduce((a, b) => a * b, 1) > 1 << 20)
      return this.fail(field, `describes a latent that is too large (${JSON.stringify(dims)}).`);
    return name ? { name, shape: dims } : undefined;
  }

  private output(obj: Json, prefix: string): ImageOutputSpec | undefined {
    const output = this.object(obj, 'output', prefix);
    if (!output) return undefined;
    const p = `${prefix}output.`;
    const name = this.string(output, 'name', p);
    const layout = output.layout;
    const channels = output.channels;
    const range = output.range;
    let ok = !!name;
    if (layout !== 'NCHW' && layout !== 'NHWC') ok = !!this.fail(p + 'layout', `must be "NCHW" or "NHWC" (${this.missingOr(layout)}).`);
    if (channels !== 1 && channels !== 3 && channels !== 4)
      ok = !!this.fail(p + 'channels', `must be 1, 3 or 4 (${this.missingOr(channels)}).`);
    if (range !== 'tanh' && range !== 'sigmoid') {
      ok = !!this.fail(p + 'range', `must be "tanh" (values in [-1, 1]) or "sigmoid" (values in [0, 1]) (${this.missingOr(range)}).`);
    }
    return ok
      ? { name: name!, layout: layout as ImageLayout, channels: channels as ImageChannels, range: range as ImageValueRange }
      : undefined;
  }
}
