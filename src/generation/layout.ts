/**
 * Which ONNX file(s) of a model folder to load for a requested dtype, chosen the way transformers.js
 * chooses them, and what running them takes (a merged decoder's use_cache_branch, a decoder +
 * decoder-with-past pair, external data, the KV cache's dtype). Pure: takes the folder's file list.
 *
 * transformers.js v3/v4 loads `onnx/model{suffix}.onnx` with the suffix of the dtype
 * (utils/dtypes.js `DEFAULT_DTYPE_SUFFIX_MAPPING`; utils/model-loader.js `getCoreModelFile`) and its
 * external data `model{suffix}.onnx_data`, `…_data_1`, … (`getExternalDataChunkNames`, counted by
 * config.json's `transformers.js_config.use_external_data_format`). Older Optimum exports, which the
 * hub still holds, have `decoder_model_merged{suffix}.onnx` (one graph with a `use_cache_branch`
 * input; transformers.js runs it when given `model_file_name`, see models/modeling_utils.js
 * `decoder_forward`) or `decoder_model{suffix}.onnx` + `decoder_with_past_model{suffix}.onnx`.
 *
 * The dtype names and suffixes are the hub download's (src/core/hub/select.ts), so a setting means
 * the same file whether it is downloaded or loaded. `auto` picks the fastest variant a CPU runs well.
 */
import { AUTO_ORDER, DTYPE_SUFFIX, DTYPES, GPU_DTYPES, isDtype, type Dtype } from '../core/hub/select';

export { DTYPES, isDtype, type Dtype };

/** A dtype by transformers.js's name, or `auto`. */
export type DtypeRequest = Dtype | 'auto';

/**
 * How the folder lays out its decoder:
 * - `model`: one graph, `onnx/model{suffix}.onnx`, with or without past inputs;
 * - `merged`: `decoder_model_merged{suffix}.onnx`, fed `use_cache_branch` (false on the prompt step, true after);
 * - `split`: `decoder_model{suffix}.onnx` for the prompt and, when present, `decoder_with_past_model{suffix}.onnx`
 *   for each next token (without it, the decoder runs on the whole sequence every step).
 */
export type DecoderLayout = 'model' | 'merged' | 'split';

/** The element type of the KV cache tensors (and of the logits) a variant's graph takes and gives. */
export type CacheDtype = 'float32' | 'float16';

/** What to load from a model folder. Paths are relative to the folder, `/`-separated. */
export interface DecoderFiles {
  dtype: Dtype;
  /** Chosen by `auto`. */
  auto: boolean;
  layout: DecoderLayout;
  /** The graph of the prompt step (and of every step, except with a split pair). */
  decoder: string;
  /** `split` only: the graph of each step after the prompt, when the folder has one. */
  withPast?: string;
  /** External data files next to the graphs, in order (`model.onnx_data`, `model.onnx_data_1`, …). */
  externalData: string[];
  /** `merged` only: the graph takes `use_cache_branch`. */
  useCacheBranch: boolean;
  /**
   * The dtype of the empty past tensors and of the logits: float16 for fp16 and q4f16 exports. The
   * session's input metadata has the last word (transformers.js reads it there, `addPastKeyValues`).
   */
  cacheDtype: CacheDtype;
  /** One line for the user: which file, and why (auto's choice, an older layout, a GPU variant). */
  note: string;
}

/** A folder with no loadable decoder for the request; the message says what it needs and what it has. */
export class LayoutError extends Error {
  override readonly name = 'LayoutError';
}

type Json = Record<string, unknown>;

/** Folders searched, in order: transformers.js's `onnx/`, then the folder itself (older exports). */
const SUBFOLDERS = ['onnx/', ''];

/** Parses a `--dtype` / `inkwell.models.dtype` value. Throws {@link LayoutError} listing the valid names. */
export function parseDtypeRequest(value: string | undefined): DtypeRequest {
  const v = (value ?? 'auto').trim();
  if (v === 'auto' || isDtype(v)) return v;
  throw new LayoutError(
    `Unknown dtype "${value}". Use auto or one of ${DTYPES.join(', ')} (transformers.js's names; q8 is model_quantized.onnx).`,
  );
}

/** Number of external data files config.json declares for `fileName` (`transformers.js_config.use_external_data_format`). */
export function declaredExternalDataChunks(config: Json | undefined, fileName: string): number {
  const tjs = config?.['transformers.js_config'];
  const value = tjs && typeof tjs === 'object' ? (tjs as Json).use_external_data_format : undefined;
  if (value === undefined || value === null || value === false) return 0;
  if (value === true) return 1;
  if (typeof value === 'number') return Math.max(0, Math.floor(value));
  if (typeof value === 'object') {
    const byName = value as Record<string, unknown>;
    const base = fileName.replace(/\.onnx$/, '').replace(/_(fp16|quantized|int8|uint8|q4|q4f16|bnb4)$/, '');
    const v = byName[fileName] ?? byName[base];
    return v === true ? 1 : typeof v === 'number' ? Math.max(0, Math.floor(v)) : 0;
  }
  return 0;
}

/**
 * External data files of `graph` present in `files`: `<graph>_data`, `<graph>_data_1`, … and
 * `<graph>.data`, in the graph's own folder only (a graph's data never comes from elsewhere).
 */
export function externalDataFiles(graph: string, files: readonly string[]): string[] {
  const dir = graph.includes('/') ? graph.slice(0, graph.lastIndexOf('/') + 1) : '';
  const base = graph.slice(dir.length);
  return files
    .filter((f) => {
      if (!f.startsWith(dir) || f.slice(dir.length).includes('/')) return false;
      const name = f.slice(dir.length);
      return name.startsWith(base) && /^(_data(_\d+)?|\.data)$/.test(name.slice(base.length));
    })
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** One variant the folder has. */
export interface DecoderVariant {
  dtype: Dtype;
  layout: DecoderLayout;
  decoder: string;
  withPast?: string;
}

/** The variant of `dtype` in `files`, preferring the current layout, then merged, then split. */
export function findDecoderVariant(files: readonly string[], dtype: Dtype): DecoderVariant | undefined {
  const has = new Set(files);
  const suffix = DTYPE_SUFFIX[dtype];
  if (has.has(`onnx/model${suffix}.onnx`)) return { dtype, layout: 'model', decoder: `onnx/model${suffix}.onnx` };
  for (const dir of SUBFOLDERS) {
    const merged = `${dir}decoder_model_merged${suffix}.onnx`;
    if (has.has(merged)) return { dtype, layout: 'merged', decoder: merged };
  }
  for (const dir of SUBFOLDERS) {
    const plain = `${dir}decoder_model${suffix}.onnx`;
    const withPast = `${dir}decoder_with_past_model${suffix}.onnx`;
    if (has.has(plain)) return { dtype, layout: 'split', decoder: plain, withPast: has.has(withPast) ? withPast : undefined };
  }
  // A top-level model{suffix}.onnx (some repositories keep the current name outside onnx/).
  if (has.has(`model${suffix}.onnx`)) return { dtype, layout: 'model', decoder: `model${suffix}.onnx` };
  return undefined;
}

/** Every variant the folder has, in {@link DTYPES} order. */
export function listDecoderVariants(files: readonly string[]): DecoderVariant[] {
  return DTYPES.map((d) => findDecoderVariant(files, d)).filter((v): v is DecoderVariant => !!v);
}

function describe(v: DecoderVariant): string {
  return v.withPast ? `${v.decoder} + ${v.withPast}` : v.decoder;
}

function listing(variants: readonly DecoderVariant[]): string {
  return variants.map((v) => `${describe(v)} (${v.dtype})`).join(', ');
}

const LAYOUT_NOTE: Record<DecoderLayout, (v: DecoderVariant) => string> = {
  model: () => '',
  merged: () => ' It is an older Optimum export: one merged decoder, told by use_cache_branch whether the cache is filled.',
  split: (v) =>
    v.withPast
      ? ' It is an older Optimum export: the prompt runs in the first graph and every next token in the second.'
      : ' It has no decoder_with_past graph, so every step runs the whole sequence again (slow for long texts).',
};

/**
 * Chooses the decoder files to load from `files` (the folder's files, relative, `/`-separated) for
 * `request`. `config` is the parsed config.json (for declared external data).
 * Throws {@link LayoutError} with what the folder needs and what it has.
 */
export function chooseDecoderFiles(files: readonly string[], request: DtypeRequest, config?: Json): DecoderFiles {
  const variants = listDecoderVariants(files);
  const auto = request === 'auto';
  let variant: DecoderVariant | undefined;
  if (!variants.length) {
    const others = files.filter((f) => f.endsWith('.onnx'));
    throw new LayoutError(
      'needs onnx/model.onnx (or a dtype variant such as onnx/model_q4.onnx, or an older decoder_model_merged.onnx or decoder_model.onnx); ' +
        (others.length
          ? `found only ${others.join(', ')}, which is not a decoder file transformers.js or Inkwell loads.`
          : 'found no ONNX file.'),
    );
  }
  if (auto) {
    variant = AUTO_ORDER.map((d) => variants.find((v) => v.dtype === d)).find((v) => !!v);
    if (!variant) {
      throw new LayoutError(
        `needs onnx/model.onnx or onnx/model_q4.onnx (or another variant a CPU runs well: ${AUTO_ORDER.join(', ')}); found only ${listing(variants)}, ` +
          `made for GPUs, which the CPU runtime runs slowly if at all. Set the dtype (inkwell.models.dtype, or --dtype) to ${variants[0].dtype} to run it anyway.`,
      );
    }
  } else {
    variant = variants.find((v) => v.dtype === request);
    if (!variant) {
      const suffix = DTYPE_SUFFIX[request];
      throw new LayoutError(
        `has no ${request} variant (onnx/model${suffix}.onnx); it has ${listing(variants)}. Set the dtype to auto or to one of those.`,
      );
    }
  }
  const graphs = [variant.decoder, ...(variant.withPast ? [variant.withPast] : [])];
  const externalData = graphs.flatMap((g) => externalDataFiles(g, files));
  for (const g of graphs) {
    const name = g.slice(g.lastIndexOf('/') + 1);
    const declared = declaredExternalDataChunks(config, name);
    const present = externalDataFiles(g, files).filter((f) => /_data(_\d+)?$/.test(f)).length;
    if (declared > present) {
      throw new LayoutError(
        `${g}: config.json says its weights are in ${declared} external data file(s) (${name}_data${declared > 1 ? `, …, ${name}_data_${declared - 1}` : ''}); found ${present}. Download the missing file(s) into the same folder.`,
      );
    }
  }
  const others = variants.filter((v) => v !== variant).map((v) => v.dtype);
  const also = others.length ? ` The folder also has ${others.join(', ')}.` : '';
  const why = auto ? `the fastest variant for a CPU in this folder (auto: ${AUTO_ORDER.join(' > ')})` : 'as asked';
  const gpu = GPU_DTYPES.has(variant.dtype) ? ` ${variant.dtype} is made for GPUs; on a CPU it may run slowly.` : '';
  return {
    dtype: variant.dtype,
    auto,
    layout: variant.layout,
    decoder: variant.decoder,
    withPast: variant.withPast,
    externalData,
    useCacheBranch: variant.layout === 'merged',
    cacheDtype: variant.dtype === 'fp16' || variant.dtype === 'q4f16' ? 'float16' : 'float32',
    note: `Using ${describe(variant)} (${variant.dtype}), ${why}.${LAYOUT_NOTE[variant.layout](variant)}${gpu}${also}`,
  };
}

/**
 * Checks that every external data file stays inside the model folder once links are followed:
 * `realPath` resolves a relative path to its real absolute path (fs.realpathSync in the caller),
 * `folderRealPath` is the folder's. Returns the first file that leads out, or undefined.
 */
export function externalDataOutside(
  externalData: readonly string[],
  folderRealPath: string,
  realPath: (relative: string) => string,
): string | undefined {
  const root =
    folderRealPath.endsWith('/') || folderRealPath.endsWith('\\')
      ? folderRealPath
      : folderRealPath + (folderRealPath.includes('\\') ? '\\' : '/');
  return externalData.find((f) => !realPath(f).startsWith(root));
}
