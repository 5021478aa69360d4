import * as assert from 'assert';
import { deflateSync } from 'zlib';
import { encodePng, pngChunk } from '../../../src/generation/image/png';
import { pngSize, readPngText, readPngTextAsync } from '../../../src/generation/image/pngText';
import { PROVENANCE_KEYWORD } from '../../../src/generation/image/provenance';

/** A 1×1 PNG with `extra` chunks inserted after IHDR. */
function pngWith(...extra: Buffer[]): Buffer {
  const plain = encodePng({ width: 1, height: 1, data: new Uint8Array([1, 2, 3, 255]) });
  return Buffer.concat([plain.subarray(0, 33), ...extra, plain.subarray(33)]);
}

const zTXt = (keyword: string, deflated: Buffer) =>
  pngChunk('zTXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0]), deflated]));

describe('PNG text chunks', () => {
  // 64 MiB of one byte deflates to about 64 KB: a small file that would inflate to far more
  // than an image's text. The reader must stop at its limit instead of inflating it all.
  const bomb = Buffer.alloc(64 * 2 ** 20, 0x61);
  const deflatedBomb = deflateSync(bomb);
  const png = pngWith(zTXt(PROVENANCE_KEYWORD, deflatedBomb), zTXt('Comment', deflateSync('kept')));

  it('skips a compressed chunk that inflates past the limit, and keeps the others', async () => {
    assert.ok(png.length < 200_000, `the file is small: ${png.length} bytes`);
    for (const text of [readPngText(png), await readPngTextAsync(png)]) {
      assert.strictEqual(text[PROVENANCE_KEYWORD], undefined);
      assert.strictEqual(text.Comment, 'kept');
    }
    // The chunk itself is sound: with a limit above its size it reads in full.
    const all = readPngText(png, { maxTextBytes: bomb.length });
    assert.strictEqual(all[PROVENANCE_KEYWORD].length, bomb.length);
  });

  it('decodes only the chunks asked for', async () => {
    const text = await readPngTextAsync(png, { keywords: ['Comment'] });
    assert.deepStrictEqual(text, { Comment: 'kept' });
  });

  it('inflates no more than the limit, however large the chunk would grow', () => {
    const before = process.memoryUsage().arrayBuffers;
    const huge = pngWith(...Array.from({ length: 32 }, (_, i) => zTXt(`k${i}`, deflatedBomb)));
    let peak = 0;
    const text = readPngText(huge, { maxTextBytes: 1024 });
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
    assert.deepStrictEqual(text, {});
    // 32 chunks of 64 MiB would be 2 GiB inflated; what stays allocated is the file (a few MB).
    assert.ok(peak < 64 * 2 ** 20, `memory held after reading: ${(peak / 2 ** 20).toFixed(1)} MiB`);
  });

  it('reads the size from the header', () => {
    assert.deepStrictEqual(pngSize(png), { width: 1, height: 1 });
    assert.strictEqual(pngSize(Buffer.from('not a png')), undefined);
  });
});
