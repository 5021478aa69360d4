/**
 * The sizes of a decoder-only model, read from config.json under the names each `model_type` uses,
 * and the names and shapes of its KV cache. Pure: takes the parsed JSON, touches no files.
 *
 * Follows transformers.js: `getNormalizedConfig` and `getKeyValueNames` in
 * node_modules/@huggingface/transformers/src/configs.js (which field is the number of heads per model
 * type; GPT-BigCode's multi-query cache `past_key_values.{i}.key_value`), and `decoder_forward` in
 * src/models/modeling_utils.js (Gemma 3 counts positions from 1).
 */

type Json = Record<string, unknown>;

/** A config.json that does not describe a decoder this module can size; the message names the field. */
export class ArchitectureError extends Error {
  override readonly name = 'ArchitectureError';
}

/** The sizes of a decoder-only text model, whatever names its config uses. */
export interface ArchitectureSpec {
  /** `model_type` (of `text_config` for configs that nest one, like gemma3). */
  modelType: string;
  layers: number;
  /** Query heads. */
  heads: number;
  /** Key/value heads: fewer than `heads` with grouped-query attention, 1 with multi-query. */
  kvHeads: number;
  /** Per-head width: `head_dim` where the config says it (Gemma, Qwen3), else hidden / heads. */
  headDim: number;
  hidden: number;
  vocabSize: number;
  /** Longest sequence (prompt + generated) the model takes. */
  contextLength: number;
  /**
   * GPT-BigCode's multi-query cache: one input per layer, `past_key_values.{i}.key_value`,
   * shaped [batch, past, 2 * headDim] (keys and values side by side), instead of `.key` and `.value`
   * shaped [batch, kvHeads, past, headDim].
   */
  fusedKeyValue: boolean;
  /** First position id: 1 for gemma3 / gemma3_text / paligemma in transformers.js, else 0. */
  firstPosition: 0 | 1;
}

/** Field names per family, first match wins. */
interface FieldNames {
  layers: string[];
  heads: string[];
  kvHeads: string[];
  hidden: string[];
  context: string[];
}

const GPT2_NAMES: FieldNames = {
  layers: ['n_layer'],
  heads: ['n_head'],
  kvHeads: [],
  hidden: ['n_embd'],
  context: ['n_positions', 'n_ctx', 'max_position_embeddings'],
};
const LLAMA_NAMES: FieldNames = {
  layers: ['num_hidden_layers'],
  heads: ['num_attention_heads'],
  kvHeads: ['num_key_value_heads'],
  hidden: ['hidden_size'],
  context: ['max_position_embeddings', 'seq_length', 'n_positions'],
};

/** Model types by the names their configs use (configs.js `getNormalizedConfig`). */
const FAMILY: Record<string, FieldNames> = {
  gpt2: GPT2_NAMES,
  gptj: GPT2_NAMES,
  codegen: GPT2_NAMES,
  jais: GPT2_NAMES,
  gpt_bigcode: GPT2_NAMES,
  gpt_neo: { layers: ['num_layers'], heads: ['num_heads'], kvHeads: [], hidden: ['hidden_size'], context: ['max_position_embeddings'] },
  bloom: {
    layers: ['n_layer', 'num_hidden_layers'],
    heads: ['n_head', 'num_attention_heads'],
    kvHeads: [],
    hidden: ['hidden_size', 'n_embed'],
    context: ['seq_length', 'n_positions'],
  },
  mpt: { layers: ['n_layers'], heads: ['n_heads'], kvHeads: [], hidden: ['d_model'], context: ['max_seq_len'] },
  openelm: {
    layers: ['num_transformer_layers'],
    heads: ['num_query_heads'],
    kvHeads: ['num_kv_heads'],
    hidden: ['model_dim'],
    context: ['max_context_length'],
  },
};

/** Every other decoder uses Llama's names (llama, mistral, qwen2, qwen3, phi3, gemma*, olmo*, granite, stablelm, gpt_neox, opt, falcon…). */
function namesFor(modelType: string): FieldNames {
  return FAMILY[modelType] ?? LLAMA_NAMES;
}

/** Model types whose transformers.js position ids start at 1 (modeling_utils.js `decoder_forward`). */
const ONE_BASED_POSITIONS = new Set(['paligemma', 'gemma3_text', 'gemma3']);

/** Model types that nest their language model's config in `text_config` (multimodal wrappers). */
const NESTED_TEXT_CONFIG = new Set([
  'gemma3',
  'gemma3n',
  'llava',
  'mistral3',
  'qwen2_5_vl',
  'qwen3_vl',
  'smolvlm',
  'idefics3',
  'paligemma',
]);

function num(config: Json, names: readonly string[]): number | undefined {
  for (const name of names) {
    const v = config[name];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

/**
 * The text config of a model: config.json itself, or its `text_config` for multimodal wrappers
 * (gemma3's text sizes live there). The wrapper's `model_type` decides how positions are counted.
 */
export function textConfigOf(config: Json): { text: Json; outerModelType: string } {
  const outerModelType = typeof config.model_type === 'string' ? config.model_type : '';
  const nested = config.text_config;
  if (NESTED_TEXT_CONFIG.has(outerModelType) && nested && typeof nested === 'object' && !Array.isArray(nested)) {
    return { text: { ...(nested as Json), model_type: (nested as Json).model_type ?? outerModelType }, outerModelType };
  }
  return { text: config, outerModelType };
}

/**
 * Reads the sizes of a decoder from its parsed config.json. `file` is for messages only.
 * Throws {@link ArchitectureError} naming the field that is missing or wrong.
 */
export function readArchitecture(config: Json, file = 'config.json'): ArchitectureSpec {
  const { text, outerModelType } = textConfigOf(config);
  const modelType = typeof text.model_type === 'string' ? text.model_type : '';
  if (!modelType) throw new ArchitectureError(`${file} has no "model_type"; expected a decoder such as "gpt2", "llama" or "qwen2".`);
  const names = namesFor(modelType);
  const need = (label: string, fieldNames: readonly string[]): number => {
    const v = num(text, fieldNames);
    if (v === undefined || v <= 0 || !Number.isInteger(v)) {
      throw new ArchitectureError(
        `${file} does not give the ${label} of this ${modelType} model as a positive whole number (expected ${fieldNames.map((n) => `"${n}"`).join(' or ')}).`,
      );
    }
    return v;
  };
  const layers = need('number of layers', names.layers);
  const heads = need('number of attention heads', names.heads);
  const hidden = need('hidden size', names.hidden);
  const vocabSize = need('vocabulary size', ['vocab_size', 'padded_vocab_size']);
  const contextLength = need('context length', names.context);
  const fusedKeyValue = modelType === 'gpt_bigcode' && text.multi_query !== false;
  const kvHeads = fusedKeyValue ? 1 : (num(text, names.kvHeads) ?? heads);
  if (!Number.isInteger(kvHeads) || kvHeads <= 0 || heads % kvHeads !== 0) {
    throw new ArchitectureError(`${file}: ${heads} attention heads are not a multiple of ${kvHeads} key/value heads.`);
  }
  const explicitHeadDim = num(text, ['head_dim']);
  const headDim = explicitHeadDim ?? hidden / heads;
  if (!Number.isInteger(headDim) || headDim <= 0) {
    throw new ArchitectureError(`${file}: the hidden size ${hidden} is not a multiple of ${heads} heads, and there is no "head_dim".`);
  }
  return {
    modelType,
    layers,
    heads,
    kvHeads,
    headDim,
    hidden,
    vocabSize,
    contextLength,
    fusedKeyValue,
    firstPosition: ONE_BASED_POSITIONS.has(outerModelType) || ONE_BASED_POSITIONS.has(modelType) ? 1 : 0,
  };
}

/** One cache input of the decoder and the empty tensor fed to it before the first step. */
export interface CacheInput {
  /** `past_key_values.{i}.key`, `.value` or (fused) `.key_value`. */
  name: string;
  /** The output that carries it to the next step: `present.{i}.…`. */
  presentName: string;
  /** Shape with 0 past positions for batch 1. */
  emptyShape: number[];
  /** Which axis grows by one per step. */
  sequenceAxis: number;
}

/**
 * The KV-cache inputs `spec` implies, in layer order (configs.js `getKeyValueNames`). The session's
 * own input metadata is the final word on dtype and fixed dims; see {@link emptyCacheShape}.
 */
export function cacheInputs(spec: ArchitectureSpec): CacheInput[] {
  const out: CacheInput[] = [];
  for (let i = 0; i < spec.layers; i++) {
    if (spec.fusedKeyValue) {
      out.push({
        name: `past_key_values.${i}.key_value`,
        presentName: `present.${i}.key_value`,
        emptyShape: [1, 0, 2 * spec.headDim],
        sequenceAxis: 1,
      });
    } else {
      for (const part of ['key', 'value']) {
        out.push({
          name: `past_key_values.${i}.${part}`,
          presentName: `present.${i}.${part}`,
          emptyShape: [1, spec.kvHeads, 0, spec.headDim],
          sequenceAxis: 2,
        });
      }
    }
  }
  return out;
}

/**
 * The shape of an empty cache input from the graph's declared dims, as transformers.js makes it
 * (modeling_utils.js `resolveCacheShape` in `addPastKeyValues`): fixed dims kept, the batch (first) dim = 1,
 * every other named dim (the past length) = 0. Falls back to `fallback` where a dim is neither.
 */
export function emptyCacheShape(declared: ReadonlyArray<number | string | undefined | null>, fallback?: readonly number[]): number[] {
  return declared.map((d, i) => {
    if (typeof d === 'number' && d >= 0) return d;
    // The batch axis comes first in every export; transformers.js matches it by the name batch_size.
    if (i === 0) return 1;
    if (typeof d === 'string') return 0;
    return fallback?.[i] ?? 0;
  });
}
