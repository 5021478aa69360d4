/**
 * Reading the files of a model folder defensively. A model folder may come from
 * anywhere, so before anything is read: it must be a regular file (a FIFO named
 * `model.onnx` would block the reader forever) and no larger than what such a
 * file ever needs (a 55 MB tokenizer.json takes minutes and gigabytes to parse).
 */
import * as fs from 'fs';
import * as os from 'os';
import { GenerationError } from './generationError';

const MiB = 1024 * 1024;

/** Largest sizes Inkwell reads, by file. Real files are far smaller (GPT-2's tokenizer.json is 1.4 MB, Llama 3's 9 MB). */
export const MODEL_FILE_LIMITS = {
  /** config.json, tokenizer_config.json, manifest.json. */
  json: 1 * MiB,
  tokenizer: 32 * MiB,
} as const;

/** Bytes in a human unit, for messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MiB) return `${(bytes / (1024 * MiB)).toFixed(1)} GB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/** The largest ONNX graph (with its external data) loaded: what fits in this machine's memory. */
export function onnxSizeLimit(): number {
  return os.totalmem();
}

/**
 * Checks that `file` is a regular file of at most `maxBytes` and returns its size.
 * Throws `model-not-found` when it is missing, `model-invalid` otherwise.
 */
export function checkModelFile(file: string, maxBytes: number): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new GenerationError('model-not-found', `Cannot read ${file}: ${(err as Error).message}`, file);
  }
  if (!stat.isFile()) {
    throw new GenerationError(
      'model-invalid',
      `${file} is not a regular file (it is a ${kindOf(stat)}); Inkwell reads model files only from regular files.`,
      file,
    );
  }
  if (stat.size > maxBytes) {
    throw new GenerationError(
      'model-invalid',
      `${file} is ${formatBytes(stat.size)}; Inkwell reads files like it up to ${formatBytes(maxBytes)}. Is it the right file?`,
      file,
    );
  }
  return stat.size;
}

/** Reads a model's text file after {@link checkModelFile}. */
export function readModelText(file: string, maxBytes: number): string {
  checkModelFile(file, maxBytes);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new GenerationError('model-not-found', `Cannot read ${file}: ${(err as Error).message}`, file);
  }
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'folder';
  if (stat.isFIFO()) return 'named pipe';
  if (stat.isSocket()) return 'socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'device';
  return 'special file';
}
