import * as assert from 'assert';
import * as path from 'path';
import { RuntimeClient } from '../../../src/runtime/client';
import { RuntimeError } from '../../../src/runtime/runtimeError';
import { decodePng } from '../../../src/generation/image/png';
import { readProvenance } from '../../../src/generation/image/provenance';
import { runtimeScript } from '../runtime/buildRuntime';

const fixtures = path.join(__dirname, '..', '..', 'fixtures', 'models');
const gan = path.join(fixtures, 'tiny-gan');
const vae = path.join(fixtures, 'tiny-vae');

describe('image methods of the runtime process', function () {
  this.timeout(60000);
  let client: RuntimeClient;

  before(async () => {
    client = new RuntimeClient({ scriptPath: await runtimeScript(), options: () => ({ threads: 1 }), idleShutdownMs: () => 0 });
  });
  after(() => client.dispose());

  it('image.generate returns one PNG per seed, thumbnails at the model size or scaled to a size', async () => {
    const thumbs = await client.request('image.generate', { model: gan, seeds: [1, 2, 3], size: 0, upscale: 'smooth' });
    assert.strictEqual(thumbs.modelName, 'tiny-gan');
    assert.strictEqual(thumbs.modelKind, 'gan');
    assert.deepStrictEqual(
      thumbs.candidates.map((c) => c.seed),
      [1, 2, 3],
    );
    assert.deepStrictEqual(
      [thumbs.candidates[0]!.width, decodePng(Buffer.from(thumbs.candidates[0]!.pngBase64, 'base64')).width],
      [32, 32],
    );
    const big = await client.request('image.generate', { model: gan, seeds: [2], size: 80, upscale: 'nearest' });
    assert.strictEqual(decodePng(Buffer.from(big.candidates[0]!.pngBase64, 'base64')).width, 80);
    assert.strictEqual(big.loadMs, 0, 'the model stays loaded between requests');
  });

  it('image.render recreates a candidate from its provenance, at any size, with the same pixels', async () => {
    const [c] = (await client.request('image.generate', { model: gan, seeds: [42], size: 64, upscale: 'smooth' })).candidates;
    const again = await client.request('image.render', { model: gan, provenance: c!.provenance, size: 64, upscale: 'smooth' });
    const a = decodePng(Buffer.from(c!.pngBase64, 'base64'));
    const b = decodePng(Buffer.from(again.candidates[0]!.pngBase64, 'base64'));
    assert.deepStrictEqual(Array.from(b.data), Array.from(a.data));
    assert.deepStrictEqual(readProvenance(b.text), c!.provenance);
  });

  it('image.variations encodes a PNG with a VAE; image.blend interpolates two sources', async () => {
    const [source] = (await client.request('image.generate', { model: vae, seeds: [5], size: 0, upscale: 'smooth' })).candidates;
    const vars = await client.request('image.variations', {
      model: vae,
      source: { pngBase64: source!.pngBase64 },
      seeds: [1, 2],
      strength: 0.5,
      size: 0,
      upscale: 'smooth',
    });
    assert.strictEqual(vars.candidates.length, 2);
    assert.ok(vars.candidates.every((c) => c.provenance.method === 'variation' && c.provenance.latent?.length === 8));
    const blend = await client.request('image.blend', {
      model: vae,
      a: { seed: 5 },
      b: { latent: vars.candidates[0]!.provenance.latent! },
      count: 3,
      size: 0,
      upscale: 'smooth',
    });
    assert.deepStrictEqual(
      blend.candidates.map((c) => c.t),
      [0.25, 0.5, 0.75],
    );
    assert.deepStrictEqual(blend.candidates[0]!.provenance.parentSeeds, [5]);
  });

  it('refuses what it cannot do with coded errors and messages that say why', async () => {
    const reject = async (p: Promise<unknown>, code: string, message: RegExp) =>
      assert.rejects(p, (err: unknown) => err instanceof RuntimeError && err.code === code && message.test(err.message));
    await reject(
      client.request('image.variations', {
        model: gan,
        source: { pngBase64: 'AAAA' },
        seeds: [1],
        strength: 0.5,
        size: 0,
        upscale: 'smooth',
      }),
      'bad-request',
      /has no encoder/,
    );
    await reject(client.request('image.generate', { model: gan, seeds: [], size: 0, upscale: 'smooth' }), 'bad-request', /1 to 256 images/);
    await reject(
      client.request('image.generate', { model: path.join(fixtures, 'missing'), seeds: [1], size: 0, upscale: 'smooth' }),
      'model-not-found',
      /Image model folder not found/,
    );
    await reject(
      client.request('image.render', {
        model: vae,
        provenance: { format: 1, model: 'x', modelKind: 'vae', method: 'variation', seed: 1, latent: [1, 2], size: 8, upscale: 'smooth' },
        size: 8,
        upscale: 'smooth',
      }),
      'bad-request',
      /2 latent values, but tiny-vae takes 8/,
    );
  });

  it('model.check reports image models', async () => {
    const check = await client.request('model.check', { model: path.join(fixtures, 'tiny-gan', 'conditional') });
    assert.strictEqual(check.kind, 'image');
    if (check.kind !== 'image') return;
    assert.strictEqual(check.classes, 3);
    assert.strictEqual(check.canEncode, false);
    assert.deepStrictEqual(check.inputs.map((i) => i.name).sort(), ['label', 'z']);
    assert.deepStrictEqual([check.sample.width, check.sample.height], [16, 16]);
  });
});
