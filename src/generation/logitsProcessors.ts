/**
 * Logits processors: the stages that change a row of next-token logits before the sampler's
 * warpers and draw (sampling.ts), as transformers.js's `LogitsProcessorList` runs them. Each
 * follows the sequence it works on (`push` a token, `rollback` the last k), so that a decode that
 * takes tokens back (a speculative draft rejected) leaves every processor as if they had never
 * been there. A new constraint (a stop, an allowed vocabulary) is one more processor in the list
 * the decode loop is given.
 */
import { applyRepetitionPenalty } from './sampling';
import type { SamplingOptions } from './textRequest';

export interface LogitsProcessor {
  /** Changes the next token's logits (one vocabulary-sized row) in place. */
  process(logits: Float32Array): void;
  /** A token joined the sequence. */
  push?(id: number): void;
  /** The last `k` tokens left the sequence. */
  rollback?(k: number): void;
  /**
   * Whether `id`'s logit is -Infinity after this processor at the next position, whatever the
   * model's logits, given which ids were -Infinity before it (`before`: what the earlier processors
   * forbid). A processor without this method may do anything, so nothing is known after it.
   */
  forbidden?(id: number, before: (id: number) => boolean): boolean;
}

/** Processors run in order; an empty list costs nothing. */
export class LogitsProcessorList implements LogitsProcessor {
  constructor(readonly processors: LogitsProcessor[] = []) {}

  get length(): number {
    return this.processors.length;
  }

  process(logits: Float32Array): void {
    for (const p of this.processors) p.process(logits);
  }

  push(id: number): void {
    for (const p of this.processors) p.push?.(id);
  }

  rollback(k: number): void {
    for (const p of this.processors) p.rollback?.(k);
  }

  /**
   * Whether every row the processors see next sets `id` to -Infinity, whatever the model says: a
   * draft of `id` could never be kept. False when any processor cannot tell.
   */
  forbids(id: number): boolean {
    let before: (id: number) => boolean = () => false;
    for (const p of this.processors) {
      if (!p.forbidden) return false;
      const earlier = before;
      before = (x) => p.forbidden!(x, earlier);
    }
    return before(id);
  }
}

/**
 * The repetition penalty (CTRL-style, as in transformers): the logits of tokens already in the
 * sequence, prompt included, are divided by the penalty when positive and multiplied when negative.
 */
export class RepetitionPenaltyProcessor implements LogitsProcessor {
  /** How often each token occurs in the sequence. */
  private readonly counts: Uint32Array;
  private readonly ids: number[] = [];

  constructor(
    vocabSize: number,
    private readonly penalty: number,
    prompt: readonly number[],
  ) {
    this.counts = new Uint32Array(vocabSize);
    for (const id of prompt) this.push(id);
  }

  process(logits: Float32Array): void {
    applyRepetitionPenalty(
      logits.length === this.counts.length ? logits : logits.subarray(0, this.counts.length),
      this.counts,
      this.penalty,
    );
  }

  push(id: number): void {
    this.ids.push(id);
    if (id < this.counts.length) this.counts[id]++;
  }

  /** Scales logits: forbids nothing, and a -Infinity stays one. */
  forbidden(id: number, before: (id: number) => boolean): boolean {
    return before(id);
  }

  rollback(k: number): void {
    for (let i = 0; i < k && this.ids.length; i++) {
      const id = this.ids.pop() as number;
      if (id < this.counts.length) this.counts[id]--;
    }
  }
}

/**
 * transformers' `no_repeat_ngram_size`: a token that would complete an n-gram already in the
 * sequence (prompt included) is banned. Keeps, for every (n-1)-gram seen, the tokens that followed
 * it and how often; a step looks up the sequence's last n-1 tokens. O(n) per token, memory linear
 * in the sequence.
 */
export class NgramBan implements LogitsProcessor {
  private readonly ids: number[] = [];
  /** The tokens that followed each (n-1)-gram (keyed by its ids joined with commas), with their counts. */
  private readonly followers = new Map<string, Map<number, number>>();

  constructor(
    private readonly n: number,
    prompt: readonly number[],
  ) {
    for (const id of prompt) this.push(id);
  }

  /** Appends a token to the sequence. */
  push(id: number): void {
    this.ids.push(id);
    const start = this.ids.length - this.n;
    if (start < 0) return;
    const key = this.key(start);
    let followers = this.followers.get(key);
    if (!followers) this.followers.set(key, (followers = new Map()));
    followers.set(id, (followers.get(id) ?? 0) + 1);
  }

  rollback(k: number): void {
    for (let i = 0; i < k && this.ids.length; i++) {
      const start = this.ids.length - this.n;
      const id = this.ids[this.ids.length - 1];
      if (start >= 0) {
        const key = this.key(start);
        const followers = this.followers.get(key);
        const count = followers?.get(id) ?? 0;
        if (count > 1) followers?.set(id, count - 1);
        else followers?.delete(id);
        if (followers && followers.size === 0) this.followers.delete(key);
      }
      this.ids.pop();
    }
  }

  /** Sets the logits of the tokens banned after the sequence so far to -Infinity, in place. */
  process(logits: Float32Array): void {
    const banned = this.bannedNext();
    if (banned) for (const id of banned.keys()) if (id < logits.length) logits[id] = -Infinity;
  }

  forbidden(id: number, before: (id: number) => boolean): boolean {
    return before(id) || (this.bannedNext()?.has(id) ?? false);
  }

  /** The tokens banned after the sequence so far (those that followed its last n-1 tokens before), keyed by id. */
  private bannedNext(): Map<number, number> | undefined {
    const start = this.ids.length - this.n + 1;
    return start < 0 ? undefined : this.followers.get(this.key(start));
  }

  /** The same as {@link process}. */
  apply(logits: Float32Array): void {
    this.process(logits);
  }

  private key(start: number): string {
    return this.ids.slice(start, start + this.n - 1).join(',');
  }
}

/** The processors a request's sampling options ask for: the repetition penalty, then the n-gram ban. */
export function processorsFor(vocabSize: number, sampling: SamplingOptions, promptIds: readonly number[]): LogitsProcessor[] {
  const processors: LogitsProcessor[] = [];
  if (sampling.repetitionPenalty !== 1) processors.push(new RepetitionPenaltyProcessor(vocabSize, sampling.repetitionPenalty, promptIds));
  const n = sampling.noRepeatNgramSize ?? 0;
  if (n > 0) processors.push(new NgramBan(n, promptIds));
  return processors;
}
