import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { formatProblems, ImageManifestError, parseImageManifest, validateImageManifest } from '../../../src/generation/image/manifest';

const fixtures = path.join(__dirname, '..', '..', 'fixtures', 'models');

const gan = {
  kind: 'gan',
  displayName: 'Inkwell GAN',
  license: 'MIT',
  onnx: 'generator.onnx',
  input: { name: 'z', shape: [-1, 64, 1, 1] },
  output: { name: 'image', layout: 'NCHW', channels: 4, range: 'tanh' },
  imageSize: 32,
};

const vae = {
  kind: 'vae',
  displayName: 'Inkwell VAE',
  license: 'MIT',
  decoder: {
    onnx: 'decoder.onnx',
    input: { name: 'z', shape: [-1, 32] },
    output: { name: 'image', layout: 'NCHW', channels: 4, range: 'sigmoid' },
  },
  encoder: { onnx: 'encoder.onnx', input: { name: 'image' }, outputs: { mean: 'mean', logvar: 'logvar' } },
  imageSize: 32,
};

/** The problems of an invalid manifest, as `field: message` strings. */
function problemsOf(value: unknown): string[] {
  const result = validateImageManifest(value);
  assert.strictEqual(result.ok, false, 'the manifest is rejected');
  return result.ok ? [] : result.problems.map((p) => `${p.field}: ${p.message}`);
}

describe('image manifest validator', () => {
  it('accepts the GAN and VAE schema the shipped models use', () => {
    const g = validateImageManifest(gan);
    assert.ok(g.ok);
    assert.deepStrictEqual(g.manifest, gan);
    const v = validateImageManifest(vae);
    assert.ok(v.ok);
    assert.deepStrictEqual(v.manifest, vae);
  });

  it('accepts every latent shape form, NHWC, gray and class inputs, and a VAE without encoder', () => {
    for (const shape of [
      [-1, 100],
      [-1, 100, 1, 1],
      [-1, 4, 8, 8],
      [1, 16],
    ]) {
      assert.ok(validateImageManifest({ ...gan, input: { name: 'z', shape } }).ok, JSON.stringify(shape));
    }
    const conditional = {
      ...gan,
      classInput: { name: 'label', classes: 10 },
      output: { name: 'img', layout: 'NHWC', channels: 1, range: 'sigmoid' },
    };
    assert.ok(validateImageManifest(conditional).ok);
    const { encoder: _encoder, ...decoderOnly } = vae;
    const r = validateImageManifest(decoderOnly);
    assert.ok(r.ok && r.manifest.kind === 'vae' && r.manifest.encoder === undefined);
  });

  it('accepts the fixture manifests on disk', () => {
    for (const dir of ['tiny-gan', 'tiny-gan/conditional', 'tiny-vae']) {
      const file = path.join(fixtures, dir, 'manifest.json');
      assert.doesNotThrow(() => parseImageManifest(fs.readFileSync(file, 'utf8'), file), dir);
    }
  });

  it('rejects an unknown kind and says which kinds exist', () => {
    assert.deepStrictEqual(problemsOf({ ...gan, kind: 'diffusion' }), ['kind: must be "gan" or "vae" (got "diffusion").']);
    assert.deepStrictEqual(problemsOf({ ...gan, kind: undefined }), ['kind: must be "gan" or "vae" (it is missing).']);
    assert.deepStrictEqual(problemsOf([gan]), [': must be a JSON object (got an array).']);
  });

  it('rejects bad latent shapes with the expected forms in the message', () => {
    const [three] = problemsOf({ ...gan, input: { name: 'z', shape: [-1, 64, 1] } });
    assert.match(
      three!,
      /^input\.shape: must be a batch axis \(-1\) followed by positive sizes, as \[-1, z\], \[-1, z, 1, 1\] or \[-1, C, h, w\] \(got an array of length 3\)\.$/,
    );
    assert.match(problemsOf({ ...gan, input: { name: 'z', shape: [-1, 0] } })[0]!, /^input\.shape: must be .*\(got \[-1,0\]\)/);
    assert.match(problemsOf({ ...gan, input: { name: 'z', shape: [-1, 1.5] } })[0]!, /whole numbers only/);
    assert.match(problemsOf({ ...gan, input: { name: 'z', shape: [-2, 8] } })[0]!, /must start with -1/);
    assert.match(problemsOf({ ...gan, input: { name: 'z' } })[0]!, /input\.shape: .*it is missing/);
  });

  it('rejects bad outputs, naming each field and the allowed values', () => {
    const problems = problemsOf({ ...gan, output: { name: 'image', layout: 'CHW', channels: 2, range: 'relu' } });
    assert.deepStrictEqual(problems, [
      'output.layout: must be "NCHW" or "NHWC" (got "CHW").',
      'output.channels: must be 1, 3 or 4 (got number 2).',
      'output.range: must be "tanh" (values in [-1, 1]) or "sigmoid" (values in [0, 1]) (got "relu").',
    ]);
  });

  it('reports every problem at once, with dotted paths into the VAE halves', () => {
    const problems = problemsOf({
      kind: 'vae',
      license: '',
      decoder: {
        onnx: '../escape.onnx',
        input: { name: 'z', shape: [-1, 8] },
        output: { name: 'image', layout: 'NCHW', channels: 3, range: 'tanh' },
      },
      encoder: { onnx: 'encoder.onnx', input: {}, outputs: { logvar: 'logvar' } },
      imageSize: 0,
    });
    assert.deepStrictEqual(problems, [
      'displayName: must be a non-empty string (it is missing).',
      'license: must be a non-empty string (got "").',
      'imageSize: must be a whole number from 1 to 4096 (got number 0).',
      'decoder.onnx: must be a path inside the model folder (got "../escape.onnx").',
      'encoder.input.name: must be a non-empty string (it is missing).',
      'encoder.outputs.mean: must be a non-empty string (it is missing).',
    ]);
  });

  it('rejects a class input that reuses the latent name or has no classes', () => {
    assert.match(
      problemsOf({ ...gan, classInput: { name: 'z', classes: 3 } })[0]!,
      /classInput\.name: must differ from the latent input's name \("z"\)/,
    );
    assert.match(
      problemsOf({ ...gan, classInput: { name: 'label', classes: 0 } })[0]!,
      /classInput\.classes: must be a whole number from 1/,
    );
  });

  it('parseImageManifest throws one readable message for JSON errors and for schema errors', () => {
    assert.throws(
      () => parseImageManifest('{ kind: gan', 'm/manifest.json'),
      (err: unknown) => {
        assert.ok(err instanceof ImageManifestError);
        assert.match(err.message, /^Image model manifest m\/manifest\.json: is not valid JSON \(/);
        return true;
      },
    );
    assert.throws(
      () => parseImageManifest(JSON.stringify({ ...gan, imageSize: 'big', onnx: '/abs.onnx' })),
      (err: unknown) => {
        assert.ok(err instanceof ImageManifestError);
        assert.strictEqual(err.problems.length, 2);
        assert.strictEqual(err.message, formatProblems(err.problems));
        assert.match(err.message, /^Image model manifest has 2 problems:\n- `imageSize` must be a whole number/);
        return true;
      },
    );
  });
});
