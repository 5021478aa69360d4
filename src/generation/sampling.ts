/**
 * Choosing the next token from a row of logits. Pure functions over typed
 * arrays; the sampler owns its scratch buffers so a decode loop makes no
 * per-step garbage. Processing order follows the usual transformers pipeline:
 * repetition penalty, temperature, top-k, top-p, min-p, then a draw from a seeded PRNG.
 */
import type { SamplingOptions } from './textRequest';

/** A PRNG returning floats in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a tiny 32-bit PRNG with good statistical quality for sampling.
 * The same seed gives the same sequence on every machine.
 */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Index of the largest value (the first one on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/**
 * Penalises tokens already seen (CTRL-style, as in transformers): positive
 * logits are divided by the penalty, negative ones multiplied. In place.
 */
export function applyRepetitionPenalty(logits: Float32Array, seen: Uint8Array, penalty: number): void {
  if (penalty === 1) return;
  for (let i = 0; i < logits.length; i++) {
    if (seen[i]) {
      const v = logits[i];
      logits[i] = v > 0 ? v / penalty : v * penalty;
    }
  }
}

/** True when the options reduce to taking the argmax: temperature 0 (or a top-k of 1). */
export function isGreedy(options: SamplingOptions): boolean {
  return options.temperature <= 0 || options.topK === 1;
}

/**
 * Picks next tokens for one generation. Holds scratch buffers sized to the
 * vocabulary and the PRNG, so create one per request.
 */
export class TokenSampler {
  private readonly work: Float32Array;
  private readonly order: Int32Array;
  private readonly probs: Float64Array;
  private readonly random: Random;

  constructor(
    readonly vocabSize: number,
    readonly options: SamplingOptions,
  ) {
    this.work = new Float32Array(vocabSize);
    this.order = new Int32Array(vocabSize);
    this.probs = new Float64Array(vocabSize);
    this.random = mulberry32(options.seed);
  }

  /**
   * Chooses a token from `logits` (one row, length >= vocabSize; not modified).
   * `seen` flags tokens already in the context, for the repetition penalty.
   */
  sample(logits: Float32Array, seen: Uint8Array): number {
    const { options, vocabSize } = this;
    const row = logits.length === vocabSize ? logits : logits.subarray(0, vocabSize);
    if (isGreedy(options) && options.repetitionPenalty === 1) return argmax(row);
    const work = this.work;
    work.set(row);
    applyRepetitionPenalty(work, seen, options.repetitionPenalty);
    if (isGreedy(options)) return argmax(work);
    return this.draw(work);
  }

  /** Temperature, top-k, top-p, min-p and a draw, on penalised logits in `work`. */
  private draw(work: Float32Array): number {
    const { topK, topP, temperature } = this.options;
    const minP = this.options.minP ?? 0;
    const n = this.vocabSize;
    const k = topK > 0 && topK < n ? topK : n;
    const invT = 1 / temperature;
    const max = work[argmax(work)];
    // Candidates, sorted by logit, descending: the top k, or for an unlimited k
    // only as many as top-p can need (see selectNucleusCandidates).
    let count: number;
    // Top-p normalises over what top-k left: the k candidates, or the whole vocabulary.
    let fullTotal = 0;
    if (k < n) count = selectTopK(work, k, this.order);
    else if (topP < 1) {
      fullTotal = softmaxNumerators(work, max, invT, this.probs);
      count = selectNucleusCandidates(this.probs, fullTotal, topP, this.order);
    } else return this.drawFromAll(work, max, invT, minP);

    const order = this.order;
    const probs = this.probs;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const p = Math.exp((work[order[i]] - max) * invT);
      probs[i] = p;
      total += p;
    }
    if (fullTotal > 0) total = fullTotal;
    // Nucleus: keep the smallest prefix whose probability reaches topP (at least one token).
    let kept = count;
    if (topP < 1) {
      let cumulative = 0;
      for (let i = 0; i < count; i++) {
        cumulative += probs[i] / total;
        if (cumulative >= topP) {
          kept = i + 1;
          break;
        }
      }
    }
    // Min-p: a token stays when its probability is at least minP times the top one's. Filtering
    // leaves the ratio of two kept tokens' probabilities as it was, so this is the same cut
    // whether it comes before or after top-k and top-p (transformers applies it after them);
    // probs[0] is the top token's numerator, exp(0) = 1.
    while (kept > 1 && probs[kept - 1] < minP * probs[0]) kept--;
    let mass = 0;
    for (let i = 0; i < kept; i++) mass += probs[i];
    let u = this.random() * mass;
    for (let i = 0; i < kept; i++) {
      u -= probs[i];
      if (u < 0) return order[i];
    }
    return order[kept - 1];
  }

  /**
   * A draw from the full softmax (no top-k, no top-p): one pass, no sort. With min-p, tokens whose
   * numerator exp((logit - max) / T) is under minP (the top token's is 1) weigh nothing.
   */
  private drawFromAll(work: Float32Array, max: number, invT: number, minP: number): number {
    const weight = (i: number) => {
      const p = Math.exp((work[i] - max) * invT);
      return p < minP ? 0 : p;
    };
    let total = 0;
    for (let i = 0; i < this.vocabSize; i++) total += weight(i);
    let u = this.random() * total;
    for (let i = 0; i < this.vocabSize; i++) {
      u -= weight(i);
      if (u < 0) return i;
    }
    return argmax(work);
  }
}

/**
 * Writes the indices of the k largest values of `values` into `out[0..k)`,
 * sorted descending (ties: lower index first). A bounded min-heap: O(n log k).
 */
export function selectTopK(values: Float32Array, k: number, out: Int32Array): number {
  const n = values.length;
  k = Math.min(k, n);
  // Heap of indices in out[0..size), the root holds the smallest kept value.
  let size = 0;
  const less = (a: number, b: number) => values[a] < values[b] || (values[a] === values[b] && a > b);
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && less(out[l], out[m])) m = l;
      if (r < size && less(out[r], out[m])) m = r;
      if (m === i) return;
      const t = out[i];
      out[i] = out[m];
      out[m] = t;
      i = m;
    }
  };
  for (let idx = 0; idx < n; idx++) {
    if (size < k) {
      let i = size++;
      out[i] = idx;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!less(out[i], out[parent])) break;
        const t = out[i];
        out[i] = out[parent];
        out[parent] = t;
        i = parent;
      }
    } else if (less(out[0], idx)) {
      out[0] = idx;
      siftDown(0);
    }
  }
  const top = Array.from(out.subarray(0, size));
  top.sort((a, b) => values[b] - values[a] || a - b);
  out.set(top);
  return size;
}

/** Writes exp((logit - max) / T) for every token into `probs`; returns their sum. */
function softmaxNumerators(work: Float32Array, max: number, invT: number, probs: Float64Array): number {
  let total = 0;
  for (let i = 0; i < work.length; i++) {
    const p = Math.exp((work[i] - max) * invT);
    probs[i] = p;
    total += p;
  }
  return total;
}

/**
 * For top-p without top-k: finds a prefix of the tokens, sorted descending,
 * that is guaranteed to contain the nucleus, without sorting the whole
 * vocabulary. Tokens whose probability reaches a threshold are sorted; if
 * their mass already reaches topP, the nucleus lies inside them (it is made of
 * the most likely tokens); otherwise the threshold drops tenfold and we retry.
 */
function selectNucleusCandidates(probs: Float64Array, total: number, topP: number, out: Int32Array): number {
  const n = out.length;
  for (let threshold = 1e-3; ; threshold /= 10) {
    const everything = threshold < 1e-12;
    const cut = threshold * total;
    let count = 0;
    let mass = 0;
    for (let i = 0; i < n; i++) {
      if (everything || probs[i] >= cut) {
        out[count++] = i;
        mass += probs[i];
      }
    }
    if (everything || mass / total >= topP) {
      const chosen = Array.from(out.subarray(0, count));
      chosen.sort((a, b) => probs[b] - probs[a] || a - b);
      out.set(chosen);
      return count;
    }
  }
}

/**
 * transformers' `no_repeat_ngram_size`: a token that would complete an n-gram already in the
 * sequence (prompt included) is banned. Keeps, for every (n-1)-gram seen, the tokens that followed
 * it; a step looks up the sequence's last n-1 tokens. O(n) per token, memory linear in the sequence.
 */
export class NgramBan {
  private readonly ids: number[] = [];
  /** The tokens that followed each (n-1)-gram, keyed by its ids joined with commas. */
  private readonly followers = new Map<string, number[]>();

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
    const list = this.followers.get(key);
    if (!list) this.followers.set(key, [id]);
    else if (!list.includes(id)) list.push(id);
  }

  /** Sets the logits of the tokens banned after the sequence so far to -Infinity, in place. */
  apply(logits: Float32Array): void {
    const start = this.ids.length - this.n + 1;
    if (start < 0) return;
    const banned = this.followers.get(this.key(start));
    if (banned) for (const id of banned) if (id < logits.length) logits[id] = -Infinity;
  }

  private key(start: number): string {
    return this.ids.slice(start, start + this.n - 1).join(',');
  }
}
