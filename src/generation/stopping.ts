/**
 * Stopping criteria and the streamer: the pieces of a decode that decide when it ends and who
 * hears about each token, separate from the loop (decoder.ts) so that a caller adds its own (a
 * chat turn's end, a verifier's budget) without touching the loop.
 */
import type { StopReason } from './textRequest';

/** Where the decode stands after a token joined the sequence. */
export interface DecodeStatus {
  /** Tokens generated so far, this one included. */
  generated: number;
  /** The sequence fills the model's context: no further token fits. */
  sequenceFull: boolean;
}

export interface StoppingCriterion {
  /** Sees the sampled token before it joins the sequence: a reason ends generation without it (an end-of-text token, a token a chat turn ends on). */
  rejects?(id: number): StopReason | undefined;
  /** Sees each token after it joined the sequence: a reason ends generation with it. */
  stopsAfter?(id: number, status: DecodeStatus): StopReason | undefined;
}

/** Receives every generated token, after it joined the sequence and before the criteria that follow it are asked. */
export interface TokenStreamer {
  put(id: number, generated: number): void;
}

/** Ends at an end-of-text token, which is left out. */
export function eosCriterion(eosTokenIds: readonly number[]): StoppingCriterion {
  const eos = new Set(eosTokenIds);
  return { rejects: (id) => (eos.has(id) ? 'eos' : undefined) };
}

/** Ends once `maxTokens` tokens were generated. */
export function maxTokensCriterion(maxTokens: number): StoppingCriterion {
  return { stopsAfter: (_id, status) => (status.generated >= maxTokens ? 'max-tokens' : undefined) };
}

/** Ends when the context is full. */
export const contextFullCriterion: StoppingCriterion = {
  stopsAfter: (_id, status) => (status.sequenceFull ? 'context-full' : undefined),
};

/**
 * Ends when a text-level stop fired: a stop sequence or a sentence end, as a text streamer
 * (textStream.ts) finds them in the decoded text.
 */
export function textStopCriterion(stream: { readonly stopReason: StopReason | undefined }): StoppingCriterion {
  return { stopsAfter: () => stream.stopReason };
}
