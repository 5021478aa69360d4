/**
 * Speculative decoding with prompt-lookup drafts: the drafting index, the draft length, the
 * switch-off policy, and exactness on real ONNX models: greedy decoding with speculation gives,
 * token for token, what plain greedy decoding gives, on every fixture layout the loader opens
 * (plain, split and merged decoders, no KV cache, GQA, GPT-BigCode's fused cache, float16 caches,
 * q4 and 8-bit weights), with and without the processors, stop sequences and end-of-text cuts.
 */
import * as assert from 'assert';
import * as path from 'path';
import { loadModelInProcess, type InProcessModel } from '../../../src/cli/continue';
import { DecoderRun } from '../../../src/generation/decoder';
import { encodePrompt, generateText } from '../../../src/generation/generate';
import type { DtypeRequest } from '../../../src/generation/layout';
import type { SessionTuning } from '../../../src/generation/sessionOptions';
import { LogitsProcessorList, NgramBan, RepetitionPenaltyProcessor, type LogitsProcessor } from '../../../src/generation/logitsProcessors';
import { mulberry32, TokenSampler } from '../../../src/generation/sampling';
import {
  allowedDrafts,
  COST_SAMPLES,
  DRAFT_LENGTH,
  NO_COSTS,
  nextCosts,
  nextDraftLength,
  nextSwitchState,
  PromptLookup,
  SPECULATING,
  speculationPays,
  Speculator,
  type SpeculativeMode,
  type SwitchPolicy,
} from '../../../src/generation/speculative';
import type { SamplingOptions, TextGenerationParams } from '../../../src/generation/textRequest';
import { modelsDir } from './fixtures';

describe('prompt lookup', () => {
  it('proposes what followed the most recent earlier occurrence of the longest suffix found', () => {
    // ... 1 2 3 [4 5] ... 2 3 [6 7] ... 1 2 3 → "1 2 3" last seen before 4 5: the trigram wins over "2 3".
    const lookup = new PromptLookup(3, [1, 2, 3, 4, 5, 9, 2, 3, 6, 7, 8, 1, 2, 3]);
    assert.deepStrictEqual(lookup.draft(2), [4, 5]);
    // "3 2 3" never occurred before: the bigram "2 3", most recently followed by the "2 3" just added.
    lookup.push(2);
    lookup.push(3);
    assert.deepStrictEqual(lookup.draft(3), [2, 3]);
  });

  it('never finds the suffix itself, falls back to shorter n-grams, and stops at the end of the sequence', () => {
    assert.deepStrictEqual(new PromptLookup(3, [5, 6, 7]).draft(4), [], 'nothing occurs twice');
    assert.deepStrictEqual(new PromptLookup(3, [5, 6, 7, 8, 6]).draft(4), [7, 8, 6], 'unigram 6, then up to the end');
    assert.deepStrictEqual(new PromptLookup(1, [5, 6, 5, 7, 5]).draft(1), [7], 'the most recent 5 was followed by 7');
    assert.deepStrictEqual(new PromptLookup(2, []).draft(4), []);
    assert.throws(() => new PromptLookup(0), RangeError);
  });
});

describe('draft length and the switch-off policy', () => {
  it('grows by two when every draft is accepted, shrinks by one otherwise, within 1..16', () => {
    assert.strictEqual(nextDraftLength(4, { proposed: 4, accepted: 4 }), 6);
    assert.strictEqual(nextDraftLength(4, { proposed: 2, accepted: 2 }), 6, 'fewer drafts found, all accepted');
    assert.strictEqual(nextDraftLength(4, { proposed: 4, accepted: 3 }), 3);
    assert.strictEqual(nextDraftLength(1, { proposed: 1, accepted: 0 }), DRAFT_LENGTH.min);
    assert.strictEqual(nextDraftLength(16, { proposed: 16, accepted: 16 }), DRAFT_LENGTH.max);
  });

  const policy: SwitchPolicy = { window: 3, minAcceptance: 0.5, pause: 2 };

  it('pauses after a full window of low acceptance, counts the pause down in plain steps, then judges afresh', () => {
    let state = SPECULATING;
    state = nextSwitchState(state, { proposed: 4, accepted: 0 }, policy);
    state = nextSwitchState(state, { proposed: 4, accepted: 1 }, policy);
    assert.strictEqual(state.paused, 0, 'a window not yet full never pauses');
    state = nextSwitchState(state, { proposed: 4, accepted: 1 }, policy);
    assert.deepStrictEqual(state, { recent: [], paused: 2 }, '2 of 12 accepted < 50%');
    state = nextSwitchState(state, 'plain', policy);
    assert.strictEqual(state.paused, 1);
    state = nextSwitchState(state, 'plain', policy);
    assert.deepStrictEqual(state, SPECULATING);
    assert.strictEqual(nextSwitchState(state, 'plain', policy), state, 'plain steps while speculating change nothing');
  });

  it('keeps speculating while acceptance holds, over a sliding window', () => {
    let state = SPECULATING;
    for (let i = 0; i < 5; i++) state = nextSwitchState(state, { proposed: 4, accepted: 2 }, policy);
    assert.strictEqual(state.paused, 0);
    assert.strictEqual(state.recent.length, 3);
    // One bad step in a good window: 4 of 12 accepted... still under half: paused.
    state = nextSwitchState(state, { proposed: 4, accepted: 0 }, policy);
    assert.strictEqual(state.paused, 2);
  });

  it('weighs time per token: speculation pays only when its steps, drafting included, yield tokens faster than plain ones', () => {
    let costs = NO_COSTS;
    costs = nextCosts(costs, 'plain', 10, 1);
    assert.strictEqual(speculationPays(costs), undefined, 'not measured enough');
    costs = nextCosts(costs, 'plain', 10, 1);
    // A draft model that agrees half the time: 4 drafts (8 ms of drafting) + a 12 ms check yield 3 tokens: 6.7 ms each.
    for (let i = 0; i < COST_SAMPLES.speculative - 1; i++) costs = nextCosts(costs, 'speculative', 20, 3);
    assert.strictEqual(speculationPays(costs), undefined);
    costs = nextCosts(costs, 'speculative', 20, 3);
    assert.strictEqual(speculationPays(costs), true, `${costs.speculative} ms against ${costs.plain} ms a token`);
    // The same acceptance from a draft model as costly as the model: 40 ms of drafting + 12 ms for 3 tokens.
    for (let i = 0; i < 8; i++) costs = nextCosts(costs, 'speculative', 52, 3);
    assert.strictEqual(speculationPays(costs), false, `${costs.speculative} ms against ${costs.plain} ms a token`);
    assert.ok(Math.abs(nextCosts(NO_COSTS, 'plain', 12, 3).plain - 4) < 1e-9, 'the first step sets the average');
  });
});

const parityDir = path.join(modelsDir, 'parity');

/** Every layout the loader opens, by folder and dtype. */
const LAYOUTS: ReadonlyArray<{ label: string; dir: string; dtype: DtypeRequest; longRun?: number; tuning?: SessionTuning }> = [
  { label: 'tiny-gpt2 (KV cache)', dir: path.join(modelsDir, 'tiny-gpt2'), dtype: 'fp32' },
  { label: 'tiny-gpt2/no-past (no KV cache)', dir: path.join(modelsDir, 'tiny-gpt2', 'no-past'), dtype: 'fp32', longRun: 60 },
  { label: 'tiny-llama', dir: path.join(modelsDir, 'tiny-llama'), dtype: 'fp32' },
  { label: 'gpt2-split (decoder + decoder-with-past)', dir: path.join(parityDir, 'gpt2-split'), dtype: 'fp32' },
  { label: 'gpt2-merged (use_cache_branch)', dir: path.join(parityDir, 'gpt2-merged'), dtype: 'fp32' },
  { label: 'bigcode-mq (fused key_value cache, multi-query)', dir: path.join(parityDir, 'bigcode-mq'), dtype: 'fp32' },
  { label: 'gpt-neo', dir: path.join(parityDir, 'gpt-neo'), dtype: 'fp32' },
  { label: 'gemma-bos', dir: path.join(parityDir, 'gemma-bos'), dtype: 'fp32' },
  { label: 'phi3', dir: path.join(parityDir, 'phi3'), dtype: 'fp32' },
  { label: 'qwen2 (GQA)', dir: path.join(parityDir, 'qwen2'), dtype: 'fp32' },
  { label: 'qwen3-head-dim', dir: path.join(parityDir, 'qwen3-head-dim'), dtype: 'fp32' },
  { label: 'mistral-genconfig-eos', dir: path.join(parityDir, 'mistral-genconfig-eos'), dtype: 'fp32' },
  { label: 'smollm2-nobos', dir: path.join(parityDir, 'smollm2-nobos'), dtype: 'fp32' },
  { label: 'tinyllama-bos', dir: path.join(parityDir, 'tinyllama-bos'), dtype: 'fp32' },
  { label: 'llama-external-data', dir: path.join(parityDir, 'llama-external-data'), dtype: 'fp32' },
  // As exported (presents handed back whole, cut by copying on a rollback), where Inkwell would take the cache by position.
  { label: 'gpt2-split as exported', dir: path.join(parityDir, 'gpt2-split'), dtype: 'fp32', tuning: { rewrite: false } },
  { label: 'llama-dtypes fp16 as exported', dir: path.join(parityDir, 'llama-dtypes'), dtype: 'fp16', tuning: { rewrite: false } },
  { label: 'bigcode-mq as exported (cut on axis 1)', dir: path.join(parityDir, 'bigcode-mq'), dtype: 'fp32', tuning: { rewrite: false } },
  ...(['fp32', 'fp16', 'q4', 'q4f16'] as const).map((dtype) => ({
    label: `llama-dtypes ${dtype}${dtype.endsWith('16') ? ' (float16 cache)' : ''}`,
    dir: path.join(parityDir, 'llama-dtypes'),
    dtype,
  })),
];

/** 8-bit exports quantize activations per step: speculation turns itself off on them (generate.ts). */
const PLAIN_ONLY: ReadonlyArray<{ label: string; dir: string; dtype: DtypeRequest }> = [
  { label: 'gpt2-merged q8', dir: path.join(parityDir, 'gpt2-merged'), dtype: 'q8' },
  { label: 'llama-dtypes q8', dir: path.join(parityDir, 'llama-dtypes'), dtype: 'q8' },
  { label: 'llama-dtypes uint8', dir: path.join(parityDir, 'llama-dtypes'), dtype: 'uint8' },
];

const REPEATED =
  'The lamp is on the desk. The book is on the shelf. The cup is on the table. ' +
  'The lamp is on the desk. The book is on the shelf. The cup is on the';
const PROMPTS = [
  { prompt: REPEATED, repetitive: true },
  { prompt: 'one two three four five one two three four five one two three four five one two', repetitive: true },
  { prompt: 'a b c a b c a b c a b c a b', repetitive: true },
  { prompt: 'Writing a blog post in Markdown is', repetitive: false },
];

const greedy: SamplingOptions = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 };
const penalised: SamplingOptions = { ...greedy, repetitionPenalty: 1.3, noRepeatNgramSize: 3 };

function request(prompt: string, speculative: SpeculativeMode, sampling = greedy, stop: string[] = []): TextGenerationParams {
  return { prompt, maxTokens: 40, sampling, stop, endAtSentence: false, speculative };
}

for (const layout of LAYOUTS) {
  describe(`speculative greedy decoding is exact: ${layout.label}`, () => {
    let model: InProcessModel;
    const seen = { proposed: 0, accepted: 0, repetitiveAccepted: 0 };
    before(async () => {
      model = await loadModelInProcess(layout.dir, 1, layout.dtype, { tuning: layout.tuning });
    });
    after(async () => {
      await model?.release();
      console.log(`      drafts on ${layout.label}: ${seen.accepted} of ${seen.proposed} accepted`);
    });

    /** Plain, then speculative: the same tokens, text and stop reason; the drafts are counted. */
    async function same(params: TextGenerationParams, repetitive = false): Promise<number[]> {
      const plain = await generateText(model, { ...params, speculative: 'off' });
      const fast = await generateText(model, params);
      assert.deepStrictEqual(fast.tokens, plain.tokens, `${params.speculative} differs from plain decoding`);
      assert.strictEqual(fast.text, plain.text);
      assert.strictEqual(fast.stopReason, plain.stopReason);
      assert.strictEqual(plain.draft, undefined);
      assert.ok(fast.draft, 'the result counts the drafts');
      seen.proposed += fast.draft.proposed;
      seen.accepted += fast.draft.accepted;
      if (repetitive) seen.repetitiveAccepted += fast.draft.accepted;
      return plain.tokens;
    }

    it('gives the plain greedy tokens on every prompt, and accepts drafts on the repetitive ones', async () => {
      // Long enough for a random-weight model to fall into repeating itself, which is what drafts catch
      // (shorter without a KV cache, where every step runs the whole sequence).
      for (const p of PROMPTS) await same({ ...request(p.prompt, 'prompt-lookup'), maxTokens: layout.longRun ?? 120 }, p.repetitive);
      assert.ok(seen.repetitiveAccepted > 0, 'no draft accepted on the repetitive prompts');
    });

    it('with the repetition penalty and the n-gram ban, and under the auto switch', async () => {
      for (const p of PROMPTS) await same(request(p.prompt, 'prompt-lookup', penalised));
      for (const p of PROMPTS) await same(request(p.prompt, 'auto'));
    });

    it('ends where plain decoding ends: at a stop sequence, at end-of-text, at the token limit', async () => {
      const tokens = await same(request(REPEATED, 'prompt-lookup'));
      // A stop sequence taken from the middle of the plain text cuts it there in both.
      const text = model.tokenizer.decode(tokens);
      const stop = text.slice(Math.floor(text.length / 2), Math.floor(text.length / 2) + 4);
      if (stop.trim()) await same(request(REPEATED, 'prompt-lookup', greedy, [stop]));
      // A late token made end-of-text: both end before its first occurrence.
      const eos = tokens[Math.min(tokens.length - 1, 25)];
      const saved = model.spec;
      model.spec = { ...saved, eosTokenIds: [eos] };
      try {
        await same(request(REPEATED, 'prompt-lookup'));
      } finally {
        model.spec = saved;
      }
      for (const maxTokens of [1, 2, 7, 17]) await same({ ...request(REPEATED, 'prompt-lookup'), maxTokens });
    });
  });
}

for (const layout of PLAIN_ONLY) {
  it(`speculation turns itself off on ${layout.label}: plain tokens, no draft counts`, async () => {
    const model = await loadModelInProcess(layout.dir, 1, layout.dtype);
    try {
      const plain = await generateText(model, request(REPEATED, 'off'));
      const asked = await generateText(model, request(REPEATED, 'prompt-lookup'));
      assert.deepStrictEqual(asked.tokens, plain.tokens);
      assert.strictEqual(asked.draft, undefined);
    } finally {
      await model.release();
    }
  });
}

describe('speculation and sampling', () => {
  it('sampling speculates too: drafts are proposed and some kept (exactness in distribution: speculativeSampling.test.ts)', async () => {
    const model = await loadModelInProcess(path.join(modelsDir, 'tiny-gpt2'), 1, 'fp32');
    try {
      const sampling: SamplingOptions = { temperature: 0.9, topK: 40, topP: 0.95, repetitionPenalty: 1.1, seed: 11 };
      const asked = await generateText(model, request(REPEATED, 'prompt-lookup', sampling));
      assert.ok(asked.draft && asked.draft.proposed > 0, JSON.stringify(asked.draft));
      assert.strictEqual(asked.tokens.length, 40);
      // The same seed again: the same tokens (the PRNG is drawn in the same order).
      const again = await generateText(model, request(REPEATED, 'prompt-lookup', sampling));
      assert.deepStrictEqual(again.tokens, asked.tokens);
    } finally {
      await model.release();
    }
  });
});

describe('drafts the processors forbid', () => {
  /** The ids whose logit a processed row of finite logits holds at -Infinity: what `forbids` must predict. */
  function forbiddenByProcessing(list: LogitsProcessorList, vocab: number, random: () => number): Set<number> {
    const row = Float32Array.from({ length: vocab }, () => random() * 8 - 4);
    list.process(row);
    return new Set([...row.keys()].filter((id) => row[id] === -Infinity));
  }

  it('forbids exactly the tokens processing sets to -Infinity (n-gram ban after the repetition penalty, random sequences)', () => {
    const random = mulberry32(5);
    const vocab = 7;
    for (let c = 0; c < 300; c++) {
      const n = 1 + Math.floor(random() * 3);
      const prompt = Array.from({ length: Math.floor(random() * 12) }, () => Math.floor(random() * vocab));
      const list = new LogitsProcessorList([new RepetitionPenaltyProcessor(vocab, 1.3, prompt), new NgramBan(n, prompt)]);
      for (let step = 0; step < 6; step++) {
        const expected = forbiddenByProcessing(list, vocab, random);
        for (let id = 0; id < vocab; id++) assert.strictEqual(list.forbids(id), expected.has(id), `case ${c}, n ${n}, token ${id}`);
        list.push(Math.floor(random() * vocab));
      }
    }
  });

  it('knows nothing is forbidden after a processor that cannot tell', () => {
    const opaque: LogitsProcessor = { process: (row) => row.fill(-Infinity, 0, 1) };
    const list = new LogitsProcessorList([new NgramBan(2, [1, 2, 1]), opaque]);
    assert.strictEqual(list.forbids(2), false);
    assert.strictEqual(list.forbids(0), false);
  });

  it('keeps the drafts up to the first forbidden one, judging each after the ones before, and leaves the processors as they were', () => {
    // Trigrams seen: (1,2,3) (2,3,4) (3,4,1) (4,1,2); the sequence ends in 1, 2.
    const prompt = [1, 2, 3, 4, 1, 2];
    const list = new LogitsProcessorList([new RepetitionPenaltyProcessor(8, 1.3, prompt), new NgramBan(3, prompt)]);
    const before = forbiddenByProcessing(list, 8, mulberry32(1));
    assert.deepStrictEqual(allowedDrafts(list, [3, 4, 1]), [], '3 would repeat 1 2 3');
    assert.deepStrictEqual(allowedDrafts(list, [5, 3, 4]), [5, 3, 4]);
    assert.deepStrictEqual(allowedDrafts(list, [4, 1, 2, 3]), [4, 1], 'after 2 4 1, the 2 would repeat 4 1 2');
    assert.deepStrictEqual(forbiddenByProcessing(list, 8, mulberry32(1)), before);
    assert.deepStrictEqual(allowedDrafts(new LogitsProcessorList([]), [3, 4]), [3, 4], 'no processors: every draft may be kept');
  });

  it('a lookup draft the n-gram ban forbids is not verified: the step is a plain one (real model)', async () => {
    const model = await loadModelInProcess(path.join(modelsDir, 'tiny-gpt2'), 1, 'fp32');
    try {
      const ids = encodePrompt(model, 'x a b c a b');
      // " a b" occurs twice: lookup proposes what followed it the first time, " c", which would repeat " a b c".
      assert.deepStrictEqual([ids[4], ids[5]], [ids[1], ids[2]], 'the fixture tokenizer splits the words alike');
      const prompt = ids.slice(0, -1);
      const run = new DecoderRun(
        { session: model.session, makeTensor: model.makeTensor, spec: model.spec, file: model.onnxFile, withPast: model.withPast },
        prompt,
      );
      await run.next();
      run.append(ids.at(-1)!);
      let steps = 0;
      const counted = {
        append: (id: number) => run.append(id),
        forward: (rows: number) => (steps++, run.forward(rows)),
        replaceTail: (k: number, id: number) => run.replaceTail(k, id),
      };
      const sampler = new TokenSampler(model.spec.vocabSize, greedy);
      const ctx = (processors: LogitsProcessorList) => ({
        run: counted,
        processors,
        pick: (row: Float32Array) => sampler.sample(row),
        judge: (row: Float32Array, draft: number) => sampler.judge(row, draft),
      });
      const speculator = new Speculator({ mode: 'prompt-lookup' }, prompt);
      speculator.accept(ids.at(-1)!);
      const banned = new LogitsProcessorList([new NgramBan(3, ids)]);
      assert.strictEqual(await speculator.step(ctx(banned), 8), undefined);
      assert.deepStrictEqual([steps, speculator.stats.proposed], [0, 0]);
      // Without the ban the same drafts are verified, in one step.
      const out = await speculator.step(ctx(new LogitsProcessorList([])), 8);
      assert.ok(out && out.length >= 1);
      assert.strictEqual(steps, 1);
      assert.ok(speculator.stats.proposed > 0);
    } finally {
      await model.release();
    }
  });
});
