/**
 * Turns generated token ids into streamed text: holds back an incomplete UTF-8
 * character (the tokenizer decodes it as U+FFFD until its last byte arrives)
 * and any tail that could be the start of a stop sequence, and reports when a
 * stop sequence is complete. Pure.
 */

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

/** Accumulates tokens and yields the text that is safe to show. */
export class TextStreamer {
  private readonly ids: number[] = [];
  /** Characters already handed out. */
  private emitted = 0;
  private finalText: string | undefined;

  constructor(
    private readonly decode: (ids: readonly number[]) => string,
    private readonly stops: readonly string[],
  ) {}

  /** True once a stop sequence matched. */
  get stopped(): boolean {
    return this.finalText !== undefined;
  }

  /**
   * Adds a token; returns the new text that is safe to show (maybe empty).
   * After a stop sequence matches, `stopped` is true and the text before it is complete.
   */
  push(id: number): string {
    this.ids.push(id);
    const text = this.decode(this.ids);
    // A stop sequence may only start in text not yet handed out, or straddle it.
    const longestStop = this.stops.reduce((m, s) => Math.max(m, s.length), 0);
    const stopAt = findStop(text, this.stops, Math.max(0, this.emitted - longestStop + 1));
    if (stopAt >= 0) {
      this.finalText = text.slice(0, stopAt);
      return this.take(this.finalText);
    }
    let safe = text.length;
    while (safe > this.emitted && text.charCodeAt(safe - 1) === 0xfffd) safe--;
    safe -= pendingStopPrefix(text.slice(0, safe), this.stops);
    return this.take(text.slice(0, Math.max(safe, this.emitted)));
  }

  /** The rest of the text at the end of generation (held-back characters included). */
  finish(): string {
    return this.take(this.finalText ?? this.decode(this.ids));
  }

  /** The full text handed out so far. */
  get text(): string {
    return this.textSoFar;
  }

  private textSoFar = '';

  private take(upTo: string): string {
    if (upTo.length <= this.emitted) return '';
    const delta = upTo.slice(this.emitted);
    this.emitted = upTo.length;
    this.textSoFar = upTo;
    return delta;
  }
}
