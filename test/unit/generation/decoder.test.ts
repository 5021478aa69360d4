import * as assert from 'assert';
import { generateText } from '../../../src/generation/generate';
import { expectedFor, greedy, loadFixture } from './fixtures';

describe('decode loop on a real model', () => {
  let model: Awaited<ReturnType<typeof loadFixture>>;
  const c = expectedFor('tiny-gpt2').cases[0];
  before(async () => {
    model = await loadFixture('tiny-gpt2');
  });
  after(async () => {
    await model?.session.release();
  });

  it('stops at an end-of-text token and leaves it out of the result', async () => {
    // Declare the fifth greedy token the model's EOS: generation must end right before it.
    const eos = c.greedy_ids[4];
    const result = await generateText(
      { ...model, spec: { ...model.spec, eosTokenIds: [eos] } },
      { prompt: c.prompt, maxTokens: 24, stop: [], sampling: greedy },
    );
    assert.strictEqual(result.stopReason, 'eos');
    assert.deepStrictEqual(result.tokens, c.greedy_ids.slice(0, c.greedy_ids.indexOf(eos)));
  });

  it('stops when the context is full, after cutting a long prompt from the left', async () => {
    const prompt = 'word '.repeat(400);
    const result = await generateText(model, { prompt, maxTokens: 1000, stop: [], sampling: greedy });
    assert.ok(result.promptTokensDropped > 0);
    assert.strictEqual(result.promptTokens.length + result.promptTokensDropped, model.tokenizer.encode(prompt).length);
    assert.strictEqual(result.stopReason, 'context-full');
    assert.strictEqual(result.promptTokens.length + result.tokens.length, model.spec.contextLength);
  });

  it('samples reproducibly with a seed and differently with another', async () => {
    const sampling = { temperature: 1, topK: 0, topP: 0.9, repetitionPenalty: 1.2, seed: 5 };
    const a = await generateText(model, { prompt: c.prompt, maxTokens: 16, stop: [], sampling });
    const b = await generateText(model, { prompt: c.prompt, maxTokens: 16, stop: [], sampling });
    const other = await generateText(model, { prompt: c.prompt, maxTokens: 16, stop: [], sampling: { ...sampling, seed: 6 } });
    assert.deepStrictEqual(a.tokens, b.tokens);
    assert.notDeepStrictEqual(a.tokens, other.tokens);
    assert.strictEqual(a.text, model.tokenizer.decode(a.tokens));
  });
});
