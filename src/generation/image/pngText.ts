/**
 * Reading PNG text chunks without decoding pixels (and without loading pngjs),
 * so the extension host can read an image's provenance cheaply.
 */
import { inflateSync } from 'zlib';

/** A PNG text chunk: a Latin-1 keyword (1-79 chars) and its text. */
export interface PngText {
  keyword: string;
  text: string;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

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
