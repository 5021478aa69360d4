import * as assert from 'assert';
import { decoderSignature } from '../../../src/generation/decoder';
import { encodePrompt, generateText } from '../../../src/generation/generate';
import { expectedFor, fixtureModels, greedy, loadFixture } from './fixtures';

// Inkwell's greedy decoding must reproduce PyTorch's, token for token, running
// the exported ONNX files in the real onnxruntime-node.
for (const name of fixtureModels) {
  describe(`greedy parity with PyTorch: ${name}`, () => {
    const expected = expectedFor(name);
    let model: Awaited<ReturnType<typeof loadFixture>>;
    before(async () => {
      model = await loadFixture(name);
    });
    after(async () => {
      await model?.session.release();
    });

    it('reads the graph wiring: KV cache, and logits for the last position only where the export allows', () => {
      const signature = decoderSignature(model.session, model.spec, model.onnxFile);
      assert.strictEqual(signature.hasKvCache, name !== 'tiny-gpt2/no-past');
      assert.strictEqual(signature.hasLogitsToKeep, name === 'tiny-llama');
    });

    for (const c of expected.cases) {
      it(`continues ${JSON.stringify(c.prompt)} like PyTorch`, async () => {
        assert.deepStrictEqual(encodePrompt(model, c.prompt), c.prompt_ids, 'prompt ids match the reference tokenizer');
        const result = await generateText(model, { prompt: c.prompt, maxTokens: expected.steps, stop: [], sampling: greedy });
        assert.deepStrictEqual(result.tokens, c.greedy_ids);
        assert.deepStrictEqual(result.promptTokens, c.prompt_ids);
        assert.strictEqual(result.stopReason, c.greedy_ids.length < expected.steps ? 'eos' : 'max-tokens');
        assert.strictEqual(result.usedKvCache, name !== 'tiny-gpt2/no-past');
        assert.strictEqual(result.text, model.tokenizer.decode(c.greedy_ids));
      });
    }
  });
}
