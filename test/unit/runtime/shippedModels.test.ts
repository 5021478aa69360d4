import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { decodePng } from '../../../src/generation/image/png';
import { greedy } from '../generation/fixtures';
import { RuntimeClient } from '../../../src/runtime/client';
import type { TextGenerateChunk } from '../../../src/runtime/protocol';
import { runtimeScript } from './buildRuntime';

const shipped = path.join(__dirname, '..', '..', '..', 'models');

/** The models Inkwell ships, loaded through the same runtime process the editor uses. */
describe('shipped models through the runtime process', function () {
  this.timeout(120000);
  let client: RuntimeClient;

  before(async () => {
    client = new RuntimeClient({ scriptPath: await runtimeScript(), options: () => ({ threads: 1 }), idleShutdownMs: () => 0 });
  });
  after(() => client.dispose());

  it('inkwell-gpt passes Check Model and continues a sentence with real words, the same way twice', async () => {
    const model = path.join(shipped, 'inkwell-gpt');
    const check = await client.request('model.check', { model });
    assert.strictEqual(check.kind, 'text');
    const prompt = 'Writing a blog post about programming is';
    const chunks: TextGenerateChunk[] = [];
    const first = await client.request(
      'text.generate',
      { model, prompt, maxTokens: 24, stop: [], sampling: greedy },
      { onStream: (chunk) => chunks.push(chunk) },
    );
    assert.strictEqual(first.tokens.length, 24);
    assert.ok(chunks.length > 1, 'tokens stream as they are generated');
    assert.ok(/[a-z]{3,}/i.test(first.text), `the continuation has words: ${JSON.stringify(first.text)}`);
    assert.ok(first.promptTokens.length > 3 && first.promptTokens.length < prompt.length, 'the BPE tokenizer merges characters');
    const again = await client.request('text.generate', { model, prompt, maxTokens: 24, stop: [], sampling: greedy });
    assert.deepStrictEqual(again.tokens, first.tokens, 'greedy decoding is deterministic');
  });

  it('inkwell-gpt loads and writes words in every variant it ships (fp32, int8, q4)', async () => {
    const model = path.join(shipped, 'inkwell-gpt');
    const variants = (['fp32', 'int8', 'q4'] as const).filter((d) =>
      fs.existsSync(path.join(model, 'onnx', d === 'fp32' ? 'model.onnx' : `model_${d}.onnx`)),
    );
    assert.ok(variants.includes('fp32'));
    for (const dtype of variants) {
      const r = await client.request('text.generate', {
        model,
        dtype,
        prompt: 'My favourite tool for taking notes is',
        maxTokens: 24,
        stop: [],
        sampling: greedy,
      });
      assert.strictEqual(r.tokens.length, 24, dtype);
      assert.ok(/[a-z]{3,}/i.test(r.text), `${dtype} writes words: ${JSON.stringify(r.text)}`);
    }
  });

  it('inkwell-gpt ends a continuation at a sentence end near its token limit instead of mid-sentence', async () => {
    const model = path.join(shipped, 'inkwell-gpt');
    const prompt = 'The best way to learn a new language is';
    // The greedy continuation without the rule, and the text after each token.
    const textAfter: string[] = [''];
    let text = '';
    const reference = await client.request(
      'text.generate',
      { model, prompt, maxTokens: 60, stop: [], sampling: greedy },
      {
        onStream: (chunk) => {
          text += chunk.text;
          textAfter[chunk.generatedTokens] = text;
        },
      },
    );
    // Its first sentence end (punctuation, or a blank line) after the 10th token, and the token that
    // confirmed it: the first after which the text so far shows that end (a blank line needs both breaks).
    const firstEnd = (t: string) => {
      const end = /[.!?](?=\s)|\S(?=\n\s*\n)/g;
      end.lastIndex = textAfter[10]!.length;
      return end.exec(t);
    };
    const match = firstEnd(reference.text);
    assert.ok(match, `the reference has a sentence end: ${JSON.stringify(reference.text)}`);
    const cut = match.index + match[0].length;
    const confirmedAt = textAfter.findIndex((t) => t !== undefined && firstEnd(t)?.index === match.index);
    // A budget whose last 20% (where sentence ends count) starts at or before the token that wrote the
    // sentence's last character, and that goes on past the confirming token.
    const writtenAt = textAfter.findIndex((t) => t !== undefined && t.length >= cut);
    const maxTokens = Math.floor(writtenAt / 0.8);
    assert.ok(
      Math.ceil(maxTokens * 0.8) <= writtenAt && confirmedAt < maxTokens,
      `budget ${maxTokens}, sentence written at token ${writtenAt}, confirmed at token ${confirmedAt}`,
    );

    let streamed = '';
    const ended = await client.request(
      'text.generate',
      { model, prompt, maxTokens, stop: [], sampling: greedy, endAtSentence: true },
      { onStream: (chunk) => (streamed += chunk.text) },
    );
    assert.strictEqual(ended.stopReason, 'sentence-end');
    assert.strictEqual(ended.text, reference.text.slice(0, cut), 'the text ends with the sentence');
    assert.strictEqual(streamed, ended.text, 'nothing past the sentence end streamed');
    assert.strictEqual(ended.tokens.length, confirmedAt, 'generation stopped there, before the limit');
    // Without the rule the same budget ends mid-sentence, past the sentence end.
    const plain = await client.request('text.generate', { model, prompt, maxTokens, stop: [], sampling: greedy });
    assert.strictEqual(plain.stopReason, 'max-tokens');
    assert.ok(plain.text.length > cut);
  });

  for (const name of ['inkwell-gan', 'inkwell-vae']) {
    it(`${name} generates distinct 32 px PNGs from different seeds and the same bytes from the same seed`, async () => {
      const model = path.join(shipped, name);
      const batch = await client.request('image.generate', { model, seeds: [1, 2], size: 0, upscale: 'smooth' });
      assert.strictEqual(batch.candidates.length, 2);
      const [a, b] = batch.candidates.map((c) => decodePng(Buffer.from(c.pngBase64, 'base64')));
      assert.deepStrictEqual([a!.width, a!.height], [32, 32]);
      assert.notDeepStrictEqual(Array.from(a!.data), Array.from(b!.data), 'different seeds give different pictures');
      const again = await client.request('image.generate', { model, seeds: [1], size: 0, upscale: 'smooth' });
      assert.strictEqual(again.candidates[0]!.pngBase64, batch.candidates[0]!.pngBase64);
    });
  }
});
