/**
 * One line about a text model folder for the model picker: its architecture, parameter count,
 * the ONNX variant Inkwell would load and its size on disk, or, when it cannot load, why.
 * Reads only small files (config.json, the folder listing, file sizes); never opens a session.
 */
import * as fs from 'fs';
import { ArchitectureError, readArchitecture, textConfigOf } from './architectures';
import { GenerationError } from './generationError';
import type { DtypeRequest } from './layout';
import { readJson, textModelFiles } from './textModel';

type Json = Record<string, unknown>;

export interface TextModelSummary {
  /** `model_type` of config.json (of its text_config for multimodal wrappers). */
  architecture?: string;
  /** Parameters estimated from config.json's sizes (see {@link estimateParameters}). */
  parameters?: number;
  /** The variant that would load, by transformers.js's name. */
  dtype?: string;
  /** Its graph file(s), relative to the folder. */
  file?: string;
  /** Bytes of the graph(s) and their external data. */
  bytes?: number;
  /** Why the folder cannot load, in one line (without the folder's path). */
  problem?: string;
}

function num(config: Json, names: readonly string[]): number | undefined {
  for (const name of names) {
    const v = config[name];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
  }
  return undefined;
}

/** Model types whose MLP has two matrices (up, down) rather than Llama's gated three. */
const PLAIN_MLP = new Set([
  'gpt2',
  'gpt_neo',
  'gpt_bigcode',
  'gptj',
  'codegen',
  'bloom',
  'opt',
  'falcon',
  'mpt',
  'phi',
  'gpt_neox',
  'jais',
  'starcoder2',
]);
/** Model types with learned position embeddings (a matrix of context x width). */
const LEARNED_POSITIONS = new Set(['gpt2', 'gpt_neo', 'gpt_bigcode', 'opt', 'jais']);
/** Model types that tie the output projection to the input embeddings unless the config says otherwise. */
const TIED_BY_DEFAULT = new Set(['gpt2', 'gpt_neo', 'gpt_bigcode', 'gptj', 'codegen', 'bloom', 'opt', 'jais']);

/**
 * Parameters of a decoder from its config.json: embeddings (and learned positions), per layer the
 * attention projections (grouped-query K/V included) and the MLP (gated for the Llama family),
 * and an untied output projection. Norms and biases are left out (well under 1%). An estimate for
 * the picker, exact for the common layouts (SmolLM2-135M: 134.5M; GPT-2: 124M).
 */
export function estimateParameters(config: Json): number | undefined {
  let arch;
  try {
    arch = readArchitecture(config);
  } catch (err) {
    if (err instanceof ArchitectureError) return undefined;
    throw err;
  }
  const { text } = textConfigOf(config);
  const { hidden, heads, kvHeads, headDim, layers, vocabSize, contextLength, modelType } = arch;
  const intermediate = num(text, ['intermediate_size', 'n_inner', 'ffn_dim', 'ffn_hidden_size']) ?? 4 * hidden;
  const attention = hidden * heads * headDim * 2 + hidden * kvHeads * headDim * 2;
  const mlp = (PLAIN_MLP.has(modelType) ? 2 : 3) * hidden * intermediate;
  const tied = typeof text.tie_word_embeddings === 'boolean' ? text.tie_word_embeddings : TIED_BY_DEFAULT.has(modelType);
  const embeddings = vocabSize * hidden * (tied ? 1 : 2) + (LEARNED_POSITIONS.has(modelType) ? contextLength * hidden : 0);
  return embeddings + layers * (attention + mlp);
}

/** Parameters as people write them: 82M, 1.2B. */
export function formatParameters(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e8 ? 0 : 1)}M`;
  return `${Math.round(n / 1e3)}K`;
}

/** Summarizes the text model in `dir` as it would load with `dtype`. Never throws for a bad folder. */
export function summarizeTextModel(dir: string, dtype: DtypeRequest = 'auto'): TextModelSummary {
  const summary: TextModelSummary = {};
  try {
    const files = textModelFiles(dir, dtype);
    const config = readJson(files.config);
    summary.architecture = textConfigOf(config).text.model_type as string | undefined;
    summary.parameters = estimateParameters(config);
    summary.dtype = files.decoder.dtype;
    summary.file = files.decoder.withPast ? `${files.decoder.decoder} + ${files.decoder.withPast}` : files.decoder.decoder;
    summary.bytes = [files.onnx, ...(files.withPast ? [files.withPast] : []), ...files.externalData].reduce(
      (n, f) => n + fs.statSync(f).size,
      0,
    );
  } catch (err) {
    if (!(err instanceof GenerationError) && !(err instanceof Error && 'code' in err)) throw err;
    const message = err.message.startsWith(`${dir} `) ? err.message.slice(dir.length + 1) : err.message;
    summary.problem = message.split('\n')[0];
    try {
      const config = readJson(`${dir}/config.json`);
      summary.architecture ??= textConfigOf(config).text.model_type as string | undefined;
      summary.parameters ??= estimateParameters(config);
    } catch {
      // config.json is what is wrong; the problem says so.
    }
  }
  return summary;
}
