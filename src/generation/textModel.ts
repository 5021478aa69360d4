/**
 * Text model folders in the transformers.js / Optimum layout:
 *
 *     config.json            model_type and dimensions (GPT-2 or Llama names)
 *     tokenizer.json         the tokenizer (+ tokenizer_config.json)
 *     onnx/model.onnx        decoder; inputs input_ids, attention_mask, [position_ids],
 *                            [past_key_values.{i}.key/.value]; outputs logits, [present.{i}.*]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GenerationError } from './errors';
import { formatBytes, MODEL_FILE_LIMITS, readModelText } from './modelFiles';

/** The dimensions of a decoder-only text model, whatever names its config uses. */
export interface TextModelSpec {
  /** `model_type` from config.json. */
  modelType: string;
  layers: number;
  heads: number;
  /** Key/value heads: fewer than `heads` with grouped-query attention. */
  kvHeads: number;
  headDim: number;
  hidden: number;
  vocabSize: number;
  /** Longest sequence (prompt + generated) the model takes. */
  contextLength: number;
  /** Token ids that end a generation. */
  eosTokenIds: number[];
  /** Token id put before the prompt when the model expects one (Llama's BOS), else undefined. */
  bosTokenId?: number;
}

/** The files of a text model folder. */
export interface TextModelFiles {
  dir: string;
  config: string;
  tokenizer: string;
  tokenizerConfig?: string;
  onnx: string;
}

type Json = Record<string, unknown>;

function num(config: Json, names: string[]): number | undefined {
  for (const name of names) {
    const v = config[name];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

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
  'albert', 'bart', 'bert', 'big_bird', 'camembert', 'clip', 'convbert', 'deberta', 'deberta-v2', 'distilbert', 'electra',
  'ernie', 'esm', 'flaubert', 'funnel', 'longformer', 'luke', 'marian', 'mbart', 'mobilebert', 'modernbert', 'mpnet', 'mt5',
  'nomic_bert', 'pegasus', 'roberta', 'roformer', 'squeezebert', 't5', 'vit', 'wav2vec2', 'whisper', 'xlm', 'xlm-roberta',
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
const BYTES_PER_VOCAB_ENTRY = 4 + 4 + 8 + 1 + 4;

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
  if (!modelType) throw new GenerationError('model-invalid', `${file} has no "model_type"; expected a decoder such as "gpt2" or "llama".`, file);
  const wrongKind = notADecoder(config, modelType);
  if (wrongKind) {
    throw new GenerationError('model-invalid', `${file}: ${wrongKind}. Inkwell continues text with decoder-only models such as GPT-2 ("gpt2") or the Llama family ("llama").`, file);
  }
  const need = (label: string, names: string[]): number => {
    const v = num(config, names);
    if (v === undefined || v <= 0) {
      throw new GenerationError('model-invalid', `${file} does not say the ${label} (expected one of ${names.map((n) => `"${n}"`).join(', ')}).`, file);
    }
    return v;
  };
  const layers = need('number of layers', ['n_layer', 'num_hidden_layers', 'num_layers']);
  const heads = need('number of attention heads', ['n_head', 'num_attention_heads']);
  const hidden = need('hidden size', ['n_embd', 'hidden_size', 'd_model']);
  const kvHeads = num(config, ['num_key_value_heads', 'n_kv_head']) ?? heads;
  const headDim = num(config, ['head_dim']) ?? hidden / heads;
  if (!Number.isInteger(headDim)) throw new GenerationError('model-invalid', `${file}: hidden size ${hidden} is not a multiple of ${heads} heads.`, file);
  if (heads % kvHeads !== 0) throw new GenerationError('model-invalid', `${file}: ${heads} attention heads are not a multiple of ${kvHeads} key/value heads.`, file);
  const vocabSize = need('vocabulary size', ['vocab_size']);
  const contextLength = need('context length', ['n_positions', 'max_position_embeddings', 'n_ctx']);
  if (!Number.isInteger(vocabSize) || !Number.isInteger(contextLength)) {
    throw new GenerationError('model-invalid', `${file}: the vocabulary size (${vocabSize}) and context length (${contextLength}) must be whole numbers.`, file);
  }
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
  const eos = ids(config.eos_token_id);
  const bos = ids(config.bos_token_id)[0];
  return {
    modelType,
    layers,
    heads,
    kvHeads,
    headDim,
    hidden,
    vocabSize,
    contextLength,
    eosTokenIds: eos,
    // GPT-2 declares a BOS id but was trained without one; Llama-family models expect it.
    bosTokenId: modelType === 'gpt2' ? undefined : bos,
  };
}

/**
 * Checks that `dir` has the files of a text model. Throws `model-not-found`
 * naming the first missing file and what it should contain.
 */
export function textModelFiles(dir: string): TextModelFiles {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new GenerationError('model-not-found', `Model folder not found: ${dir}`, dir);
  }
  const file = (name: string, what: string): string => {
    const p = path.join(dir, name);
    if (!fs.existsSync(p)) throw new GenerationError('model-not-found', `${p} is missing; a text model folder needs ${what}.`, p);
    return p;
  };
  const config = file('config.json', 'config.json (model_type and dimensions)');
  const tokenizer = file('tokenizer.json', 'tokenizer.json (a Hugging Face tokenizer)');
  const onnx = file(path.join('onnx', 'model.onnx'), 'onnx/model.onnx (the decoder exported to ONNX)');
  const tokenizerConfigPath = path.join(dir, 'tokenizer_config.json');
  return { dir, config, tokenizer, onnx, tokenizerConfig: fs.existsSync(tokenizerConfigPath) ? tokenizerConfigPath : undefined };
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

/** Loads the spec of the text model in `dir`. */
export function loadTextModelSpec(files: TextModelFiles): TextModelSpec {
  return parseTextModelConfig(readJson(files.config), files.config);
}
