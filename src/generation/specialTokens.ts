/**
 * Which special tokens go before a prompt and which tokens end a generation, decided the way
 * transformers.js decides them, from the tokenizer and generation files, never from the model type.
 * Pure: takes the parsed JSON files.
 *
 * - Before the prompt: what tokenizer.json's post-processor puts before the text (TemplateProcessing's
 *   special tokens before `$A`, BertProcessing / RobertaProcessing's `cls`, each processor of a
 *   Sequence). That is what transformers.js gets from `tokenizer(prompt)` (tokenization_utils.js
 *   `_encode_plus` -> @huggingface/tokenizers `encode` with add_special_tokens). Only when the
 *   post-processor adds nothing of its own (none, or ByteLevel) does tokenizer_config.json's
 *   `add_bos_token: true` put `bos_token` first, as Python's LlamaTokenizer does for files without a
 *   template; transformers.js adds nothing there.
 * - After the prompt: nothing. Tokens a template would append (an EOS, a SEP) are reported in
 *   `droppedSuffixIds` and not added: a continuation follows the text, not an ended sequence.
 * - End of generation: generation_config.json's `eos_token_id` (a number or a list) when it has the
 *   key, else config.json's (its `text_config`'s, for configs that nest one), as transformers.js's
 *   `_prepare_generation_config` (modeling_utils.js) merges them. When neither names one, the
 *   tokenizer's `eos_token`, so that a model still stops (transformers.js would not).
 */

type Json = Record<string, unknown>;

export interface SpecialTokenInput {
  /** Parsed tokenizer.json. */
  tokenizer: Json;
  /** Parsed tokenizer_config.json, if the folder has one. */
  tokenizerConfig?: Json;
  /** Parsed config.json. */
  config?: Json;
  /** Parsed generation_config.json, if the folder has one. */
  generationConfig?: Json;
}

export interface SpecialTokens {
  /** Ids put before the prompt's own tokens (BOS for Llama, Gemma, TinyLlama; none for GPT-2, Qwen2, SmolLM2). */
  prefixIds: number[];
  /** Ids the tokenizer's template would put after the text; Inkwell never appends them to a prompt. */
  droppedSuffixIds: number[];
  /** Generating any of these ends the continuation. */
  eosTokenIds: number[];
  /** Where each decision came from, for Check Model and logs. */
  source: {
    prefix: 'post_processor' | 'tokenizer_config' | 'none';
    eos: 'generation_config.json' | 'config.json' | 'tokenizer_config.json' | 'none';
  };
  /** Disagreements between the files, worth a line in the log (the decision above stands). */
  notes: string[];
}

/** The content of a special-token entry of tokenizer_config.json: a string or an AddedToken object. */
export function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string')
    return (value as { content: string }).content;
  return undefined;
}

/** The id of `token` in tokenizer.json: its added tokens first, then the model's vocabulary. */
export function tokenId(tokenizer: Json, token: string): number | undefined {
  const addedTokens = Array.isArray(tokenizer.added_tokens) ? (tokenizer.added_tokens as Json[]) : [];
  for (const t of addedTokens) {
    if (t && t.content === token && typeof t.id === 'number') return t.id;
  }
  const model = tokenizer.model as Json | undefined;
  const vocab = model?.vocab;
  if (Array.isArray(vocab)) {
    // Unigram: [[piece, score], …], the id is the index.
    const i = vocab.findIndex((entry) => Array.isArray(entry) && entry[0] === token);
    return i >= 0 ? i : undefined;
  }
  if (vocab && typeof vocab === 'object') {
    const id = (vocab as Record<string, unknown>)[token];
    return typeof id === 'number' ? id : undefined;
  }
  return undefined;
}

function idList(value: unknown): number[] | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return [value];
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === 'number' && Number.isInteger(v));
  return undefined;
}

interface Affixes {
  prefix: number[];
  suffix: number[];
  /** The processor adds special tokens of its own (even none): it, not tokenizer_config.json, decides. */
  decides: boolean;
}

/** The ids a post-processor puts around a single sequence. */
function postProcessorAffixes(processor: unknown): Affixes {
  const none: Affixes = { prefix: [], suffix: [], decides: false };
  if (!processor || typeof processor !== 'object') return none;
  const p = processor as Json;
  switch (p.type) {
    case 'Sequence': {
      const parts = (Array.isArray(p.processors) ? p.processors : []).map(postProcessorAffixes);
      return { prefix: parts.flatMap((x) => x.prefix), suffix: parts.flatMap((x) => x.suffix), decides: parts.some((x) => x.decides) };
    }
    case 'TemplateProcessing': {
      const single = Array.isArray(p.single) ? (p.single as Json[]) : [];
      const specials = (p.special_tokens ?? {}) as Record<string, { ids?: unknown }>;
      const prefix: number[] = [];
      const suffix: number[] = [];
      let seenSequence = false;
      for (const piece of single) {
        if (piece.Sequence) {
          seenSequence = true;
          continue;
        }
        const special = piece.SpecialToken as { id?: unknown } | undefined;
        if (!special || typeof special.id !== 'string') continue;
        const ids = idList(specials[special.id]?.ids) ?? [];
        (seenSequence ? suffix : prefix).push(...ids);
      }
      return { prefix, suffix, decides: true };
    }
    case 'BertProcessing':
    case 'RobertaProcessing': {
      const id = (pair: unknown) => (Array.isArray(pair) && typeof pair[1] === 'number' ? [pair[1]] : []);
      return { prefix: id(p.cls), suffix: id(p.sep), decides: true };
    }
    default:
      // ByteLevel (GPT-2, Qwen2, SmolLM2) only fixes offsets: no special tokens.
      return none;
  }
}

/** The EOS ids a generation stops on, and which file named them. */
function endOfText(input: SpecialTokenInput): { ids: number[]; source: SpecialTokens['source']['eos'] } {
  const gen = input.generationConfig;
  if (gen && 'eos_token_id' in gen) {
    const ids = idList(gen.eos_token_id) ?? [];
    if (ids.length) return { ids, source: 'generation_config.json' };
  }
  const config = input.config ?? {};
  // transformers.js's _prepare_generation_config lets a nested text_config (or decoder) override the top level.
  const nested = [config.text_config, config.decoder].find((c): c is Json => !!c && typeof c === 'object' && 'eos_token_id' in c);
  const fromConfig = idList(nested ? nested.eos_token_id : config.eos_token_id) ?? [];
  if (fromConfig.length) return { ids: fromConfig, source: 'config.json' };
  const eosName = tokenContent(input.tokenizerConfig?.eos_token);
  const id = eosName !== undefined ? tokenId(input.tokenizer, eosName) : undefined;
  if (id !== undefined) return { ids: [id], source: 'tokenizer_config.json' };
  return { ids: [], source: 'none' };
}

/** Decides the prompt's leading special tokens and the end-of-text ids; see the module comment. */
export function specialTokens(input: SpecialTokenInput): SpecialTokens {
  const notes: string[] = [];
  const tc = input.tokenizerConfig ?? {};
  const affixes = postProcessorAffixes(input.tokenizer.post_processor);
  let prefixIds = affixes.prefix;
  let droppedSuffixIds = affixes.suffix;
  let prefixSource: SpecialTokens['source']['prefix'] = prefixIds.length ? 'post_processor' : 'none';
  const bosName = tokenContent(tc.bos_token);
  const bosId = bosName !== undefined ? tokenId(input.tokenizer, bosName) : undefined;
  if (affixes.decides) {
    if (tc.add_bos_token === false && bosId !== undefined && prefixIds.includes(bosId)) {
      notes.push(
        `tokenizer_config.json says add_bos_token: false, but tokenizer.json's post-processor puts ${bosName} first; following the post-processor, as transformers.js does.`,
      );
    }
    if (tc.add_bos_token === true && bosId !== undefined && !prefixIds.includes(bosId)) {
      notes.push(
        `tokenizer_config.json says add_bos_token: true, but tokenizer.json's post-processor does not put ${bosName} first; following the post-processor, as transformers.js does.`,
      );
    }
  } else {
    if (tc.add_bos_token === true && bosId !== undefined) {
      prefixIds = [bosId];
      prefixSource = 'tokenizer_config';
      notes.push(
        `tokenizer.json has no template; ${bosName} goes first because tokenizer_config.json says add_bos_token: true (transformers.js would add none).`,
      );
    }
    const eosName = tokenContent(tc.eos_token);
    const eosId = eosName !== undefined ? tokenId(input.tokenizer, eosName) : undefined;
    if (tc.add_eos_token === true && eosId !== undefined) droppedSuffixIds = [eosId];
  }
  if (droppedSuffixIds.length) {
    notes.push(`The tokenizer would end every text with token(s) ${droppedSuffixIds.join(', ')}; a prompt to continue gets none.`);
  }
  const eos = endOfText(input);
  return { prefixIds, droppedSuffixIds, eosTokenIds: eos.ids, source: { prefix: prefixSource, eos: eos.source }, notes };
}

/**
 * The prompt's ids: `prefixIds`, then the text's ids encoded without special tokens. A text that
 * already starts with the prefix (a user who typed `<s>`) does not get it twice.
 */
export function withPrefix(prefixIds: readonly number[], textIds: readonly number[]): number[] {
  const starts = prefixIds.length > 0 && prefixIds.every((id, i) => textIds[i] === id);
  return starts ? textIds.slice() : [...prefixIds, ...textIds];
}
