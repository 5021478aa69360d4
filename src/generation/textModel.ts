/**
 * Text model folders in the transformers.js / Optimum layout:
 *
 *     config.json              model_type and dimensions (each model type's own names)
 *     tokenizer.json           the tokenizer (+ tokenizer_config.json)
 *     generation_config.json   optional: end-of-text ids, sampling defaults
 *     onnx/model{_q4,…}.onnx   the decoder, one file per dtype (or an older Optimum
 *                              decoder_model_merged.onnx / decoder_model.onnx +
 *                              decoder_with_past_model.onnx), chosen by src/generation/layout.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MANIFEST_FILE, parseManifest } from '../core/hub/downloadManifest';
import { ArchitectureError, readArchitecture, type ArchitectureSpec } from './architectures';
import { GenerationError } from './generationError';
import { chooseDecoderFiles, externalDataOutside, findDecoderVariant, LayoutError, type DecoderFiles, type DtypeRequest } from './layout';
import { checkModelFile, formatBytes, MODEL_FILE_LIMITS, onnxSizeLimit, readModelText } from './modelFiles';
import { specialTokens, type SpecialTokens } from './specialTokens';
import { modelSamplingDefaults, type ModelSamplingDefaults } from './textRequest';

/**
 * The dimensions of a decoder-only text model, whatever names its config uses
 * (see {@link readArchitecture}), and the token ids that end a generation.
 */
export interface TextModelSpec extends ArchitectureSpec {
  /**
   * Token ids that end a generation. {@link parseTextModelConfig} takes config.json's; a loaded
   * model has those of src/generation/specialTokens.ts (generation_config.json first).
   */
  eosTokenIds: number[];
  /** Token ids put before every prompt (a BOS where the tokenizer adds one; see specialTokens.ts). */
  prefixIds: number[];
}

/** The files of a text model folder. Paths are absolute. */
export interface TextModelFiles {
  dir: string;
  config: string;
  tokenizer: string;
  tokenizerConfig?: string;
  generationConfig?: string;
  /** The decoder graph of the prompt step (and of every step, except with `withPast`). */
  onnx: string;
  /** A split export's decoder-with-past graph. */
  withPast?: string;
  /** External data files of the graph(s). */
  externalData: string[];
  /** What was chosen and why (relative paths), from src/generation/layout.ts. */
  decoder: DecoderFiles;
}

type Json = Record<string, unknown>;

function ids(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === 'number');
  return [];
}

/**
 * Model types that are not decoder-only language models: encoders (they fill in
 * masks, they do not continue text) and encoder-decoders. Their ONNX exports may
 * even have `input_ids` and `logits`, so the graph alone does not tell.
 */
const NOT_DECODERS = new Set([
  'albert',
  'bart',
  'bert',
  'big_bird',
  'camembert',
  'clip',
  'convbert',
  'deberta',
  'deberta-v2',
  'distilbert',
  'electra',
  'ernie',
  'esm',
  'flaubert',
  'funnel',
  'longformer',
  'luke',
  'marian',
  'mbart',
  'mobilebert',
  'modernbert',
  'mpnet',
  'mt5',
  'nomic_bert',
  'pegasus',
  'roberta',
  'roformer',
  'squeezebert',
  't5',
  'vit',
  'wav2vec2',
  'whisper',
  'xlm',
  'xlm-roberta',
]);

/** Why a config.json does not describe a decoder-only language model, if it does not. */
function notADecoder(config: Json, modelType: string): string | undefined {
  if (NOT_DECODERS.has(modelType.toLowerCase())) return `model_type "${modelType}" is not a decoder-only language model`;
  if (config.is_encoder_decoder === true) return `it describes an encoder-decoder model ("is_encoder_decoder": true)`;
  const architectures = Array.isArray(config.architectures) ? config.architectures.filter((a): a is string => typeof a === 'string') : [];
  if (architectures.length && !architectures.some((a) => /(?:CausalLM|LMHeadModel)$/.test(a))) {
    return `its architectures (${architectures.join(', ')}) include no causal language model`;
  }
  return undefined;
}

/** Bytes of working memory one generation allocates per context position and per vocabulary entry. */
const BYTES_PER_POSITION = 3 * 8;
const BYTES_PER_VOCAB_ENTRY = 4 + 4 + 8 + 1 + 4 + 4;

/** The most working memory a generation may ask for: a quarter of the machine, at most 1 GB. */
export function generationMemoryBudget(): number {
  return Math.min(os.totalmem() / 4, 1024 * 1024 * 1024);
}

/**
 * Reads the dimensions from a parsed config.json. `file` is only for messages.
 * Throws a `model-invalid` GenerationError naming the missing key.
 */
export function parseTextModelConfig(config: Json, file: string): TextModelSpec {
  const modelType = typeof config.model_type === 'string' ? config.model_type : '';
  if (!modelType)
    throw new GenerationError('model-invalid', `${file} has no "model_type"; expected a decoder such as "gpt2" or "llama".`, file);
  const wrongKind = notADecoder(config, modelType);
  if (wrongKind) {
    throw new GenerationError(
      'model-invalid',
      `${file}: ${wrongKind}. Inkwell continues text with decoder-only models such as GPT-2 ("gpt2") or the Llama family ("llama").`,
      file,
    );
  }
  let arch: ArchitectureSpec;
  try {
    arch = readArchitecture(config, file);
  } catch (err) {
    if (err instanceof ArchitectureError) throw new GenerationError('model-invalid', err.message, file);
    throw err;
  }
  const { vocabSize, contextLength } = arch;
  // Checked before anything is allocated: a typo of 1e9 would otherwise end in "Array buffer allocation failed".
  const needed = contextLength * BYTES_PER_POSITION + vocabSize * BYTES_PER_VOCAB_ENTRY;
  const budget = generationMemoryBudget();
  if (needed > budget) {
    throw new GenerationError(
      'model-invalid',
      `${file} declares a vocabulary of ${vocabSize} tokens and a context of ${contextLength} tokens; generating with them would need ` +
        `${formatBytes(needed)} of working memory before the model runs, more than the ${formatBytes(budget)} Inkwell allows. Check "vocab_size" and the context length.`,
      file,
    );
  }
  return { ...arch, eosTokenIds: ids(config.eos_token_id), prefixIds: [] };
}

/** The folder's files the layout chooser looks at: the top level and onnx/, relative, `/`-separated. */
export function listModelFolder(dir: string): string[] {
  const out: string[] = [];
  for (const sub of ['', 'onnx/']) {
    let names: string[];
    try {
      names = fs.readdirSync(path.join(dir, sub));
    } catch {
      continue;
    }
    for (const name of names) out.push(sub + name);
  }
  return out.sort();
}

/** The dtype a download recorded in inkwell-download.json, when its graph is still in the folder. */
export function downloadedDtype(dir: string, files: readonly string[]): DecoderFiles['dtype'] | undefined {
  if (!files.includes(MANIFEST_FILE)) return undefined;
  let text: string;
  try {
    text = readModelText(path.join(dir, MANIFEST_FILE), MODEL_FILE_LIMITS.json);
  } catch {
    return undefined;
  }
  const dtype = parseManifest(text)?.dtype;
  return dtype && findDecoderVariant(files, dtype) ? dtype : undefined;
}

/**
 * Checks that `dir` has the files of a text model and picks its decoder graph(s) for `dtype`
 * (`auto`: the variant a download recorded, else the fastest a CPU runs; see layout.ts).
 * Throws `model-not-found` naming the first missing file and what it should contain, or the
 * folder and what it needs when no decoder fits the dtype; `model-invalid` for external data
 * that is not a regular file or leads outside the folder.
 */
export function textModelFiles(dir: string, dtype: DtypeRequest = 'auto'): TextModelFiles {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new GenerationError('model-not-found', `Model folder not found: ${dir}`, dir);
  }
  const file = (name: string, what: string): string => {
    const p = path.join(dir, name);
    if (!fs.existsSync(p)) throw new GenerationError('model-not-found', `${p} is missing; a text model folder needs ${what}.`, p);
    return p;
  };
  const optional = (name: string): string | undefined => {
    const p = path.join(dir, name);
    return fs.existsSync(p) ? p : undefined;
  };
  const config = file('config.json', 'config.json (model_type and dimensions)');
  const tokenizer = file('tokenizer.json', 'tokenizer.json (a Hugging Face tokenizer)');
  const listing = listModelFolder(dir);
  const recorded = dtype === 'auto' ? downloadedDtype(dir, listing) : undefined;
  let decoder: DecoderFiles;
  try {
    decoder = chooseDecoderFiles(listing, recorded ?? dtype, readJson(config));
  } catch (err) {
    if (err instanceof LayoutError) throw new GenerationError('model-not-found', `${dir} ${err.message}`, dir);
    throw err;
  }
  if (recorded)
    decoder = {
      ...decoder,
      auto: true,
      note: decoder.note.replace(', as asked.', `, the variant downloaded into this folder (auto; ${MANIFEST_FILE}).`),
    };
  const abs = (relative: string) => path.join(dir, ...relative.split('/'));
  let realDir: string;
  try {
    realDir = fs.realpathSync(dir);
  } catch (err) {
    throw new GenerationError('model-not-found', `Cannot read ${dir}: ${(err as Error).message}`, dir);
  }
  for (const data of decoder.externalData) checkModelFile(abs(data), onnxSizeLimit());
  const outside = externalDataOutside(decoder.externalData, realDir, (relative) => fs.realpathSync(abs(relative)));
  if (outside) {
    throw new GenerationError(
      'model-invalid',
      `${abs(outside)} leads outside the model folder ${dir}; Inkwell loads a graph's external data only from its own folder.`,
      abs(outside),
    );
  }
  return {
    dir,
    config,
    tokenizer,
    tokenizerConfig: optional('tokenizer_config.json'),
    generationConfig: optional('generation_config.json'),
    onnx: abs(decoder.decoder),
    withPast: decoder.withPast ? abs(decoder.withPast) : undefined,
    externalData: decoder.externalData.map(abs),
    decoder,
  };
}

/**
 * Reads and parses a JSON file of a model, with an error that names it; refuses
 * anything but a regular file of at most `maxBytes`.
 */
export function readJson(file: string, maxBytes: number = MODEL_FILE_LIMITS.json): Json {
  const text = readModelText(file, maxBytes);
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Json;
  } catch (err) {
    throw new GenerationError('model-invalid', `${file} is not valid JSON: ${(err as Error).message}`, file);
  }
}

/** What a text model's JSON files say: its sizes, its special tokens and its sampling defaults. */
export interface TextModelInfo {
  /** Sizes from config.json; prefix and EOS ids from {@link specialTokens}. */
  spec: TextModelSpec;
  special: SpecialTokens;
  /** generation_config.json's temperature, top_p and repetition_penalty, for options the user did not set. */
  samplingDefaults: ModelSamplingDefaults;
}

/**
 * Reads config.json, tokenizer_config.json and generation_config.json of a model, and tokenizer.json
 * unless the caller parsed it already (it is large; the tokenizer needs it too).
 */
export function loadTextModelInfo(files: TextModelFiles, tokenizerJson?: Json): TextModelInfo {
  const config = readJson(files.config);
  const sizes = parseTextModelConfig(config, files.config);
  const generationConfig = files.generationConfig ? readJson(files.generationConfig) : undefined;
  const special = specialTokens({
    tokenizer: tokenizerJson ?? readJson(files.tokenizer, MODEL_FILE_LIMITS.tokenizer),
    tokenizerConfig: files.tokenizerConfig ? readJson(files.tokenizerConfig) : undefined,
    config,
    generationConfig,
  });
  return {
    spec: { ...sizes, eosTokenIds: special.eosTokenIds, prefixIds: special.prefixIds },
    special,
    samplingDefaults: modelSamplingDefaults(generationConfig),
  };
}

/** Loads the spec of the text model in `dir` (see {@link loadTextModelInfo}). */
export function loadTextModelSpec(files: TextModelFiles): TextModelSpec {
  return loadTextModelInfo(files).spec;
}
