/**
 * What a text generation request is, in the generation layer's own terms, and
 * the one place requests are built from settings: the editor's continuation,
 * its inline ghost text and `inkwell continue` all call {@link buildTextRequest}
 * with settings that default to {@link GENERATION_DEFAULTS}.
 */
import { type GenerationSettings, type ModelSamplingKey } from '../core/generationSettings';
import { stopSequences } from '../core/stopSequences';

/** `prompt-lookup`: drafts on every step that finds some. `auto`: the same, paused while acceptance is low. */
export type SpeculativeMode = 'off' | 'auto' | 'prompt-lookup' | 'draft';

/** How many drafts were proposed and how many the model accepted. */
export interface DraftStats {
  proposed: number;
  accepted: number;
}

export { GENERATION_DEFAULTS, MODEL_SAMPLING_KEYS, type GenerationSettings, type ModelSamplingKey } from '../core/generationSettings';

/**
 * How the next token is chosen. Temperature 0 is greedy decoding (always the
 * most likely token); greedy ignores everything except the repetition penalty
 * and the n-gram ban.
 */
export interface SamplingOptions {
  /** Softmax temperature; 0 means greedy. */
  temperature: number;
  /** Keep only the K most likely tokens; 0 = no limit. */
  topK: number;
  /** Nucleus sampling: keep the smallest set whose probability reaches P; 1 = no limit. */
  topP: number;
  /** Penalty (>= 1) applied to the logits of tokens already in the context; 1 = none. */
  repetitionPenalty: number;
  /** Seed of the sampling PRNG; the same seed, prompt and model give the same tokens. */
  seed: number;
  /**
   * Never repeat an n-gram of this many tokens that is already in the text, prompt included
   * (transformers' `no_repeat_ngram_size`); 0 or absent = off.
   */
  noRepeatNgramSize?: number;
  /**
   * Min-p sampling (transformers' `min_p`): keep only tokens whose probability is at least this
   * fraction of the most likely token's. It cuts the unlikely tail hard where the model is sure
   * (inside a word, where a tail token makes a non-word) and little where it is not. 0 or absent = off.
   */
  minP?: number;
}

/** A text generation request, without the model that serves it. */
export interface TextGenerationParams {
  /** The prompt text; it is cut from the left when it does not fit the context. Must not be blank. */
  prompt: string;
  /** Most tokens to generate. */
  maxTokens: number;
  sampling: SamplingOptions;
  /** Generation stops before any of these strings; they are not part of the result. */
  stop: string[];
  /**
   * End at a sentence boundary near the token limit instead of mid-sentence:
   * once 80% of `maxTokens` are generated, stop at the next sentence end; when
   * the limit is reached, drop what follows a sentence end at the very end.
   * Off unless set.
   */
  endAtSentence?: boolean;
  /**
   * Sampling options that are Inkwell's defaults rather than the user's choice: the model's
   * generation_config.json replaces those it names (see {@link applyModelSampling}). Absent: none.
   */
  defaultedSampling?: readonly ModelSamplingKey[];
  /**
   * Speculative decoding (speculative.ts): drafts by prompt lookup (fewer model steps on text that
   * repeats itself) or by a draft model (`draftModel`); greedy gives the same tokens, sampling
   * tokens of the same distribution (other tokens for the same seed). Absent: off.
   */
  speculative?: SpeculativeMode;
}

/** A model's own sampling defaults, from generation_config.json. */
export type ModelSamplingDefaults = Partial<Pick<SamplingOptions, ModelSamplingKey>>;

/**
 * The sampling defaults of a parsed generation_config.json: `temperature`, `top_p`, `min_p`,
 * `repetition_penalty` and `no_repeat_ngram_size`, each only when it is a number Inkwell's sampler
 * takes (temperature 0–100, top_p in (0, 1], min_p in [0, 1], repetition_penalty 1–100,
 * no_repeat_ngram_size a whole number 0–100). `do_sample` is not followed: Inkwell samples unless
 * the user asks for greedy decoding.
 */
export function modelSamplingDefaults(generationConfig: Record<string, unknown> | undefined): ModelSamplingDefaults {
  const out: ModelSamplingDefaults = {};
  if (!generationConfig) return out;
  const value = (key: string, ok: (v: number) => boolean): number | undefined => {
    const v = generationConfig[key];
    return typeof v === 'number' && Number.isFinite(v) && ok(v) ? v : undefined;
  };
  const temperature = value('temperature', (v) => v >= 0 && v <= 100);
  const topP = value('top_p', (v) => v > 0 && v <= 1);
  const minP = value('min_p', (v) => v >= 0 && v <= 1);
  const repetitionPenalty = value('repetition_penalty', (v) => v >= 1 && v <= 100);
  const noRepeatNgramSize = value('no_repeat_ngram_size', (v) => Number.isInteger(v) && v >= 0 && v <= 100);
  if (temperature !== undefined) out.temperature = temperature;
  if (topP !== undefined) out.topP = topP;
  if (minP !== undefined) out.minP = minP;
  if (repetitionPenalty !== undefined) out.repetitionPenalty = repetitionPenalty;
  if (noRepeatNgramSize !== undefined) out.noRepeatNgramSize = noRepeatNgramSize;
  return out;
}

/**
 * The request's sampling with the model's defaults in place of the options the user did not set
 * (`params.defaultedSampling`). Options the user set, in settings, flags or command arguments, stay.
 */
export function applyModelSampling(
  params: Pick<TextGenerationParams, 'sampling' | 'defaultedSampling'>,
  defaults: ModelSamplingDefaults,
): SamplingOptions {
  const sampling = { ...params.sampling };
  for (const key of params.defaultedSampling ?? []) {
    const v = defaults[key];
    if (v !== undefined) sampling[key] = v;
  }
  return sampling;
}

/** Why a generation ended. A cancelled generation does not end: it fails with a `cancelled` error. */
export type StopReason =
  /** The model produced an end-of-text token. */
  | 'eos'
  /** A stop sequence matched. */
  | 'stop-sequence'
  /** `endAtSentence`: a sentence ended near the token limit. */
  | 'sentence-end'
  /** `maxTokens` were generated. */
  | 'max-tokens'
  /** The prompt and the generated tokens fill the model's context. */
  | 'context-full';

/** One streamed piece of text. */
export interface TextGenerationChunk {
  /** Text to append to what was streamed so far (may be empty while bytes of a character are pending). */
  text: string;
  /** Number of tokens generated so far. */
  generatedTokens: number;
}

/** What a finished generation returns. */
export interface TextGenerationResult {
  /** The model folder that ran. */
  model: string;
  /** Token ids of the prompt actually fed to the model (after left truncation). */
  promptTokens: number[];
  /** Prompt tokens dropped from the left to fit the context. */
  promptTokensDropped: number;
  /** Generated token ids (a trailing EOS is not included; the text may end before the last ones when a stop sequence or sentence end cut it). */
  tokens: number[];
  /** The generated text, stop sequence excluded; equals the concatenation of the streamed chunks. */
  text: string;
  stopReason: StopReason;
  /** Milliseconds from the start of the request (model already loaded) to the first generated token. */
  ttftMs: number;
  /** Milliseconds spent loading the model in this request (0 when cached). */
  loadMs: number;
  /** Decode speed: tokens after the first divided by the time they took. */
  tokensPerSecond: number;
  /** Whether the model reused its KV cache between steps. */
  usedKvCache: boolean;
  /** Drafts proposed and accepted, when speculative decoding ran. */
  draft?: DraftStats;
  /** A chat's cuttable text (a quoted post): characters cut from its end to fit the model's context. */
  promptCharsCut?: number;
}

/** What one caller changes for one request (command arguments, the ghost text's limits). */
export interface TextRequestOverrides {
  maxTokens?: number;
  /** Replaces the settings' sampling options it names; temperature 0 makes the request greedy. */
  sampling?: Partial<SamplingOptions>;
  /** Stop sequences (plain text, no escapes) instead of the settings' ones. */
  stop?: readonly string[];
  /** Stop sequences added to the others. */
  extraStop?: readonly string[];
}

/** A seed for a request whose settings name none. */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

/** What a chat request takes of a text request: no prompt, no stop sequences, no sentence ending (a chat ends at the end of its turn). */
export type ChatRequestParams = Omit<TextGenerationParams, 'prompt' | 'stop' | 'endAtSentence'>;

/** The token limit and sampling of a request, from settings and one caller's overrides: what chats and continuations share. */
export function buildChatParams(
  settings: GenerationSettings,
  overrides: Omit<TextRequestOverrides, 'stop' | 'extraStop'> = {},
): ChatRequestParams {
  const given = overrides.sampling ?? {};
  const pick = <K extends keyof SamplingOptions>(key: K, fallback: SamplingOptions[K]): SamplingOptions[K] => given[key] ?? fallback;
  return {
    maxTokens: overrides.maxTokens ?? settings.maxTokens,
    sampling: {
      temperature: pick('temperature', settings.temperature),
      topK: pick('topK', settings.topK),
      topP: pick('topP', settings.topP),
      minP: pick('minP', settings.minP),
      repetitionPenalty: pick('repetitionPenalty', settings.repetitionPenalty),
      seed: pick('seed', settings.seed ?? freshSeed()),
      noRepeatNgramSize: pick('noRepeatNgramSize', settings.noRepeatNgramSize),
    },
    // An override (a command argument) is a choice too.
    ...(settings.notSet ? { defaultedSampling: settings.notSet.filter((key) => given[key] === undefined) } : {}),
  };
}

/**
 * Builds a text generation request from settings and one caller's overrides.
 * Requests built here end at a sentence boundary near the token limit.
 */
export function buildTextRequest(prompt: string, settings: GenerationSettings, overrides: TextRequestOverrides = {}): TextGenerationParams {
  return {
    prompt,
    ...buildChatParams(settings, overrides),
    stop: [...(overrides.stop ?? stopSequences(settings.stop)), ...(overrides.extraStop ?? [])],
    endAtSentence: true,
  };
}
