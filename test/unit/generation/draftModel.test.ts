/**
 * Speculative decoding with a draft model, on real ONNX models: under greedy decoding the output
 * is, token for token, what plain decoding gives, for drafts from a model of another architecture
 * with the same tokenizer, on every cache layout the loader opens on the verifier's side (one and
 * two graphs, merged, GQA, fused cache, float16 cache, q4); a model drafting for itself has its
 * drafts accepted; `auto` takes lookup drafts where they exist and the draft model's elsewhere; a
 * draft model with another tokenizer, and mode `draft` without one, are refused in words.
 */
import * as assert from 'assert';
import * as path from 'path';
import { loadModelInProcess, type InProcessModel } from '../../../src/cli/continue';
import { generateText } from '../../../src/generation/generate';
import { GenerationError } from '../../../src/generation/generationError';
import type { DtypeRequest } from '../../../src/generation/layout';
import type { SamplingOptions, SpeculativeMode, TextGenerationParams } from '../../../src/generation/textRequest';
import { modelsDir } from './fixtures';

const parityDir = path.join(modelsDir, 'parity');
const greedy: SamplingOptions = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 };

type Ref = { dir: string; dtype: DtypeRequest };
const ref = (dir: string, dtype: DtypeRequest = 'fp32'): Ref => ({ dir, dtype });

/** Verifier and draft pairs that share a tokenizer, by the verifier's layout. */
const PAIRS: ReadonlyArray<{ label: string; target: Ref; draft: Ref }> = [
  {
    label: 'tiny-gpt2 drafted by tiny-llama',
    target: ref(path.join(modelsDir, 'tiny-gpt2')),
    draft: ref(path.join(modelsDir, 'tiny-llama')),
  },
  {
    label: 'gpt2-split (two graphs) drafted by gpt2-merged',
    target: ref(path.join(parityDir, 'gpt2-split')),
    draft: ref(path.join(parityDir, 'gpt2-merged')),
  },
  {
    label: 'bigcode-mq (fused cache) drafted by gpt-neo',
    target: ref(path.join(parityDir, 'bigcode-mq')),
    draft: ref(path.join(parityDir, 'gpt-neo')),
  },
  {
    label: 'qwen2 (GQA) drafted by qwen3-head-dim',
    target: ref(path.join(parityDir, 'qwen2')),
    draft: ref(path.join(parityDir, 'qwen3-head-dim')),
  },
  {
    label: 'llama-dtypes fp16 (float16 cache) drafted by phi3',
    target: ref(path.join(parityDir, 'llama-dtypes'), 'fp16'),
    draft: ref(path.join(parityDir, 'phi3')),
  },
  {
    label: 'llama-dtypes q4 drafted by tinyllama-bos',
    target: ref(path.join(parityDir, 'llama-dtypes'), 'q4'),
    draft: ref(path.join(parityDir, 'tinyllama-bos')),
  },
];

const PROMPTS = [
  'The lamp is on the desk. The book is on the shelf. The cup is on the table. The lamp is on the',
  'Writing a blog post in Markdown is',
  'a b c a b c a b c a b',
];

function request(prompt: string, speculative: SpeculativeMode, maxTokens = 40): TextGenerationParams {
  return { prompt, maxTokens, sampling: greedy, stop: [], endAtSentence: false, speculative };
}

const load = (r: Ref) => loadModelInProcess(r.dir, 1, r.dtype);

for (const pair of PAIRS) {
  describe(`draft-model speculative decoding is exact under greedy: ${pair.label}`, () => {
    let target: InProcessModel;
    let draft: InProcessModel;
    before(async () => {
      [target, draft] = [await load(pair.target), await load(pair.draft)];
    });
    after(async () => {
      await target?.release();
      await draft?.release();
    });

    it('the same tokens, text and stop reason as plain decoding, for every prompt; drafts proposed', async () => {
      let proposed = 0;
      for (const prompt of PROMPTS) {
        const plain = await generateText(target, request(prompt, 'off'));
        const fast = await generateText(target, request(prompt, 'draft'), { draft });
        assert.deepStrictEqual(fast.tokens, plain.tokens, prompt);
        assert.strictEqual(fast.text, plain.text);
        assert.strictEqual(fast.stopReason, plain.stopReason);
        assert.ok(fast.draft && fast.draft.accepted <= fast.draft.proposed);
        proposed += fast.draft.proposed;
      }
      assert.ok(proposed > 0, 'the draft model proposed tokens');
    });
  });
}

describe('draft models: acceptance, auto, refusals', () => {
  let gpt2: InProcessModel;
  let llama: InProcessModel;
  let qwen: InProcessModel;
  before(async () => {
    gpt2 = await load(ref(path.join(modelsDir, 'tiny-gpt2')));
    llama = await load(ref(path.join(modelsDir, 'tiny-llama')));
    qwen = await load(ref(path.join(parityDir, 'qwen2')));
  });
  after(async () => {
    for (const m of [gpt2, llama, qwen]) await m?.release();
  });

  it('a model drafting for itself has its drafts accepted, so a step yields several tokens', async () => {
    const prompt = PROMPTS[1];
    const plain = await generateText(gpt2, request(prompt, 'off', 64));
    const fast = await generateText(gpt2, request(prompt, 'draft', 64), { draft: gpt2 });
    assert.deepStrictEqual(fast.tokens, plain.tokens);
    assert.ok(fast.draft, 'drafts were counted');
    // One run of several positions and runs of one may round differently; ties aside, every draft is the model's own choice.
    assert.ok(fast.draft.accepted >= 0.9 * fast.draft.proposed, JSON.stringify(fast.draft));
    assert.ok(fast.draft.proposed >= 32, JSON.stringify(fast.draft));
  });

  it('auto: exact with a draft model that agrees and one that does not; the draft model drafts where lookup finds nothing', async () => {
    for (const prompt of PROMPTS) {
      const plain = await generateText(gpt2, request(prompt, 'off'));
      // A draft model that agrees with the verifier (itself) and one that does not (random weights of another architecture).
      for (const draft of [gpt2, llama]) {
        const auto = await generateText(gpt2, request(prompt, 'auto'), { draft });
        assert.deepStrictEqual(auto.tokens, plain.tokens, prompt);
      }
    }
    // Nothing in this prompt repeats before the first drafts: lookup proposes none there, the draft model does.
    const fresh = 'Quiet rivers carve deep valleys';
    const lookupOnly = await generateText(gpt2, request(fresh, 'prompt-lookup', 12));
    const auto = await generateText(gpt2, request(fresh, 'auto', 12), { draft: gpt2 });
    assert.deepStrictEqual(auto.tokens, lookupOnly.tokens);
    assert.ok(
      (auto.draft?.proposed ?? 0) > (lookupOnly.draft?.proposed ?? 0),
      `${JSON.stringify(auto.draft)} vs ${JSON.stringify(lookupOnly.draft)}`,
    );
  });

  it('refuses a draft model with another tokenizer, and mode draft without a draft model, naming what to do', async () => {
    await assert.rejects(
      generateText(gpt2, request(PROMPTS[0], 'draft'), { draft: qwen }),
      (err: unknown) =>
        err instanceof GenerationError &&
        err.code === 'bad-request' &&
        /cannot draft for .*tiny-gpt2.*tokenizers differ/.test(err.message) &&
        err.message.includes('qwen2'),
    );
    await assert.rejects(
      generateText(gpt2, request(PROMPTS[0], 'draft')),
      (err: unknown) => err instanceof GenerationError && err.code === 'bad-request' && /needs one/.test(err.message),
    );
  });
});
