import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RuntimeClient } from '../../../src/runtime/client';
import { greedy, modelsDir } from '../generation/fixtures';
import { runtimeScript } from './buildRuntime';
import { rejection } from './outcomes';
import { writeShortBatchGan, writeTextModel } from './onnxModels';

/** Models that load but are wrong: each must fail with a message that says what is wrong. */
describe('runtime: models that load but cannot be used', function () {
  this.timeout(30000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-bad-models-'));
  let client: RuntimeClient;
  const generate = (model: string) =>
    client.request('text.generate', { model, prompt: 'Hello there', maxTokens: 4, stop: [], sampling: greedy });

  before(async () => {
    client = new RuntimeClient({ scriptPath: await runtimeScript(), options: () => ({ threads: 1 }), idleShutdownMs: () => 0 });
  });
  after(() => {
    client.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('generates with the test decoder when nothing is wrong', async () => {
    const result = await generate(writeTextModel(path.join(tmp, 'fine')));
    assert.deepStrictEqual(result.tokens, [0, 0, 0, 0]);
  });

  for (const kind of ['nan', 'inf'] as const) {
    it(`rejects ${kind === 'nan' ? 'NaN' : 'infinite'} logits`, async () => {
      const model = writeTextModel(path.join(tmp, `logits-${kind}`), { kind });
      const err = await rejection(generate(model));
      assert.strictEqual(err.code, 'inference-failed');
      assert.match(
        err.message,
        new RegExp(
          `returned a logit of ${kind === 'nan' ? 'NaN' : 'Infinity'} \\(token 0\\) after 0 generated tokens; a model that computes NaN or infinite scores cannot be sampled`,
        ),
      );
    });
  }

  it('rejects logits with no position in them', async () => {
    const err = await rejection(generate(writeTextModel(path.join(tmp, 'logits-empty'), { kind: 'empty' })));
    assert.strictEqual(err.code, 'model-invalid');
    assert.match(err.message, /returned logits of type float32 and shape \[1, 0, 50257\]; expected float32 \[batch, sequence, 50257\]/);
  });

  it('refuses an encoder such as BERT', async () => {
    const model = writeTextModel(path.join(tmp, 'bert'), undefined, { model_type: 'bert', architectures: ['BertForMaskedLM'] });
    const err = await rejection(generate(model));
    assert.strictEqual(err.code, 'model-invalid');
    assert.match(
      err.message,
      /config\.json: model_type "bert" is not a decoder-only language model\. Inkwell continues text with decoder-only models/,
    );
    const check = await rejection(client.request('model.check', { model }));
    assert.strictEqual(check.code, 'model-invalid');
  });

  for (const [key, label] of [
    ['vocab_size', 'vocabulary'],
    ['n_positions', 'context'],
  ] as const) {
    it(`refuses a ${label} of 1e9 before allocating for it`, async () => {
      const model = writeTextModel(path.join(tmp, `huge-${key}`), undefined, { [key]: 1e9 });
      const err = await rejection(generate(model));
      assert.strictEqual(err.code, 'model-invalid');
      assert.match(
        err.message,
        /declares a vocabulary of \d+ tokens and a context of \d+ tokens; generating with them would need [\d.]+ GB of working memory before the model runs/,
      );
      assert.doesNotMatch(err.message, /allocation failed/);
    });
  }

  it('rejects an image batch smaller than the one asked for', async () => {
    const model = writeShortBatchGan(path.join(tmp, 'short-gan'));
    const one = await client.request('image.generate', { model, seeds: [1], size: 0, upscale: 'nearest' });
    assert.strictEqual(one.candidates.length, 1);
    const err = await rejection(client.request('image.generate', { model, seeds: [1, 2, 3, 4], size: 0, upscale: 'nearest' }));
    assert.strictEqual(err.code, 'inference-failed');
    assert.match(err.message, /The model returned 1 image\(s\) for a batch of 4 latents \(output "image" has shape \[1, 3, 8, 8\]\)/);
  });

  it('still runs the fixture models', async () => {
    const result = await generate(path.join(modelsDir, 'tiny-llama'));
    assert.strictEqual(result.tokens.length, 4);
  });
});
