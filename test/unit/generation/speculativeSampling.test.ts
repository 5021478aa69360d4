/**
 * Speculative sampling is exact in distribution: a drafted token kept with the probability the
 * model gives it, a rejected one replaced by a draw from the rest, gives tokens that follow the
 * distribution plain sampling draws from. Shown with chi-square tests: first the rule alone over
 * 10,000 draws against the exact distribution (and a biased rule the test must catch), then end
 * to end: three-token continuations by a real model (the shipped GPT, top-k 3, temperature 2) of
 * its own repeating loop (so that prompt lookup drafts tokens the model finds likely), sampled with
 * speculation and without, 2,000 seeds each (a model run per seed). Seeds are fixed, so the
 * outcome is the same every run.
 */
import * as assert from 'assert';
import * as path from 'path';
import { loadModelInProcess, type InProcessModel } from '../../../src/cli/continue';
import { generateText } from '../../../src/generation/generate';
import { TokenSampler } from '../../../src/generation/sampling';
import type { SamplingOptions, SpeculativeMode } from '../../../src/generation/textRequest';

const DRAWS = 10_000;
/** The significance below which a test fails: 1 in 1,000. */
const ALPHA = 0.001;

/** P(X > x) for a chi-square with `df` degrees of freedom (Wilson–Hilferty: ample for a 0.001 threshold). */
function chiSquareTail(x: number, df: number): number {
  const z = (Math.cbrt(x / df) - (1 - 2 / (9 * df))) / Math.sqrt(2 / (9 * df));
  return 0.5 * erfc(z / Math.SQRT2);
}

/** The complementary error function (Numerical Recipes' erfcc, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Goodness of fit of `counts` to `expected` probabilities (categories with p > 0). */
function fitTail(counts: Map<number, number>, expected: Map<number, number>, n: number): number {
  let x = 0;
  for (const [id, p] of expected) x += ((counts.get(id) ?? 0) - n * p) ** 2 / (n * p);
  for (const id of counts.keys()) if (!expected.has(id)) return 0; // a token the distribution cannot give
  return chiSquareTail(x, expected.size - 1);
}

/** Two samples of the same size from one distribution? (chi-square on the pooled categories). */
function sameTail(a: Map<string, number>, b: Map<string, number>): { tail: number; categories: number } {
  const keys = new Set([...a.keys(), ...b.keys()]);
  let x = 0;
  for (const k of keys) {
    const ai = a.get(k) ?? 0;
    const bi = b.get(k) ?? 0;
    x += (ai - bi) ** 2 / (ai + bi);
  }
  return { tail: chiSquareTail(x, keys.size - 1), categories: keys.size };
}

const count = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);

describe('speculative sampling: the rule', () => {
  const logits = Float32Array.from([2.0, 1.5, 1.2, 0.3, -0.5, -1.0, 0.9, 0.1]);
  const cases: { name: string; sampling: SamplingOptions; draft: number }[] = [
    { name: 'temperature 1, a likely draft', sampling: { temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1, seed: 1 }, draft: 0 },
    {
      name: 'temperature 0.7, an unlikely draft',
      sampling: { temperature: 0.7, topK: 0, topP: 1, repetitionPenalty: 1, seed: 2 },
      draft: 5,
    },
    {
      name: 'top-k 4 and top-p 0.9, a draft they cut',
      sampling: { temperature: 1, topK: 4, topP: 0.9, repetitionPenalty: 1, seed: 3 },
      draft: 7,
    },
    {
      name: 'top-p 0.95, the second token drafted',
      sampling: { temperature: 1.3, topK: 0, topP: 0.95, repetitionPenalty: 1, seed: 4 },
      draft: 1,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: 10,000 judged drafts follow the sampled distribution (chi-square p > ${ALPHA})`, () => {
      const sampler = new TokenSampler(logits.length, c.sampling);
      const dist = sampler.distribution(logits);
      const expected = new Map<number, number>();
      for (let i = 0; i < dist.count; i++) expected.set(dist.ids[i], dist.probs[i]);
      const counts = new Map<number, number>();
      for (let i = 0; i < DRAWS; i++) count(counts, sampler.judge(logits, c.draft));
      const tail = fitTail(counts, expected, DRAWS);
      assert.ok(tail > ALPHA, `p = ${tail.toExponential(2)}: ${JSON.stringify([...counts])} against ${JSON.stringify([...expected])}`);
    });
  }

  it('the test has power: a rule that keeps drafts too often (min(1, 2p)) fails it', () => {
    const sampling = cases[1].sampling;
    const sampler = new TokenSampler(logits.length, sampling);
    const dist = sampler.distribution(logits);
    const ids = Array.from(dist.ids.subarray(0, dist.count));
    const probs = Array.from(dist.probs.subarray(0, dist.count));
    const expected = new Map(ids.map((id, i) => [id, probs[i]]));
    const draft = cases[1].draft;
    const p = expected.get(draft) ?? 0;
    let seed = 99;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const counts = new Map<number, number>();
    for (let i = 0; i < DRAWS; i++) {
      if (random() < Math.min(1, 2 * p)) {
        count(counts, draft);
        continue;
      }
      let u = random() * (1 - p);
      const id = ids.find((other, k) => other !== draft && (u -= probs[k]) < 0) ?? ids[ids.length - 1];
      count(counts, id);
    }
    assert.ok(fitTail(counts, expected, DRAWS) < ALPHA, 'the biased rule is caught');
  });

  it('greedy: the argmax, whatever was drafted', () => {
    const sampler = new TokenSampler(logits.length, { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 });
    for (let draft = 0; draft < logits.length; draft++) assert.strictEqual(sampler.judge(logits, draft), 0);
  });
});

describe('speculative sampling end to end (the shipped GPT, top-k 3)', function () {
  this.timeout(300_000);
  const RUNS = 2_000;
  // The shipped model's own greedy loop: prompt lookup drafts tokens it finds likely, and at
  // temperature 2 over its top 3 it keeps some and turns others down (both branches of the rule run).
  const prompt = 'The pitch of the pitch of the pitch of the pitch of the';
  let model: InProcessModel;

  before(async () => {
    model = await loadModelInProcess(path.join(__dirname, '..', '..', '..', 'models', 'inkwell-gpt'), 1, 'fp32');
  });
  after(async () => {
    await model.release();
  });

  async function continuations(speculative: SpeculativeMode, draft?: InProcessModel) {
    const counts = new Map<string, number>();
    const drafts = { proposed: 0, accepted: 0 };
    for (let seed = 0; seed < RUNS; seed++) {
      const result = await generateText(
        model,
        {
          prompt,
          maxTokens: 3,
          sampling: { temperature: 2, topK: 3, topP: 1, repetitionPenalty: 1, seed: seed * 7919 + 13 },
          stop: [],
          endAtSentence: false,
          speculative,
        },
        { draft },
      );
      count(counts, result.tokens.join(' '));
      drafts.proposed += result.draft?.proposed ?? 0;
      drafts.accepted += result.draft?.accepted ?? 0;
    }
    return { counts, drafts };
  }
  type Runs = Awaited<ReturnType<typeof continuations>>;
  /**
   * Both branches of the rule ran many times (drafts kept and drafts replaced, at least
   * `minProposed` drafts), and the speculative continuations follow the plain ones' distribution.
   */
  const assertSameDistribution = (plain: Runs, speculated: Runs, minProposed: number) => {
    assert.ok(speculated.drafts.proposed >= minProposed, JSON.stringify(speculated.drafts));
    assert.ok(
      speculated.drafts.accepted > RUNS / 10 && speculated.drafts.proposed - speculated.drafts.accepted > RUNS / 10,
      JSON.stringify(speculated.drafts),
    );
    const { tail, categories } = sameTail(plain.counts, speculated.counts);
    assert.ok(categories >= 10, `${categories} distinct continuations`);
    assert.ok(tail > ALPHA, `p = ${tail.toExponential(2)} over ${categories} continuations`);
  };
  let plainRuns: Runs | undefined;
  /** Plain sampling's continuations, sampled once for both comparisons. */
  const plainOnce = async () => (plainRuns ??= await continuations('off'));

  it('three-token continuations sampled with speculation follow the distribution of plain sampling (2,000 each, chi-square p > 0.001)', async () => {
    // More than a quarter of the runs proposed drafts.
    assertSameDistribution(await plainOnce(), await continuations('prompt-lookup'), RUNS / 4 + 1);
  });
  it('with a draft model (the model itself, drafting greedily), three-token continuations follow the distribution of plain sampling too', async () => {
    assertSameDistribution(await plainOnce(), await continuations('draft', model), RUNS);
  });
});
