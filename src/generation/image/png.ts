/**
 * PNG encoding and decoding (pngjs), plus the text chunks Inkwell uses to
 * record how an image was made. pngjs reads and writes pixels only, so text
 * chunks are spliced in and read out here, by chunk type, with their CRCs.
 */
import { inflateSync } from 'zlib';
import { PNG } from 'pngjs';
import type { RgbaImage } from './pixels';

/** A PNG text chunk: a Latin-1 keyword (1-79 chars) and its text. */
export interface PngText {
  keyword: string;
  text: string;
}

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

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

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
  return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), text: readPngText(buffer) };
}

/** The text chunks (tEXt, zTXt, iTXt) of a PNG by keyword, without decoding pixels. */
export function readPngText(bytes: Uint8Array): Record<string, string> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 8 || !buffer.subarray(0, 8).equals(SIGNATURE)) throw new Error('Not a PNG file (bad signature).');
  const out: Record<string, string> = {};
  let pos = 8;
  while (pos + 12 <= buffer.length) {
    const length = buffer.readUInt32BE(pos);
    const type = buffer.toString('latin1', pos + 4, pos + 8);
    const data = buffer.subarray(pos + 8, pos + 8 + length);
    pos += 12 + length;
    if (type === 'IEND') break;
    try {
      const entry = parseTextChunk(type, data);
      if (entry) out[entry.keyword] = entry.text;
    } catch {
      // A damaged text chunk is skipped; the pixels may still be fine.
    }
  }
  return out;
}

function parseTextChunk(type: string, data: Buffer): PngText | undefined {
  const nul = data.indexOf(0);
  if (nul <= 0) return undefined;
  const keyword = data.toString('latin1', 0, nul);
  if (type === 'tEXt') return { keyword, text: data.toString('latin1', nul + 1) };
  if (type === 'zTXt') return { keyword, text: inflateSync(data.subarray(nul + 2)).toString('latin1') };
  if (type === 'iTXt') {
    const compressed = data[nul + 1] === 1;
    const langEnd = data.indexOf(0, nul + 3);
    const transEnd = data.indexOf(0, langEnd + 1);
    if (langEnd < 0 || transEnd < 0) return undefined;
    const body = data.subarray(transEnd + 1);
    return { keyword, text: (compressed ? inflateSync(body) : body).toString('utf8') };
  }
  return undefined;
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
  return chunk(latin1 ? 'tEXt' : 'iTXt', data);
}

function chunk(type: string, data: Buffer): Buffer {
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
