/**
 * Turns generated token ids into streamed text: holds back an incomplete UTF-8
 * character (the tokenizer decodes it as U+FFFD until its last byte arrives)
 * and any tail that could be the start of a stop sequence, and reports when a
 * stop sequence is complete or, near the token limit, a sentence ended. Pure.
 */
import { findSentenceEnd } from './sentenceEnd';

/** Length of the longest suffix of `text` that is a proper prefix of some stop sequence. */
export function pendingStopPrefix(text: string, stops: readonly string[]): number {
  let longest = 0;
  for (const stop of stops) {
    for (let n = Math.min(stop.length - 1, text.length); n > longest; n--) {
      if (text.endsWith(stop.slice(0, n))) {
        longest = n;
        break;
      }
    }
  }
  return longest;
}

/** Index of the earliest stop sequence in `text` at or after `from`, or -1. */
export function findStop(text: string, stops: readonly string[], from = 0): number {
  let best = -1;
  for (const stop of stops) {
    if (!stop) continue;
    const at = text.indexOf(stop, from);
    if (at >= 0 && (best < 0 || at < best)) best = at;
  }
  return best;
}

/** Why the streamer ended the text before the model did. */
export type StreamStop = 'stop-sequence' | 'sentence-end';

/** Accumulates tokens and yields the text that is safe to show. */
export class TextStreamer {
  private readonly ids: number[] = [];
  /** Characters already handed out. */
  private emitted = 0;
  /**
   * Incremental decoding, so each token costs the same however long the text is:
   * `decoded` is the text of ids[0, readOffset), final; the ids from `prefixOffset`
   * on are decoded again with each token, the ones before `readOffset` only as
   * context (a Metaspace decoder strips the first token's space; a byte-level one
   * needs a character's earlier bytes), and their text past the context's is new.
   */
  private decoded = '';
  private prefixOffset = 0;
  private readOffset = 0;
  /** Text of ids[readOffset…] not yet final (an incomplete character). */
  private pendingTail = '';
  private finalText: string | undefined;
  private reason: StreamStop | undefined;
  /** Where the text of the sentence-end window starts, once it has opened. */
  private windowFrom: number | undefined;

  /**
   * @param sentenceWindowStart With this many tokens or more, the text ends at
   *   the next sentence end (see sentenceEnd.ts); undefined: never.
   */
  constructor(
    private readonly decode: (ids: readonly number[]) => string,
    private readonly stops: readonly string[],
    private readonly sentenceWindowStart?: number,
  ) {}

  /** True once a stop sequence or sentence end ended the text. */
  get stopped(): boolean {
    return this.finalText !== undefined;
  }

  /** What ended the text, once something did. */
  get stopReason(): StreamStop | undefined {
    return this.reason;
  }

  /**
   * Adds a token; returns the new text that is safe to show (maybe empty).
   * After a stop sequence or sentence end, `stopped` is true and the text before it is complete.
   */
  push(id: number): string {
    this.ids.push(id);
    const text = this.decodeIncrementally();
    if (this.windowFrom === undefined && this.sentenceWindowStart !== undefined && this.ids.length >= this.sentenceWindowStart) {
      this.windowFrom = this.emitted;
    }
    // A stop sequence may only start in text not yet handed out, or straddle it.
    const longestStop = this.stops.reduce((m, s) => Math.max(m, s.length), 0);
    const stopAt = findStop(text, this.stops, Math.max(0, this.emitted - longestStop + 1));
    const sentenceAt = this.windowFrom === undefined ? -1 : findSentenceEnd(text, Math.max(this.windowFrom, this.emitted));
    if (sentenceAt >= 0 && (stopAt < 0 || sentenceAt <= stopAt)) return this.end(text.slice(0, sentenceAt), 'sentence-end');
    if (stopAt >= 0) return this.end(text.slice(0, stopAt), 'stop-sequence');
    let safe = text.length;
    while (safe > this.emitted && text.charCodeAt(safe - 1) === 0xfffd) safe--;
    safe -= pendingStopPrefix(text.slice(0, safe), this.stops);
    // In the window, trailing whitespace may turn out to be a paragraph end, which is not shown.
    if (this.windowFrom !== undefined) while (safe > this.emitted && /\s/.test(text[safe - 1]!)) safe--;
    return this.take(text.slice(0, Math.max(safe, this.emitted)));
  }

  /**
   * The rest of the text at the end of generation (held-back characters
   * included). `atLimit`: generation ended at its token limit, so text after a
   * sentence end at the very end (held-back whitespace) is dropped.
   */
  finish(atLimit = false): string {
    const text = this.decoded + this.pendingTail;
    if (this.finalText === undefined && atLimit && this.windowFrom !== undefined) {
      const cut = findSentenceEnd(text, Math.max(this.windowFrom, this.emitted), true);
      if (cut >= 0) this.end(text.slice(0, cut), 'sentence-end');
    }
    return this.take(this.finalText ?? text);
  }

  /** The text of all ids so far (an incomplete last character shows as U+FFFD). */
  private decodeIncrementally(): string {
    const context = this.readOffset > this.prefixOffset ? this.decode(this.ids.slice(this.prefixOffset, this.readOffset)) : '';
    const window = this.decode(this.ids.slice(this.prefixOffset));
    const fresh = window.startsWith(context) ? window.slice(context.length) : window.slice(Math.min(context.length, window.length));
    if (fresh.length > 0 && !fresh.endsWith('\ufffd')) {
      this.decoded += fresh;
      this.pendingTail = '';
      this.prefixOffset = this.readOffset;
      this.readOffset = this.ids.length;
    } else {
      this.pendingTail = fresh;
    }
    return this.decoded + this.pendingTail;
  }

  /** The full text handed out so far. */
  get text(): string {
    return this.textSoFar;
  }

  private textSoFar = '';

  private end(finalText: string, reason: StreamStop): string {
    this.finalText = finalText;
    this.reason = reason;
    return this.take(finalText);
  }

  private take(upTo: string): string {
    if (upTo.length <= this.emitted) return '';
    const delta = upTo.slice(this.emitted);
    this.emitted = upTo.length;
    this.textSoFar = upTo;
    return delta;
  }
}
