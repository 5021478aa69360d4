/**
 * Text in, text out: tokenizes the prompt (cut from the left to fit the
 * context), runs the decode loop and streams text with stop sequences (and,
 * when asked, sentence ends) applied; or, for a chat model, renders a conversation
 * with its chat template and answers until the end of its turn. Shared by the
 * runtime process and the CLI.
 */
import type { ChatMessage, ChatSetup } from './chatTemplate';
import { buildChoiceGrammar, ChoiceConstraint, parseChoices, type ChoiceOptions } from './choiceConstraint';
import { decode } from './decoder';
import { checkDraftModel, DraftModelSource, type DraftModel } from './draftModel';
import { fitConversation, type CuttableText } from './fitConversation';
import { GenerationError } from './generationError';
import type { Dtype } from './layout';
import type { LogitsProcessor } from './logitsProcessors';
import type { MakeTensor, SessionLike } from './onnxTypes';
import { sentenceWindowStart } from './sentenceEnd';
import type { SpeculativeMode, SpeculativeOptions } from './speculative';
import { withPrefix } from './specialTokens';
import { eosCriterion, textStopCriterion, type StoppingCriterion } from './stopping';
import { applyModelSampling, type ModelSamplingDefaults, type TextGenerationParams, type TextGenerationResult } from './textRequest';
import type { TextModelSpec } from './textModel';
import { TextStreamer } from './textStream';
import type { TextTokenizer } from './tokenizer';

/** A loaded text model: everything generation needs. */
export interface LoadedTextModel {
  dir: string;
  /** The decoder graph of the prompt step (of every step, without `withPast`). */
  onnxFile: string;
  spec: TextModelSpec;
  tokenizer: TextTokenizer;
  session: SessionLike;
  makeTensor: MakeTensor;
  /** A split export's decoder-with-past graph, which runs every step after the prompt. */
  withPast?: { session: SessionLike; file: string };
  /** generation_config.json's sampling defaults, for the options the user did not set. */
  samplingDefaults?: ModelSamplingDefaults;
  /** The variant loaded (layout.ts), where the loader knows it. */
  dtype?: Dtype;
}

/**
 * 8-bit exports quantize activations on the fly (DynamicQuantizeLinear), with one scale for every
 * position of a step, so a step over several positions gives slightly different logits than steps
 * of one: verified drafts would not be exactly what plain decoding gives. They decode plainly.
 */
const BATCH_DEPENDENT_DTYPES: ReadonlySet<Dtype> = new Set(['q8', 'int8', 'uint8']);

/**
 * The speculative options a request's mode asks for, where they keep the output exact. A draft
 * model must share the model's tokenizer, and mode `draft` needs one (`bad-request` otherwise).
 */
function speculativeOptions(model: LoadedTextModel, mode: SpeculativeMode | undefined, draft?: DraftModel): SpeculativeOptions | undefined {
  if (mode === 'draft' && !draft) {
    throw new GenerationError(
      'bad-request',
      'Speculative decoding with a draft model needs one: a smaller model of the same family (--draft-model DIR).',
    );
  }
  if (!mode || mode === 'off' || (model.dtype && BATCH_DEPENDENT_DTYPES.has(model.dtype))) return undefined;
  if (!draft || mode === 'prompt-lookup') return { mode };
  checkDraftModel(draft, model);
  return { mode, draftModel: (ids) => new DraftModelSource(draft, ids) };
}

/**
 * The prompt ids that fit: at most `contextLength - maxTokens` tokens (but never
 * less than half the context), keeping the end of the prompt, which is what the
 * continuation follows.
 */
export function fitPrompt(ids: readonly number[], contextLength: number, maxTokens: number): { ids: number[]; dropped: number } {
  const budget = Math.max(Math.floor(contextLength / 2), contextLength - maxTokens, 1);
  if (ids.length <= budget) return { ids: ids.slice(), dropped: 0 };
  return { ids: ids.slice(ids.length - budget), dropped: ids.length - budget };
}

/** Encodes a prompt: the ids the tokenizer puts first (`spec.prefixIds`, see specialTokens.ts), then the text's. */
export function encodePrompt(model: Pick<LoadedTextModel, 'spec' | 'tokenizer'>, prompt: string): number[] {
  return withPrefix(model.spec.prefixIds, model.tokenizer.encode(prompt));
}

export interface GenerateHooks {
  /** Receives text as it becomes safe to show. */
  onText?(delta: string, generatedTokens: number): void;
  /** Called after every generated token (after `onText`, when that fired for it). */
  onToken?(generatedTokens: number): void;
  /** Aborting it ends generation with a `cancelled` GenerationError; what `onText` got stays the caller's. */
  signal?: AbortSignal;
  yieldBetweenSteps?(): Promise<void>;
  /** The model that drafts for `speculative` `draft` or `auto` (a smaller one with the same tokenizer). */
  draft?: LoadedTextModel;
}

/**
 * Generates a continuation of `params.prompt` with a loaded model. The one
 * place a blank prompt is refused (a `bad-request` GenerationError).
 */
export async function generateText(
  model: LoadedTextModel,
  params: TextGenerationParams,
  hooks: GenerateHooks = {},
  loadMs = 0,
): Promise<TextGenerationResult> {
  if (!params.prompt.trim())
    throw new GenerationError('bad-request', 'The prompt is empty: there is nothing to continue. Write a title or a first sentence.');
  const maxTokens = Math.max(1, Math.floor(params.maxTokens));
  const { ids, dropped } = fitPrompt(encodePrompt(model, params.prompt), model.spec.contextLength, maxTokens);
  return generateFromIds(model, { ...params, maxTokens }, { ids, dropped }, hooks, loadMs);
}

/**
 * A chat request: a conversation instead of a prompt; it ends at the end of the model's turn, not at
 * stop sequences. With `choices`, the answer can only be some of `choices.allowed` joined by
 * `choices.separator` (choiceConstraint.ts), and the token limit is at most what the longest such
 * list takes.
 */
export type ChatGenerationParams = Omit<TextGenerationParams, 'prompt' | 'stop' | 'endAtSentence'> & {
  messages: readonly ChatMessage[];
  choices?: ChoiceOptions;
  /** Text that may be cut from its end (a quoted post) when the conversation does not fit the context. */
  cuttable?: CuttableText;
};

/** A chat's answer; with `choices` asked for, the ones the model wrote, in its order. */
export type ChatGenerationResult = TextGenerationResult & { choices?: string[] };

/** Tokens a chat keeps free for its answer when it cuts the cuttable text: the token limit, at most a quarter of the context. */
function answerRoom(contextLength: number, maxTokens: number): number {
  return Math.max(1, Math.min(Math.floor(maxTokens), Math.floor(contextLength / 4)));
}

/**
 * Answers a conversation with a loaded chat model: the template's prompt ids, then the decode
 * until an end-of-turn id (left out of the result) or the token limit. Only the text marked
 * `cuttable` is ever cut, from its end, to leave room for the answer (fitConversation.ts); the
 * rest (the system message, the template's header) stays whole, and a conversation that still
 * leaves no room to answer is a `bad-request` GenerationError.
 */
export async function generateChat(
  model: LoadedTextModel,
  chat: ChatSetup,
  params: ChatGenerationParams,
  hooks: GenerateHooks = {},
  loadMs = 0,
): Promise<ChatGenerationResult> {
  const { contextLength } = model.spec;
  const grammar = params.choices && buildChoiceGrammar(model.tokenizer, params.choices, chat.endOfTurnIds);
  const maxTokens = Math.max(1, Math.floor(Math.min(params.maxTokens, grammar?.maxTokens ?? Infinity)));
  // A choice list is short and must end whole: room for all of it; free text gets its share.
  const room = grammar ? Math.min(maxTokens, contextLength - 1) : answerRoom(contextLength, maxTokens);
  const budget = params.cuttable ? contextLength - room : contextLength - 1;
  const { ids, cutChars } = fitConversation(chat, model.tokenizer, params.messages, budget, params.cuttable);
  if (ids.length >= contextLength) {
    throw new GenerationError(
      'bad-request',
      `The conversation is ${ids.length} tokens${cutChars ? ' even with the post cut' : ''}; ${model.dir} takes ${contextLength} in all, so no room is left for an answer. Shorten the conversation.`,
    );
  }
  const request = { ...params, prompt: '', stop: [], endAtSentence: false, maxTokens };
  const processors = grammar ? [new ChoiceConstraint(grammar)] : [];
  const decoded = await generateFromIds(model, request, { ids, dropped: 0 }, hooks, loadMs, [eosCriterion(chat.endOfTurnIds)], processors);
  const result = cutChars ? { ...decoded, promptCharsCut: cutChars } : decoded;
  if (!grammar) return result;
  return { ...result, choices: parseChoices(result.text, grammar, result.stopReason === 'eos') };
}

/** The decode shared by continuations and chats: `prompt` ids in, streamed text with stop sequences applied out. */
async function generateFromIds(
  model: LoadedTextModel,
  params: TextGenerationParams,
  prompt: { ids: number[]; dropped: number },
  hooks: GenerateHooks,
  loadMs: number,
  criteria: StoppingCriterion[] = [],
  processors: LogitsProcessor[] = [],
): Promise<TextGenerationResult> {
  const { spec } = model;
  const { maxTokens } = params;
  const stops = params.stop.filter((s) => s.length > 0);
  const streamer = new TextStreamer(model.tokenizer.decode, stops, params.endAtSentence ? sentenceWindowStart(maxTokens) : undefined);
  let count = 0;
  const decoded = await decode(
    { session: model.session, makeTensor: model.makeTensor, spec, file: model.onnxFile, withPast: model.withPast },
    {
      promptIds: prompt.ids,
      maxTokens,
      sampling: applyModelSampling(params, model.samplingDefaults ?? {}),
      speculative: speculativeOptions(model, params.speculative, hooks.draft && draftOf(hooks.draft)),
    },
    {
      streamer: {
        put(id) {
          count++;
          const delta = streamer.push(id);
          if (delta || count === 1) hooks.onText?.(delta, count);
          hooks.onToken?.(count);
        },
      },
      processors,
      // Stop sequences and sentence ends are found in the streamed text.
      criteria: [...criteria, textStopCriterion(streamer)],
      signal: hooks.signal,
      yieldBetweenSteps: hooks.yieldBetweenSteps,
    },
  );
  const rest = streamer.finish(decoded.stop === 'max-tokens');
  if (rest) hooks.onText?.(rest, count);
  const decodedAfterFirst = decoded.tokens.length - 1;
  return {
    model: model.dir,
    promptTokens: prompt.ids,
    promptTokensDropped: prompt.dropped,
    tokens: decoded.tokens,
    text: streamer.text,
    stopReason: streamer.stopReason ?? decoded.stop,
    ttftMs: decoded.ttftMs,
    loadMs,
    tokensPerSecond: decodedAfterFirst > 0 && decoded.decodeMs > 0 ? (decodedAfterFirst * 1000) / decoded.decodeMs : 0,
    usedKvCache: decoded.usedKvCache,
    ...(decoded.draft ? { draft: decoded.draft } : {}),
  };
}

/** A loaded model as a draft model. */
function draftOf(model: LoadedTextModel): DraftModel {
  return {
    session: model.session,
    makeTensor: model.makeTensor,
    spec: model.spec,
    file: model.onnxFile,
    withPast: model.withPast,
    tokenizer: model.tokenizer,
    dir: model.dir,
  };
}
