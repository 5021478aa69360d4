/**
 * Which files of a repository make a text model Inkwell can run, for a chosen
 * ONNX variant ("dtype", named as transformers.js names them). Everything else
 * a repository holds (PyTorch weights, other variants, READMEs) stays on the hub.
 *
 * Every file keeps its name and folder from the repository (`onnx/model_q4.onnx`,
 * `onnx/model_q4.onnx_data`, `decoder_model_merged.onnx`), so a downloaded folder is laid out
 * as transformers.js expects and loads there too; the graph refers to its external data by
 * name, relative to its own folder. Inkwell's loader finds the variant by the same names
 * (src/generation/layout.ts) and, with `inkwell.models.dtype` = auto, loads the one the
 * download recorded in inkwell-download.json.
 */
import type { HubFile } from './listing';

/** ONNX variants, by transformers.js's names. */
export const DTYPES = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;
export type Dtype = (typeof DTYPES)[number];

/** The file name suffix of each variant (`model{suffix}.onnx`). */
export const DTYPE_SUFFIX: Readonly<Record<Dtype, string>> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/** What `auto` tries, fastest on a CPU first. fp16 and q4f16 are for GPUs; bnb4 runs slowly on CPUs. */
export const AUTO_ORDER: readonly Dtype[] = ['q4', 'q8', 'int8', 'uint8', 'fp32'];

/** Variants whose weights (and often caches) are float16: slow or unsupported on a CPU. */
export const GPU_DTYPES: ReadonlySet<Dtype> = new Set<Dtype>(['fp16', 'q4f16']);

export function isDtype(value: string): value is Dtype {
  return (DTYPES as readonly string[]).includes(value);
}

/** The files the model needs besides its ONNX graphs; the first two are required. */
export const REQUIRED_FILES = ['config.json', 'tokenizer.json'] as const;
export const OPTIONAL_FILES = ['generation_config.json', 'tokenizer_config.json', 'special_tokens_map.json'] as const;

/**
 * How a repository lays out its decoder: transformers.js v3's `onnx/model*.onnx`,
 * or older Optimum exports with a merged decoder or a decoder and a
 * decoder-with-past pair (in `onnx/` or at the top).
 */
export type DecoderLayout = 'model' | 'merged' | 'split';

/** One variant a repository offers. */
export interface Variant {
  dtype: Dtype;
  layout: DecoderLayout;
  /** The graph Inkwell runs. */
  decoder: HubFile;
  /** Other graphs of the layout (the decoder-with-past of a split export). */
  graphs: HubFile[];
  /** External data files of all graphs. */
  data: HubFile[];
  /** Bytes of the graphs and their data, when every size is known. */
  bytes?: number;
}

/** A file to download: where it comes from in the repository and where it goes in the model folder. */
export interface PlannedFile extends HubFile {
  /** Path inside the model folder, `/`-separated. */
  target: string;
}

export interface DownloadPlan {
  dtype: Dtype;
  /** The variant was chosen by `auto`. */
  auto: boolean;
  layout: DecoderLayout;
  files: PlannedFile[];
  /** Sum of the sizes; undefined when a size is unknown. */
  totalBytes?: number;
  /** Things the user should know (a GPU variant, an older layout). */
  notes: string[];
}

/** A repository that has no files Inkwell can use for the request, with the reason. */
export class SelectionError extends Error {
  override readonly name = 'SelectionError';
}

const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const baseOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** External data files of `graph`: `<name>_data`, `<name>_data_1`, …, or `<name>.data`, in the same folder. */
export function externalDataOf(graph: HubFile, files: readonly HubFile[]): HubFile[] {
  const dir = dirOf(graph.path);
  const base = baseOf(graph.path);
  return files
    .filter((f) => {
      if (dirOf(f.path) !== dir) return false;
      const name = baseOf(f.path);
      if (!name.startsWith(base)) return false;
      return /^(_data(_\d+)?|\.data)$/.test(name.slice(base.length));
    })
    .sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}

/** The variant of `dtype` a repository has (preferring the current layout), or undefined. */
export function findVariant(files: readonly HubFile[], dtype: Dtype): Variant | undefined {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const suffix = DTYPE_SUFFIX[dtype];
  const make = (layout: DecoderLayout, decoder: HubFile, graphs: HubFile[] = []): Variant => {
    const data = [decoder, ...graphs].flatMap((g) => externalDataOf(g, files));
    const all = [decoder, ...graphs, ...data];
    const bytes = all.every((f) => f.size !== undefined) ? all.reduce((n, f) => n + (f.size ?? 0), 0) : undefined;
    return { dtype, layout, decoder, graphs, data, bytes };
  };
  const modern = byPath.get(`onnx/model${suffix}.onnx`);
  if (modern) return make('model', modern);
  for (const dir of ['onnx/', '']) {
    const merged = byPath.get(`${dir}decoder_model_merged${suffix}.onnx`);
    if (merged) return make('merged', merged);
    const plain = byPath.get(`${dir}decoder_model${suffix}.onnx`);
    const withPast = byPath.get(`${dir}decoder_with_past_model${suffix}.onnx`);
    if (plain && withPast) return make('split', plain, [withPast]);
  }
  return undefined;
}

/** Every variant a repository has, in {@link DTYPES} order. */
export function listVariants(files: readonly HubFile[]): Variant[] {
  return DTYPES.map((d) => findVariant(files, d)).filter((v): v is Variant => !!v);
}

/** The variant `auto` picks: the first of {@link AUTO_ORDER} the repository has. */
export function autoVariant(files: readonly HubFile[]): Variant | undefined {
  for (const dtype of AUTO_ORDER) {
    const v = findVariant(files, dtype);
    if (v) return v;
  }
  return undefined;
}

const LAYOUT_NOTES: Record<DecoderLayout, (v: Variant) => string | undefined> = {
  model: () => undefined,
  merged: (v) =>
    `This repository has the older Optimum layout: one merged decoder, ${v.decoder.path}, told by use_cache_branch whether its cache is filled.`,
  split: (v) =>
    `This repository has the older Optimum layout: ${v.decoder.path} runs the prompt and ${v.graphs.map((g) => g.path).join(', ')} each next token.`,
};

/**
 * The files to download for `dtype` (`auto`: see {@link autoVariant}).
 * Throws {@link SelectionError} when the repository lacks a required file or the variant.
 */
export function planDownload(files: readonly HubFile[], dtype: Dtype | 'auto'): DownloadPlan {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const missing = REQUIRED_FILES.filter((f) => !byPath.has(f));
  const variants = listVariants(files);
  const offered = variants.length ? `It has ${variants.map((v) => v.dtype).join(', ')}.` : '';
  if (!variants.length) {
    throw new SelectionError(
      'This repository has no ONNX decoder Inkwell can run (looked for onnx/model.onnx and its variants, and for ' +
        'decoder_model_merged.onnx or decoder_model.onnx with decoder_with_past_model.onnx). Choose a repository with an ONNX export of a text model.',
    );
  }
  if (missing.length) {
    throw new SelectionError(`This repository has no ${missing.join(' or ')}; a text model needs both next to its ONNX files.`);
  }
  let variant: Variant | undefined;
  if (dtype === 'auto') {
    variant = autoVariant(files);
    if (!variant) {
      throw new SelectionError(
        `This repository has only variants made for GPUs (${variants.map((v) => v.dtype).join(', ')}), which run slowly if at all on a CPU. Ask for one by name to download it anyway.`,
      );
    }
  } else {
    variant = findVariant(files, dtype);
    if (!variant) throw new SelectionError(`This repository has no ${dtype} variant. ${offered}`);
  }
  const planned: PlannedFile[] = [];
  for (const name of [...REQUIRED_FILES, ...OPTIONAL_FILES]) {
    const f = byPath.get(name);
    if (f) planned.push({ ...f, target: name });
  }
  // The hub's names, so that transformers.js loads the folder as it is.
  for (const f of [variant.decoder, ...variant.graphs, ...variant.data]) planned.push({ ...f, target: f.path });
  const totalBytes = planned.every((f) => f.size !== undefined) ? planned.reduce((n, f) => n + (f.size ?? 0), 0) : undefined;
  const notes: string[] = [];
  if (dtype === 'auto') notes.push(`Chose ${variant.dtype}, the fastest variant on a CPU that this repository has. ${offered}`);
  if (GPU_DTYPES.has(variant.dtype)) notes.push(`${variant.dtype} is made for GPUs; on a CPU it runs slowly if at all.`);
  const layoutNote = LAYOUT_NOTES[variant.layout](variant);
  if (layoutNote) notes.push(layoutNote);
  return { dtype: variant.dtype, auto: dtype === 'auto', layout: variant.layout, files: planned, totalBytes, notes };
}
