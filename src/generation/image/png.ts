/**
 * PNG encoding and decoding (pngjs), plus the text chunks Inkwell uses to
 * record how an image was made. pngjs reads and writes pixels only, so text
 * chunks are spliced in and read out here, by chunk type, with their CRCs.
 */
import { PNG } from 'pngjs';
import type { RgbaImage } from './pixels';
import { PngText, readPngText } from './pngText';

export { readPngText };
export type { PngText };

/** A decoded PNG: RGBA pixels and its text chunks by keyword. */
export interface DecodedPng extends RgbaImage {
  text: Record<string, string>;
}

/**
 * How hard to work on compression. `fast` (batches of candidates): the Up
 * filter and deflate level 1, several times faster than pngjs' defaults.
 * `small` (a file that is saved): Paeth and level 9, a third smaller or better.
 */
export interface PngEncodeOptions {
  effort?: 'fast' | 'small';
}

/**
 * Encodes RGBA pixels as a PNG with optional text chunks. Text whose keyword
 * and content are Latin-1 go into tEXt chunks; anything else goes into an
 * uncompressed iTXt chunk (UTF-8). Output is deterministic for equal input.
 */
export function encodePng(img: RgbaImage, text: readonly PngText[] = [], options: PngEncodeOptions = {}): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  // One fixed filter: trying all five per row (pngjs' default) costs several times
  // more. pngjs defaults to the RLE strategy; the default strategy compresses
  // upscaled images (repeated rows and blocks) far better at the same speed.
  const small = options.effort === 'small';
  const bytes = PNG.sync.write(png, {
    filterType: small ? 4 : 2,
    deflateLevel: small ? 9 : 1,
    deflateStrategy: 0,
    colorType: 6,
    inputColorType: 6,
  });
  if (!text.length) return bytes;
  const chunks = text.map(textChunk);
  // Text goes right after IHDR (8-byte signature + 25-byte IHDR chunk) so readers that stop early still see it.
  const ihdrEnd = 8 + 4 + 4 + 13 + 4;
  return Buffer.concat([bytes.subarray(0, ihdrEnd), ...chunks, bytes.subarray(ihdrEnd)]);
}

/** Decodes any PNG pngjs understands (palette, gray, 16-bit) to 8-bit RGBA, with its text chunks. */
export function decodePng(bytes: Uint8Array): DecodedPng {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const png = PNG.sync.read(buffer);
  return {
    width: png.width,
    height: png.height,
    data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength),
    text: readPngText(buffer),
  };
}

function textChunk({ keyword, text }: PngText): Buffer {
  if (!/^[\x20-\x7e\xa1-\xff]{1,79}$/.test(keyword) || keyword !== keyword.trim() || keyword.includes('  ')) {
    throw new Error(`Invalid PNG text keyword ${JSON.stringify(keyword)}: 1-79 Latin-1 characters, no leading, trailing or double spaces.`);
  }
  // eslint-disable-next-line no-control-regex
  const latin1 = /^[\x0a\x20-\x7e\xa0-\xff]*$/.test(text);
  const data = latin1
    ? Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')])
    : Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]);
  return pngChunk(latin1 ? 'tEXt' : 'iTXt', data);
}

/** One PNG chunk: length, type, data and CRC, as a file holds it. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

let crcTable: Uint32Array | undefined;

/** CRC-32 as PNG chunks use it (over type and data). */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
