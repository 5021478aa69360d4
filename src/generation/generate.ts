/**
 * Text in, text out: tokenizes the prompt (cut from the left to fit the
 * context), runs the decode loop and streams text with stop sequences applied.
 * Shared by the runtime process and the CLI.
 */
import type { StopReason, TextGenerateParams, TextGenerateResult } from '../runtime/protocol';
import { decode } from './decoder';
import type { MakeTensor, SessionLike } from './onnxTypes';
import type { TextModelSpec } from './textModel';
import { TextStreamer } from './textStream';
import type { TextTokenizer } from './tokenizer';

/** A loaded text model: everything generation needs. */
export interface LoadedTextModel {
  dir: string;
  onnxFile: string;
  spec: TextModelSpec;
  tokenizer: TextTokenizer;
  session: SessionLike;
  makeTensor: MakeTensor;
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

/** Encodes a prompt, adding the model's BOS token where it expects one. */
export function encodePrompt(model: Pick<LoadedTextModel, 'spec' | 'tokenizer'>, prompt: string): number[] {
  const ids = model.tokenizer.encode(prompt);
  if (model.spec.bosTokenId !== undefined && ids[0] !== model.spec.bosTokenId) ids.unshift(model.spec.bosTokenId);
  return ids;
}

export interface GenerateHooks {
  /** Receives text as it becomes safe to show. */
  onText?(delta: string, generatedTokens: number): void;
  /** Called after every generated token (after `onText`, when that fired for it). */
  onToken?(generatedTokens: number): void;
  isCancelled?(): boolean;
  yieldBetweenSteps?(): Promise<void>;
}

/** Generates a continuation of `params.prompt` with a loaded model. */
export async function generateText(model: LoadedTextModel, params: Omit<TextGenerateParams, 'model'>, hooks: GenerateHooks = {}, loadMs = 0): Promise<TextGenerateResult> {
  const eos = model.spec.eosTokenIds.length ? model.spec : { ...model.spec, eosTokenIds: model.tokenizer.eosTokenId !== undefined ? [model.tokenizer.eosTokenId] : [] };
  const maxTokens = Math.max(1, Math.floor(params.maxTokens));
  const { ids: promptIds, dropped } = fitPrompt(encodePrompt(model, params.prompt), eos.contextLength, maxTokens);
  const streamer = new TextStreamer(model.tokenizer.decode, params.stop.filter((s) => s.length > 0));
  let count = 0;
  const result = await decode(model.session, model.makeTensor, eos, model.onnxFile, { promptIds, maxTokens, sampling: params.sampling }, {
    onToken(id) {
      count++;
      const delta = streamer.push(id);
      if (delta || count === 1) hooks.onText?.(delta, count);
      hooks.onToken?.(count);
      return streamer.stopped;
    },
    isCancelled: () => hooks.isCancelled?.() ?? false,
    yieldBetweenSteps: hooks.yieldBetweenSteps,
  });
  const rest = streamer.finish();
  if (rest) hooks.onText?.(rest, count);
  const stopReason: StopReason = result.stop;
  const decodedAfterFirst = result.tokens.length - 1;
  return {
    model: model.dir,
    promptTokens: promptIds,
    promptTokensDropped: dropped,
    tokens: result.tokens,
    text: streamer.text,
    stopReason,
    ttftMs: result.ttftMs,
    loadMs,
    tokensPerSecond: decodedAfterFirst > 0 && result.decodeMs > 0 ? (decodedAfterFirst * 1000) / result.decodeMs : 0,
    usedKvCache: result.usedKvCache,
  };
}
