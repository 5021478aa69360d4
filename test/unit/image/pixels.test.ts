import * as assert from 'assert';
import { cropToSquare, imagesToTensor, resizeImage, RgbaImage, tensorToImages } from '../../../src/generation/image/pixels';
import { decodePng, encodePng, readPngText } from '../../../src/generation/image/png';
import { readProvenance, provenanceText, ImageProvenance } from '../../../src/generation/image/provenance';
import * as fs from 'fs';
import * as path from 'path';

function solid(width: number, height: number, rgba: [number, number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
  return { width, height, data };
}

function pixel(img: RgbaImage, x: number, y: number): number[] {
  const i = (y * img.width + x) * 4;
  return Array.from(img.data.subarray(i, i + 4));
}

describe('tensor to pixels', () => {
  it('reads NCHW RGBA in tanh range', () => {
    // One 1x2 image: channel planes R, G, B, A.
    const data = [-1, 1, /* G */ 0, 0, /* B */ 1, -1, /* A */ 1, 1];
    const [img] = tensorToImages(data, [1, 4, 1, 2], { name: 'image', layout: 'NCHW', channels: 4, range: 'tanh' });
    assert.deepStrictEqual(pixel(img!, 0, 0), [0, 128, 255, 255]);
    assert.deepStrictEqual(pixel(img!, 1, 0), [255, 128, 0, 255]);
  });

  it('reads NHWC gray in sigmoid range, clamping out-of-range values and NaN', () => {
    const data = [0, 0.5, 1.7, NaN];
    const images = tensorToImages(data, [2, 1, 2, 1], { name: 'y', layout: 'NHWC', channels: 1, range: 'sigmoid' });
    assert.strictEqual(images.length, 2);
    assert.deepStrictEqual(pixel(images[0]!, 1, 0), [128, 128, 128, 255]);
    assert.deepStrictEqual(pixel(images[1]!, 0, 0), [255, 255, 255, 255]);
    assert.deepStrictEqual(pixel(images[1]!, 1, 0), [0, 0, 0, 255]);
  });

  it('explains a channel mismatch between the tensor and the manifest', () => {
    assert.throws(
      () => tensorToImages(new Float32Array(12), [1, 3, 2, 2], { name: 'image', layout: 'NHWC', channels: 3, range: 'tanh' }),
      /has shape \[1,3,2,2\]: 2 channels in NHWC order, but the manifest says 3\. Check output\.layout and output\.channels\./,
    );
  });

  it('packs images back into the tensor they came from', () => {
    const spec = { name: 'image', layout: 'NCHW' as const, channels: 3 as const, range: 'sigmoid' as const };
    const data = Float32Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => ((i * 17) % 256) / 255);
    const images = tensorToImages(data, [2, 3, 2, 2], spec);
    const back = imagesToTensor(images, spec);
    assert.deepStrictEqual(back.dims, [2, 3, 2, 2]);
    back.data.forEach((v, i) => assert.ok(Math.abs(v - data[i]!) < 1 / 255, `value ${i}`));
  });
});

describe('resizing', () => {
  it('nearest repeats each pixel into a block', () => {
    const img: RgbaImage = { width: 2, height: 1, data: Uint8Array.from([255, 0, 0, 255, 0, 0, 255, 255]) };
    const big = resizeImage(img, 4, 2, 'nearest');
    assert.deepStrictEqual(
      [pixel(big, 0, 0), pixel(big, 1, 1), pixel(big, 2, 0), pixel(big, 3, 1)],
      [
        [255, 0, 0, 255],
        [255, 0, 0, 255],
        [0, 0, 255, 255],
        [0, 0, 255, 255],
      ],
    );
  });

  it('smooth keeps a flat colour flat and blends across an edge', () => {
    const flat = resizeImage(solid(3, 3, [10, 200, 30, 255]), 17, 17, 'smooth');
    for (let i = 0; i < flat.data.length; i += 4) assert.deepStrictEqual(Array.from(flat.data.subarray(i, i + 4)), [10, 200, 30, 255]);
    const edge: RgbaImage = { width: 2, height: 1, data: Uint8Array.from([0, 0, 0, 255, 255, 255, 255, 255]) };
    const row = resizeImage(edge, 8, 1, 'smooth');
    const reds = Array.from({ length: 8 }, (_, x) => pixel(row, x, 0)[0]!);
    for (let x = 1; x < 8; x++) assert.ok(reds[x]! >= reds[x - 1]!, 'monotonic across the edge');
    assert.ok(
      reds.some((r) => r > 0 && r < 255),
      'in-between values appear',
    );
  });

  it('smooth does not darken colour next to transparent pixels', () => {
    const img: RgbaImage = { width: 2, height: 1, data: Uint8Array.from([255, 255, 255, 255, 0, 0, 0, 0]) };
    const row = resizeImage(img, 6, 1, 'smooth');
    for (let x = 0; x < 6; x++) {
      const [r, , , a] = pixel(row, x, 0);
      if (a! > 0) assert.strictEqual(r, 255, `pixel ${x} stays white (alpha ${a})`);
    }
  });

  it('crops the centred square of a wide or tall image', () => {
    const wide: RgbaImage = { width: 3, height: 1, data: Uint8Array.from([1, 1, 1, 255, 2, 2, 2, 255, 3, 3, 3, 255]) };
    const sq = cropToSquare(wide);
    assert.deepStrictEqual([sq.width, sq.height, ...pixel(sq, 0, 0)], [1, 1, 2, 2, 2, 255]);
    const tall: RgbaImage = { width: 1, height: 2, data: Uint8Array.from([9, 9, 9, 255, 8, 8, 8, 255]) };
    assert.deepStrictEqual(pixel(cropToSquare(tall), 0, 0), [9, 9, 9, 255]);
  });

  it('shrinking averages boxes', () => {
    const checker: RgbaImage = {
      width: 2,
      height: 2,
      data: Uint8Array.from([0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 255]),
    };
    assert.deepStrictEqual(pixel(resizeImage(checker, 1, 1, 'smooth'), 0, 0), [128, 128, 128, 255]);
  });
});

describe('PNG encoding', () => {
  const img: RgbaImage = { width: 3, height: 2, data: Uint8Array.from({ length: 24 }, (_, i) => (i * 37) % 256) };

  it('round-trips pixels and text chunks, Latin-1 as tEXt and Unicode as iTXt', () => {
    const bytes = encodePng(img, [
      { keyword: 'Software', text: 'Inkwell' },
      { keyword: 'Title', text: 'Ünïcödé ✓ 画像' },
    ]);
    assert.ok(bytes.includes(Buffer.from('tEXtSoftware')));
    assert.ok(bytes.includes(Buffer.from('iTXtTitle')));
    const back = decodePng(bytes);
    assert.strictEqual(back.width, 3);
    assert.strictEqual(back.height, 2);
    assert.deepStrictEqual(Array.from(back.data), Array.from(img.data));
    assert.deepStrictEqual(back.text, { Software: 'Inkwell', Title: 'Ünïcödé ✓ 画像' });
  });

  it('is deterministic', () => {
    assert.ok(encodePng(img, [{ keyword: 'a', text: 'b' }]).equals(encodePng(img, [{ keyword: 'a', text: 'b' }])));
  });

  it('rejects keywords PNG does not allow', () => {
    assert.throws(() => encodePng(img, [{ keyword: ' lead', text: '' }]), /Invalid PNG text keyword/);
    assert.throws(() => encodePng(img, [{ keyword: 'x'.repeat(80), text: '' }]), /Invalid PNG text keyword/);
  });

  it('reads PNGs written by other tools', () => {
    const file = path.join(__dirname, '..', '..', '..', 'samples', 'blog', 'static', 'uploads', 'gan-grid.png');
    if (!fs.existsSync(file)) return;
    const png = decodePng(fs.readFileSync(file));
    assert.ok(png.width > 0 && png.height > 0);
    assert.strictEqual(png.data.length, png.width * png.height * 4);
    assert.strictEqual(readProvenance(png.text), undefined);
  });

  it('stores provenance that reads back, and ignores damaged provenance', () => {
    const p: ImageProvenance = {
      format: 1,
      model: 'tiny-vae',
      modelKind: 'vae',
      method: 'variation',
      seed: 9,
      latent: [0.5, -1.25],
      strength: 0.5,
      size: 64,
      upscale: 'smooth',
    };
    const bytes = encodePng(img, provenanceText(p));
    assert.deepStrictEqual(readProvenance(readPngText(bytes)), p);
    assert.strictEqual(readProvenance({ 'inkwell:provenance': '{"format":1' }), undefined);
    assert.strictEqual(
      readProvenance({ 'inkwell:provenance': JSON.stringify({ ...p, latent: undefined }) }),
      undefined,
      'a variation needs its latent',
    );
    assert.throws(() => readPngText(Buffer.from('not a png')), /Not a PNG file/);
  });
});
