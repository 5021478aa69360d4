import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { run as imageCommand } from '../../../src/cli/imageCommand';
import type { CliIo } from '../../../src/cli/io';
import { loadImageModel, LoadedImageModel } from '../../../src/runtime/process/handlers/image';
import { renderPng } from '../../../src/generation/image/render';
import { decodePng } from '../../../src/generation/image/png';
import { readProvenance } from '../../../src/generation/image/provenance';
import { RgbaImage } from '../../../src/generation/image/pixels';

const fixtures = path.join(__dirname, '..', '..', 'fixtures', 'models');
const open = (dir: string) => loadImageModel(ort, (file) => ort.InferenceSession.create(file), path.join(fixtures, dir));

async function release(m: LoadedImageModel): Promise<void> {
  await m.decoder.release();
  await m.encoder?.release();
}

/** Mean absolute difference per channel value, 0-255. */
function difference(a: RgbaImage, b: RgbaImage): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

describe('image generation with the fixture models', function () {
  this.timeout(30000);
  const loaded: LoadedImageModel[] = [];
  after(async () => Promise.all(loaded.map(release)));
  const load = async (dir: string) => {
    const m = await open(dir);
    loaded.push(m);
    return m;
  };

  it('the same seed gives identical PNG bytes, across separately loaded sessions', async () => {
    const [a, b] = [await load('tiny-gan'), await load('tiny-gan')];
    const render = { size: 64, upscale: 'smooth' as const };
    const [ia] = await a.generator.generate([1234]);
    const [ib] = await b.generator.generate([1234]);
    const pa = renderPng(a.generator, ia!, render);
    const pb = renderPng(b.generator, ib!, render);
    assert.ok(pa.equals(pb), 'byte-identical PNGs');
    const [other] = await a.generator.generate([1235]);
    assert.ok(!renderPng(a.generator, other!, render).equals(pa), 'another seed gives another image');
  });

  it('a candidate is the same whether generated alone or inside a batch', async () => {
    const { generator } = await load('tiny-gan');
    const batch = await generator.generate([5, 6, 7, 8]);
    const [alone] = await generator.generate([7]);
    assert.deepStrictEqual(Array.from(alone!.image.data), Array.from(batch[2]!.image.data));
  });

  it('writes PNGs of the display size that carry their provenance', async () => {
    const { generator } = await load('tiny-gan');
    const [img] = await generator.generate([99]);
    assert.strictEqual(img!.image.width, 32);
    const png = decodePng(renderPng(generator, img!, { size: 100, upscale: 'nearest' }));
    assert.strictEqual(png.width, 100);
    assert.strictEqual(png.height, 100);
    assert.deepStrictEqual(readProvenance(png.text), {
      format: 1,
      model: 'tiny-gan',
      modelKind: 'gan',
      method: 'sample',
      seed: 99,
      size: 100,
      upscale: 'nearest',
    });
  });

  it('a conditional model takes labels: each label changes the image, a bad label is refused', async () => {
    const { generator } = await load('tiny-gan/conditional');
    assert.strictEqual(generator.classes, 3);
    const [l0] = await generator.generate([1], { label: 0 });
    const [l2] = await generator.generate([1], { label: 2 });
    assert.strictEqual(l0!.image.width, 16);
    assert.ok(difference(l0!.image, l2!.image) > 0.5, 'labels matter');
    const auto = await generator.generate([3, 4, 5]);
    assert.deepStrictEqual(
      auto.map((g) => g.label),
      [0, 1, 2],
      'labels follow the seed when none is given',
    );
    await assert.rejects(generator.generate([1], { label: 3 }), /Class label 3 is out of range: this model has classes 0 to 2/);
  });

  it('VAE variations stay close to their source and grow apart with strength; blends go between', async () => {
    const { generator } = await load('tiny-vae');
    assert.ok(generator.canEncode);
    const [source] = await generator.generate([21]);
    const [encoded] = await generator.encode([source!.image]);
    const [same] = await generator.variations(encoded!, [1], 0);
    const [near] = await generator.variations(encoded!, [1], 0.3);
    const [far] = await generator.variations(encoded!, [1], 3);
    assert.deepStrictEqual(Array.from(same!.latent), Array.from(encoded!.mean));
    assert.ok(difference(near!.image, same!.image) < difference(far!.image, same!.image), 'more strength, more change');
    const [other] = await generator.generate([22]);
    const blends = await generator.blend(source!.latent, other!.latent, 3);
    assert.deepStrictEqual(
      blends.map((b) => b.t),
      [0.25, 0.5, 0.75],
    );
    const toA = blends.map((b) => difference(b.image, source!.image));
    assert.ok(toA[0]! < toA[2]!, 'the first blend is closer to the first parent than the last is');
  });

  it('an abort stops the work before its next batch, as cancelled; every batch started is reported', async () => {
    const { generator } = await load('tiny-gan');
    const seeds = Array.from({ length: 40 }, (_, i) => i);
    let batches = 0;
    const whole = await generator.generate(seeds, { onBatch: () => batches++ });
    assert.strictEqual(whole.length, 40);
    assert.strictEqual(batches, 3, '40 images in batches of at most 16');
    const controller = new AbortController();
    let started = 0;
    await assert.rejects(
      generator.generate(seeds, {
        signal: controller.signal,
        onBatch: () => {
          started++;
          controller.abort();
        },
      }),
      (err: unknown) => (err as { code?: string }).code === 'cancelled' && /cancelled/.test((err as Error).message),
    );
    assert.strictEqual(started, 1, 'no batch after the abort');
  });

  it('a GAN refuses to encode, with a message that says what to use instead', async () => {
    const { generator } = await load('tiny-gan');
    await assert.rejects(
      generator.encode([{ width: 1, height: 1, data: new Uint8Array(4) }]),
      /has no encoder.*Use a VAE whose manifest lists an encoder/,
    );
  });

  it('a manifest naming an input the graph lacks fails with both names', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-bad-gan-'));
    try {
      fs.copyFileSync(path.join(fixtures, 'tiny-gan', 'generator.onnx'), path.join(dir, 'generator.onnx'));
      const manifest = JSON.parse(fs.readFileSync(path.join(fixtures, 'tiny-gan', 'manifest.json'), 'utf8'));
      manifest.input.name = 'noise';
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
      await assert.rejects(
        loadImageModel(ort, (file) => ort.InferenceSession.create(file), dir),
        /manifest\.json names input "noise" \(the graph has "z"\) that generator\.onnx does not have/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The subcommand is called directly: main.ts loads it with a dynamic import, which the
// CommonJS test loader does not transform.
describe('inkwell image (CLI)', function () {
  this.timeout(30000);

  function capture(cwd: string): CliIo & { lines: string[]; errors: string[] } {
    const lines: string[] = [];
    const errors: string[] = [];
    return { lines, errors, cwd, out: (l) => lines.push(l), err: (l) => errors.push(l) };
  }

  it('writes --count PNGs of --size pixels from --seed and prints their paths', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-cli-'));
    try {
      const io = capture(process.cwd());
      const code = await imageCommand(
        ['--model', path.join(fixtures, 'tiny-gan'), '--count', '3', '--seed', '10', '--size', '48', '--out', out],
        io,
      );
      assert.strictEqual(code, 0, io.errors.join('\n'));
      assert.deepStrictEqual(
        io.lines,
        [10, 11, 12].map((s) => path.join(out, `tiny-gan-${s}.png`)),
      );
      for (const file of io.lines) {
        const png = decodePng(fs.readFileSync(file));
        assert.deepStrictEqual([png.width, png.height], [48, 48]);
      }
      // Running again gives the same bytes.
      const first = fs.readFileSync(io.lines[1]!);
      const again = capture(process.cwd());
      await imageCommand(['--model', path.join(fixtures, 'tiny-gan'), '--count', '1', '--seed', '11', '--size', '48', '--out', out], again);
      assert.ok(fs.readFileSync(again.lines[0]!).equals(first));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('explains a missing model and bad options', async () => {
    const io = capture(process.cwd());
    assert.strictEqual(await imageCommand(['--model', 'no-such-model', '--out', os.tmpdir()], io), 1);
    assert.match(io.errors[0]!, /no image model 'no-such-model': give a folder with a manifest\.json/);
    const bad = capture(process.cwd());
    assert.strictEqual(await imageCommand(['--count', 'lots', '--out', 'x'], bad), 2);
    assert.match(bad.errors[0]!, /--count must be a whole number from 1 to 256 \(got 'lots'\)/);
    const none = capture(process.cwd());
    assert.strictEqual(await imageCommand([], none), 2);
    assert.match(none.errors[0]!, /--out DIR is required/);
  });
});
