/**
 * Choosing the next token from a row of processed logits. The warpers (temperature, top-k, top-p,
 * min-p, in transformers' order) narrow a {@link Candidates} set, and the sampler draws from it
 * with a seeded PRNG and can show the distribution it draws from. The processors that change the
 * logits before (repetition penalty, n-gram ban) are in logitsProcessors.ts. The sampler owns
 * its scratch buffers so a decode loop makes no per-step garbage.
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
export function applyRepetitionPenalty(logits: Float32Array, seen: ArrayLike<number>, penalty: number): void {
  if (penalty === 1) return;
  for (let i = 0; i < logits.length; i++) {
    if (seen[i]) {
      const v = logits[i];
      logits[i] = v > 0 ? v / penalty : v * penalty;
    }
  }
}

/** True when the options reduce to taking the argmax: temperature 0 (or a top-k of 1). */
export function isGreedy(options: Pick<SamplingOptions, 'temperature' | 'topK'>): boolean {
  return options.temperature <= 0 || options.topK === 1;
}

/**
 * The tokens still in the running for one draw and their weights, as the warpers leave them.
 * It starts as the whole vocabulary in id order; a warper that needs an order (top-k, top-p)
 * narrows it to candidates sorted by logit, most likely first. Weights are softmax numerators,
 * exp((logit - max) / T), so the most likely token weighs 1; a token cut by min-p weighs 0.
 */
export class Candidates {
  /** The processed logits row (vocabulary-sized). */
  logits: Float32Array = new Float32Array(0);
  /** 1 / temperature. */
  invT = 1;
  /** The largest logit. */
  max = 0;
  /** False: every token, by id, `ids` unused. True: `ids[0..count)`, most likely first. */
  sorted = false;
  count: number;
  readonly ids: Int32Array;
  /** `weights[i]` belongs to `ids[i]` (sorted) or to token i (not sorted). */
  readonly weights: Float64Array;
  /** Weights are computed for the current set. */
  weighted = false;
  /** The sum the top-p cut normalises by (the whole vocabulary's, unless top-k cut before it); 0 = the candidates' sum. */
  total = 0;

  constructor(readonly vocabSize: number) {
    this.ids = new Int32Array(vocabSize);
    this.weights = new Float64Array(vocabSize);
    this.count = vocabSize;
  }

  reset(logits: Float32Array): void {
    this.logits = logits;
    this.invT = 1;
    this.max = logits[argmax(logits)];
    this.sorted = false;
    this.count = this.vocabSize;
    this.weighted = false;
    this.total = 0;
  }

  /** The token of candidate `i`. */
  id(i: number): number {
    return this.sorted ? this.ids[i] : i;
  }

  /** Computes the weights of the current set (once). */
  weigh(): void {
    if (this.weighted) return;
    const { logits, max, invT, weights } = this;
    for (let i = 0; i < this.count; i++) weights[i] = Math.exp((logits[this.id(i)] - max) * invT);
    this.weighted = true;
  }
}

/** One stage between the processed logits and the draw (transformers' logits warpers). */
export interface LogitsWarper {
  warp(candidates: Candidates): void;
}

/** Divides the logits by the temperature (applied through the weights). */
export class TemperatureWarper implements LogitsWarper {
  constructor(private readonly temperature: number) {}
  warp(c: Candidates): void {
    c.invT = 1 / this.temperature;
    c.weighted = false;
  }
}

/** Keeps the k most likely tokens, sorted. */
export class TopKWarper implements LogitsWarper {
  constructor(private readonly k: number) {}
  warp(c: Candidates): void {
    if (this.k <= 0 || this.k >= c.count || c.sorted) return;
    c.count = selectTopK(c.logits, this.k, c.ids);
    c.sorted = true;
    c.weighted = false;
  }
}

/**
 * Nucleus: keeps the smallest prefix of the most likely tokens whose probability reaches p (at
 * least one token), normalised over what top-k left, or over the whole vocabulary without it.
 */
export class TopPWarper implements LogitsWarper {
  constructor(private readonly p: number) {}
  warp(c: Candidates): void {
    if (this.p >= 1) return;
    let total: number;
    if (!c.sorted) {
      // The whole vocabulary's numerators, then only as many sorted candidates as the nucleus can need.
      total = softmaxNumerators(c.logits, c.max, c.invT, c.weights);
      c.count = selectNucleusCandidates(c.weights, total, this.p, c.ids);
      c.sorted = true;
      c.weighted = false;
      c.total = total;
    }
    c.weigh();
    const weights = c.weights;
    if (c.total > 0) total = c.total;
    else {
      total = 0;
      for (let i = 0; i < c.count; i++) total += weights[i];
    }
    let cumulative = 0;
    for (let i = 0; i < c.count; i++) {
      cumulative += weights[i] / total;
      if (cumulative >= this.p) {
        c.count = i + 1;
        return;
      }
    }
  }
}

/**
 * Min-p: a token stays when its probability is at least p times the top one's. Filtering leaves
 * the ratio of two kept tokens' probabilities as it was, so this is the same cut whether it comes
 * before or after top-k and top-p (transformers applies it after them).
 */
export class MinPWarper implements LogitsWarper {
  constructor(private readonly p: number) {}
  warp(c: Candidates): void {
    if (this.p <= 0) return;
    c.weigh();
    const p = this.p;
    const weights = c.weights;
    if (c.sorted) {
      // Sorted: weights[0] is the top token's numerator, exp(0) = 1.
      while (c.count > 1 && weights[c.count - 1] < p * weights[0]) c.count--;
    } else {
      for (let i = 0; i < c.count; i++) if (weights[i] < p) weights[i] = 0;
    }
  }
}

/** The warpers sampling options ask for, in transformers' order (temperature, top-k, top-p, min-p). */
export function warpersFor(options: SamplingOptions): LogitsWarper[] {
  const warpers: LogitsWarper[] = [new TemperatureWarper(options.temperature)];
  if (options.topK > 0) warpers.push(new TopKWarper(options.topK));
  if (options.topP < 1) warpers.push(new TopPWarper(options.topP));
  if ((options.minP ?? 0) > 0) warpers.push(new MinPWarper(options.minP ?? 0));
  return warpers;
}

/** The distribution a draw is made from: candidate tokens and their probabilities (summing to 1). */
export interface TokenDistribution {
  /** Candidates: `ids[0..count)`. */
  count: number;
  ids: Int32Array;
  /** `probs[i]` is the probability of `ids[i]`. */
  probs: Float64Array;
}

/**
 * Picks next tokens for one generation from processed logits (see logitsProcessors.ts): the
 * argmax when greedy, else a draw from a seeded PRNG after the warpers. Holds scratch buffers
 * sized to the vocabulary and the PRNG, so create one per request.
 */
export class TokenSampler {
  /** Scratch sized to the vocabulary, made on the first draw (greedy decoding never needs it). */
  private scratch: { candidates: Candidates; ids: Int32Array; probs: Float64Array } | undefined;
  private readonly random: Random;
  private readonly greedy: boolean;

  constructor(
    readonly vocabSize: number,
    readonly options: SamplingOptions,
    private readonly warpers: readonly LogitsWarper[] = warpersFor(options),
  ) {
    this.random = mulberry32(options.seed);
    this.greedy = isGreedy(options);
  }

  private buffers(): { candidates: Candidates; ids: Int32Array; probs: Float64Array } {
    this.scratch ??= {
      candidates: new Candidates(this.vocabSize),
      ids: new Int32Array(this.vocabSize),
      probs: new Float64Array(this.vocabSize),
    };
    return this.scratch;
  }

  /** Chooses a token from `logits` (one row, length >= vocabSize; not modified). */
  sample(logits: Float32Array): number {
    const row = this.row(logits);
    if (this.greedy) return argmax(row);
    const c = this.warp(row);
    const { weights } = c;
    let mass = 0;
    for (let i = 0; i < c.count; i++) mass += weights[i];
    let u = this.random() * mass;
    for (let i = 0; i < c.count; i++) {
      u -= weights[i];
      if (u < 0) return c.id(i);
    }
    // Rounding left a sliver: the last candidate with any weight.
    for (let i = c.count - 1; i >= 0; i--) if (weights[i] > 0) return c.id(i);
    return argmax(row);
  }

  /**
   * The distribution `sample` draws from for `logits`, without drawing (the PRNG does not move):
   * the argmax alone when greedy. Tokens of zero probability are left out. The arrays are the
   * sampler's own, valid until its next call.
   */
  distribution(logits: Float32Array): TokenDistribution {
    const row = this.row(logits);
    const { ids, probs } = this.buffers();
    if (this.greedy) {
      ids[0] = argmax(row);
      probs[0] = 1;
      return { count: 1, ids, probs };
    }
    const c = this.warp(row);
    let mass = 0;
    for (let i = 0; i < c.count; i++) mass += c.weights[i];
    let count = 0;
    for (let i = 0; i < c.count; i++) {
      if (c.weights[i] === 0) continue;
      ids[count] = c.id(i);
      probs[count++] = c.weights[i] / mass;
    }
    return { count, ids, probs };
  }

  /**
   * Speculative sampling against a drafted token (a point-mass draft, as prompt lookup gives):
   * `draft` is kept with probability p(draft) under the distribution {@link sample} draws from;
   * otherwise a token is drawn from p with `draft` taken out, renormalized (the residual
   * max(0, p − q) of Leviathan et al. 2023 and Chen et al. 2023, with q all on `draft`). Either
   * way the token returned follows p exactly. Greedy: the argmax, whatever was drafted. A
   * different count of PRNG draws than plain sampling, so the same seed gives other (equally
   * distributed) tokens.
   */
  judge(logits: Float32Array, draft: number): number {
    if (this.greedy) return argmax(this.row(logits));
    const { count, ids, probs } = this.distribution(logits);
    let p = 0;
    for (let i = 0; i < count; i++) if (ids[i] === draft) p = probs[i];
    if (this.random() < p) return draft;
    let u = this.random() * (1 - p);
    let last = -1;
    for (let i = 0; i < count; i++) {
      if (ids[i] === draft || probs[i] === 0) continue;
      last = ids[i];
      u -= probs[i];
      if (u < 0) return ids[i];
    }
    // Rounding left a sliver (or the draft held all the mass and still lost: p rounded below 1).
    return last >= 0 ? last : draft;
  }

  private row(logits: Float32Array): Float32Array {
    return logits.length === this.vocabSize ? logits : logits.subarray(0, this.vocabSize);
  }

  private warp(row: Float32Array): Candidates {
    const c = this.buffers().candidates;
    c.reset(row);
    for (const w of this.warpers) w.warp(c);
    c.weigh();
    return c;
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
