import * as assert from 'assert';
import fc from 'fast-check';
import { RepetitionPenaltyProcessor } from '../../../src/generation/logitsProcessors';
import { applyRepetitionPenalty, argmax, mulberry32, selectTopK, TokenSampler } from '../../../src/generation/sampling';
import type { SamplingOptions } from '../../../src/generation/textRequest';

const base: SamplingOptions = { temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1, seed: 42 };

function draws(logits: number[], options: Partial<SamplingOptions>, n: number): number[] {
  const sampler = new TokenSampler(logits.length, { ...base, ...options });
  const row = Float32Array.from(logits);
  return Array.from({ length: n }, () => sampler.sample(row));
}

describe('sampling', () => {
  it('mulberry32 repeats for a seed and differs across seeds', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const xs = Array.from({ length: 5 }, () => a());
    assert.deepStrictEqual(
      Array.from({ length: 5 }, () => b()),
      xs,
    );
    assert.notDeepStrictEqual(
      Array.from({ length: 5 }, () => c()),
      xs,
    );
    for (const x of xs) assert.ok(x >= 0 && x < 1);
  });

  it('temperature 0 is greedy: it takes the argmax, as does a top-k of 1', () => {
    const logits = [0.1, 3, -2, 2.9];
    assert.deepStrictEqual(draws(logits, { temperature: 0 }, 3), [1, 1, 1]);
    assert.deepStrictEqual(draws(logits, { topK: 1 }, 3), [1, 1, 1]);
  });

  it('the repetition penalty divides positive and multiplies negative logits of seen tokens', () => {
    const logits = Float32Array.from([2, -1, 4, 1]);
    applyRepetitionPenalty(logits, Uint8Array.from([1, 1, 0, 0]), 2);
    assert.deepStrictEqual(Array.from(logits), [1, -2, 4, 1]);
    // Greedy with a penalty moves off a repeated token.
    const sampler = new TokenSampler(3, { ...base, temperature: 0, repetitionPenalty: 3 });
    const row = Float32Array.from([3, 2, 0]);
    new RepetitionPenaltyProcessor(3, 3, [0]).process(row);
    assert.strictEqual(sampler.sample(row), 1);
  });

  it('the sampler does not modify the logits it is given', () => {
    const row = Float32Array.from([1, 2, 3, 4]);
    new TokenSampler(4, { ...base, topK: 2, topP: 0.9, minP: 0.1 }).sample(row);
    new TokenSampler(4, { ...base, minP: 0.1 }).sample(row);
    assert.deepStrictEqual(Array.from(row), [1, 2, 3, 4]);
  });

  it('shows the distribution it draws from: the warpers cut, the rest sums to 1, and the draws follow it', () => {
    const logits = Float32Array.from([2, 1, 0.5, -1, -3, 0]);
    const all = new TokenSampler(6, { ...base }).distribution(logits);
    const softmax = Array.from(logits, (v) => Math.exp(v - 2));
    const total = softmax.reduce((a, b) => a + b, 0);
    assert.strictEqual(all.count, 6);
    for (let i = 0; i < all.count; i++) assert.ok(Math.abs(all.probs[i] - softmax[all.ids[i]] / total) < 1e-12);
    // Top-k 3 and temperature 0.5: three tokens, most likely first, renormalised.
    const cut = new TokenSampler(6, { ...base, topK: 3, temperature: 0.5 }).distribution(logits);
    assert.deepStrictEqual(Array.from(cut.ids.subarray(0, cut.count)), [0, 1, 2]);
    const w = [0, 1, 2].map((i) => Math.exp((logits[i] - 2) / 0.5));
    const sum = w.reduce((a, b) => a + b, 0);
    assert.deepStrictEqual(
      Array.from(cut.probs.subarray(0, 3), (p) => p.toFixed(12)),
      w.map((x) => (x / sum).toFixed(12)),
    );
    // Greedy: the argmax alone.
    const one = new TokenSampler(6, { ...base, temperature: 0 }).distribution(logits);
    assert.deepStrictEqual([one.count, one.ids[0], one.probs[0]], [1, 0, 1]);
    // 4000 draws land about as often as the distribution says.
    const counts = [0, 0, 0];
    const sampler = new TokenSampler(6, { ...base, topK: 3, temperature: 0.5, seed: 11 });
    for (let i = 0; i < 4000; i++) counts[sampler.sample(logits)]++;
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(counts[i] / 4000 - cut.probs[i]) < 0.03, `token ${i}: ${counts[i]} of 4000`);
  });

  it('the same seed gives the same draws', () => {
    const logits = Array.from({ length: 50 }, (_, i) => Math.sin(i));
    assert.deepStrictEqual(draws(logits, { seed: 3, topK: 10 }, 40), draws(logits, { seed: 3, topK: 10 }, 40));
    assert.notDeepStrictEqual(draws(logits, { seed: 3, topK: 10 }, 40), draws(logits, { seed: 4, topK: 10 }, 40));
  });

  it('top-k only ever picks among the k most likely tokens', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 5, maxLength: 60 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer(),
        (values, k, seed) => {
          const picks = draws(values, { topK: k, seed }, 20);
          const sorted = [...values].sort((a, b) => b - a);
          const kth = Math.fround(sorted[k - 1]);
          for (const p of picks) assert.ok(Math.fround(values[p]) >= kth, `picked ${p} (${values[p]}) below the k-th value ${kth}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('top-p keeps the smallest set that reaches p', () => {
    // Probabilities ~ [0.5, 0.25, 0.125, 0.125]: p = 0.7 keeps the first two.
    const logits = [Math.log(0.5), Math.log(0.25), Math.log(0.125), Math.log(0.125)];
    const picks = new Set(draws(logits, { topP: 0.7 }, 400));
    assert.deepStrictEqual([...picks].sort(), [0, 1]);
    // p = 0.5 keeps only the first (its mass reaches p on its own).
    assert.deepStrictEqual(new Set(draws(logits, { topP: 0.5 }, 100)), new Set([0]));
  });

  it('top-p over a large vocabulary matches a full sort', () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0.05, max: 0.99, noNaN: true }), (seed, topP) => {
        const random = mulberry32(seed);
        const logits = Array.from({ length: 3000 }, () => (random() - 0.5) * 12);
        const probs = logits.map(Math.exp);
        const total = probs.reduce((a, b) => a + b, 0);
        const order = probs.map((p, i) => [p / total, i] as const).sort((a, b) => b[0] - a[0]);
        const allowed = new Set<number>();
        let cumulative = 0;
        for (const [p, i] of order) {
          allowed.add(i);
          cumulative += p;
          if (cumulative >= topP) break;
        }
        for (const pick of draws(logits, { topP, seed }, 30)) assert.ok(allowed.has(pick), `token ${pick} is outside the nucleus`);
      }),
      { numRuns: 40 },
    );
  });

  it('min-p keeps the tokens at least min-p times as likely as the top one, in every path, and their proportions', () => {
    // Probabilities 0.5, 0.3, 0.12, 0.05, 0.03: min-p 0.2 cuts below 0.1, keeping the first three.
    const logits = [0.5, 0.3, 0.12, 0.05, 0.03].map(Math.log);
    const n = 6000;
    for (const path of [{}, { topK: 4 }, { topP: 0.99 }]) {
      const counts = [0, 0, 0, 0, 0];
      for (const p of draws(logits, { minP: 0.2, seed: 5, ...path }, n)) counts[p]++;
      assert.deepStrictEqual(counts.slice(3), [0, 0], `min-p let an unlikely token through (${JSON.stringify(path)}): ${counts}`);
      // What stays is renormalised, not reweighted: 0.5 / 0.92 of the draws go to the top token.
      assert.ok(Math.abs(counts[0] / n - 0.5 / 0.92) < 0.03, `${JSON.stringify(path)}: ${counts}`);
      assert.ok(counts[2] > 0, `${JSON.stringify(path)}: the 0.12 token was never drawn: ${counts}`);
    }
    // The cut is relative to the top token after temperature: at T = 2 the ratios to the top become
    // square roots, so min-p 0.3 keeps the 0.05 token (sqrt(0.1) = 0.32) and drops the 0.03 one (sqrt(0.06) = 0.24).
    assert.deepStrictEqual([...new Set(draws(logits, { minP: 0.3, temperature: 2, seed: 9 }, 3000))].sort(), [0, 1, 2, 3]);
    // Min-p 1 keeps only the top token; min-p 0 changes nothing.
    assert.deepStrictEqual(new Set(draws(logits, { minP: 1, seed: 3 }, 200)), new Set([0]));
    assert.deepStrictEqual(draws(logits, { minP: 0, seed: 3 }, 50), draws(logits, { seed: 3 }, 50));
  });

  it('draws follow the softmax distribution with temperature', () => {
    const logits = [Math.log(0.7), Math.log(0.2), Math.log(0.1)];
    const n = 6000;
    const counts = [0, 0, 0];
    for (const p of draws(logits, { seed: 11 }, n)) counts[p]++;
    assert.ok(Math.abs(counts[0] / n - 0.7) < 0.03, `got ${counts}`);
    assert.ok(Math.abs(counts[2] / n - 0.1) < 0.02, `got ${counts}`);
    // A low temperature sharpens the distribution towards the argmax.
    const sharp = draws(logits, { seed: 11, temperature: 0.2 }, 1000).filter((p) => p === 0).length;
    assert.ok(sharp > 980, `temperature 0.2 picked the top token ${sharp}/1000 times`);
  });

  it('selectTopK returns the k largest indices in descending order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 50 }),
        (values, k) => {
          const row = Float32Array.from(values);
          const out = new Int32Array(row.length);
          const count = selectTopK(row, k, out);
          const expected = Array.from(row.keys())
            .sort((a, b) => row[b] - row[a] || a - b)
            .slice(0, Math.min(k, row.length));
          assert.deepStrictEqual(Array.from(out.subarray(0, count)), expected);
        },
      ),
    );
    assert.strictEqual(argmax([1, 5, 5, 2]), 1);
  });
});
