import type * as Tokenizers from '@huggingface/tokenizers' with { 'resolution-mode': 'import' };
import { createHash } from 'crypto';
import { GenerationError } from './generationError';
import { MODEL_FILE_LIMITS } from './modelFiles';
import { readJson, type TextModelFiles } from './textModel';

// The package is ESM-first but ships a CommonJS build for `require`, which the
// bundles (CommonJS) and the unit tests both load.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tokenizer } = require('@huggingface/tokenizers') as typeof Tokenizers;

/** The part of a tokenizer generation needs. */
export interface TextTokenizer {
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** The end-of-text id the tokenizer declares, if any. */
  readonly eosTokenId?: number;
  /**
   * A hash of what maps text to ids and back (the model's vocabulary and merges, the added
   * tokens, normalizer, pre-tokenizer and decoder): two tokenizers with the same key give the same
   * ids for the same text, which a draft model and the model it drafts for must.
   */
  readonly vocabularyKey?: string;
}

/** See {@link TextTokenizer.vocabularyKey}. */
export function vocabularyKey(json: Record<string, unknown>): string {
  const added = Array.isArray(json.added_tokens)
    ? (json.added_tokens as Array<{ id?: unknown; content?: unknown; special?: unknown }>).map((t) => [t.id, t.content, t.special])
    : [];
  const parts = [json.model, added, json.normalizer, json.pre_tokenizer, json.decoder];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * Loads a model's tokenizer.json (and tokenizer_config.json) with the pure-JS
 * Hugging Face tokenizers; `parsed` is tokenizer.json when the caller read it already.
 * No special tokens are added on encode: the prompt is plain text that continues,
 * and the ids before it come from src/generation/specialTokens.ts.
 */
export function loadTokenizer(files: TextModelFiles, parsed?: Record<string, unknown>): TextTokenizer {
  const json = parsed ?? readJson(files.tokenizer, MODEL_FILE_LIMITS.tokenizer);
  const config = files.tokenizerConfig ? readJson(files.tokenizerConfig) : {};
  let tokenizer: Tokenizers.Tokenizer;
  try {
    tokenizer = new Tokenizer(json, config);
  } catch (err) {
    throw new GenerationError(
      'model-invalid',
      `${files.tokenizer} is not a tokenizer this version understands: ${(err as Error).message}`,
      files.tokenizer,
    );
  }
  const eosToken = config.eos_token as unknown;
  const eosName =
    typeof eosToken === 'string'
      ? eosToken
      : typeof (eosToken as { content?: unknown })?.content === 'string'
        ? (eosToken as { content: string }).content
        : undefined;
  const eosTokenId = eosName !== undefined ? tokenizer.token_to_id(eosName) : undefined;
  return {
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
    // No clean-up of spaces: streamed text must only ever grow at its end.
    decode: (ids) => tokenizer.decode(ids as number[], { skip_special_tokens: true, clean_up_tokenization_spaces: false }),
    eosTokenId,
    vocabularyKey: vocabularyKey(json),
  };
}
