/**
 * Reading PNG text chunks without decoding pixels (and without loading pngjs),
 * so the extension host can read an image's provenance cheaply.
 *
 * A PNG can come from anyone, so the reading is bounded: compressed text (zTXt,
 * compressed iTXt) inflates to at most `maxTextBytes` per chunk (a 2 MB chunk of
 * zeros would otherwise inflate to gigabytes), and with `keywords` only those
 * chunks are decoded at all.
 */
import { inflate, inflateSync, type ZlibOptions } from 'zlib';

/** A PNG text chunk: a Latin-1 keyword (1-79 chars) and its text. */
export interface PngText {
  keyword: string;
  text: string;
}

/** Options of `readPngText`. */
export interface PngTextOptions {
  /** Decode only the chunks with these keywords (default: all). */
  keywords?: readonly string[];
  /** Largest text a chunk may inflate to; a chunk that inflates to more is skipped. Default 1 MiB. */
  maxTextBytes?: number;
}

/** Default of `PngTextOptions.maxTextBytes`. */
export const MAX_PNG_TEXT_BYTES = 1024 * 1024;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One text chunk, split into its parts; `body` still compressed when `compressed`. */
interface RawText {
  keyword: string;
  body: Buffer;
  compressed: boolean;
  encoding: 'latin1' | 'utf8';
}

/** The text chunks (tEXt, zTXt, iTXt) of a PNG by keyword, without decoding pixels. */
export function readPngText(bytes: Uint8Array, options: PngTextOptions = {}): Record<string, string> {
  const max = options.maxTextBytes ?? MAX_PNG_TEXT_BYTES;
  const out: Record<string, string> = {};
  for (const chunk of textChunks(bytes, options.keywords)) {
    try {
      const body = chunk.compressed ? inflateSync(chunk.body, { maxOutputLength: max }) : chunk.body;
      if (body.length <= max) out[chunk.keyword] = body.toString(chunk.encoding);
    } catch {
      // A damaged chunk, or one that inflates past the limit, is skipped; the pixels may still be fine.
    }
  }
  return out;
}

/**
 * `readPngText` with the inflating done on Node's thread pool, so a caller on the
 * extension host's thread (which also runs the editor's features) never waits for it.
 */
export async function readPngTextAsync(bytes: Uint8Array, options: PngTextOptions = {}): Promise<Record<string, string>> {
  const max = options.maxTextBytes ?? MAX_PNG_TEXT_BYTES;
  const out: Record<string, string> = {};
  for (const chunk of textChunks(bytes, options.keywords)) {
    try {
      const body = chunk.compressed ? await inflateAsync(chunk.body, { maxOutputLength: max }) : chunk.body;
      if (body.length <= max) out[chunk.keyword] = body.toString(chunk.encoding);
    } catch {
      // As above: skipped.
    }
  }
  return out;
}

function inflateAsync(data: Buffer, options: ZlibOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => inflate(data, options, (err, result) => (err ? reject(err) : resolve(result))));
}

/** The text chunks of a PNG, split but not inflated. Throws when the bytes are not a PNG. */
function textChunks(bytes: Uint8Array, keywords: readonly string[] | undefined): RawText[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 8 || !buffer.subarray(0, 8).equals(SIGNATURE)) throw new Error('Not a PNG file (bad signature).');
  const wanted = keywords ? new Set(keywords) : undefined;
  const out: RawText[] = [];
  let pos = 8;
  while (pos + 12 <= buffer.length) {
    const length = buffer.readUInt32BE(pos);
    const type = buffer.toString('latin1', pos + 4, pos + 8);
    const data = buffer.subarray(pos + 8, pos + 8 + length);
    pos += 12 + length;
    if (type === 'IEND') break;
    if (type !== 'tEXt' && type !== 'zTXt' && type !== 'iTXt') continue;
    const chunk = splitTextChunk(type, data);
    if (chunk && (!wanted || wanted.has(chunk.keyword))) out.push(chunk);
  }
  return out;
}

function splitTextChunk(type: string, data: Buffer): RawText | undefined {
  const nul = data.indexOf(0);
  if (nul <= 0 || nul > 79) return undefined;
  const keyword = data.toString('latin1', 0, nul);
  if (type === 'tEXt') return { keyword, body: data.subarray(nul + 1), compressed: false, encoding: 'latin1' };
  if (type === 'zTXt') return { keyword, body: data.subarray(nul + 2), compressed: true, encoding: 'latin1' };
  const compressed = data[nul + 1] === 1;
  const langEnd = data.indexOf(0, nul + 3);
  const transEnd = langEnd < 0 ? -1 : data.indexOf(0, langEnd + 1);
  if (langEnd < 0 || transEnd < 0) return undefined;
  return { keyword, body: data.subarray(transEnd + 1), compressed, encoding: 'utf8' };
}

/** Width and height from a PNG's header, or undefined when the bytes do not start like a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 24 || !buffer.subarray(0, 8).equals(SIGNATURE) || buffer.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
}
