/**
 * The one way a text model folder becomes a {@link LoadedTextModel}: choose the files for the
 * dtype (layout.ts), read config, tokenizer and generation config, open the decoder graph(s).
 * The runtime process, the CLI and the benchmarks all load through here; they differ only in how
 * a session is opened (a cache, or one of their own) and whether the folder's reading is memoized.
 */
import type { LoadedTextModel } from './generate';
import type { DtypeRequest } from './layout';
import { MODEL_FILE_LIMITS } from './modelFiles';
import type { MakeTensor, SessionLike } from './onnxTypes';
import { loadTextModelInfo, readJson, textModelFiles, type TextModelFiles, type TextModelInfo } from './textModel';
import { loadTokenizer, type TextTokenizer } from './tokenizer';

/** What a folder's JSON files say: the model's spec and special tokens, and its tokenizer. */
export interface TextModelFolder {
  info: TextModelInfo;
  tokenizer: TextTokenizer;
}

/** Reads a folder's config, tokenizer and generation config (no ONNX). */
export function readTextModelFolder(files: TextModelFiles): TextModelFolder {
  const tokenizerJson = readJson(files.tokenizer, MODEL_FILE_LIMITS.tokenizer);
  return { info: loadTextModelInfo(files, tokenizerJson), tokenizer: loadTokenizer(files, tokenizerJson) };
}

/** How the caller opens ONNX sessions. */
export interface SessionOpener<S extends SessionLike> {
  open(file: string): Promise<S>;
  /** Closes a session this load opened when a later step of the load fails (absent: the caller's cache keeps it). */
  close?(session: S): Promise<void>;
  makeTensor: MakeTensor;
  /** Reads the folder's JSON files; a caller that memoizes them passes its own. */
  read?(files: TextModelFiles): TextModelFolder | Promise<TextModelFolder>;
}

/** A loaded text model with what its folder decided, and the sessions it runs in. */
export interface LoadedTextFolder<S extends SessionLike> {
  model: LoadedTextModel;
  files: TextModelFiles;
  info: TextModelInfo;
  /** The decoder session, then the decoder-with-past one of a split export. */
  sessions: S[];
}

/** Loads the text model in `dir` for `dtype`. Throws GenerationErrors naming the file at fault. */
export async function loadTextModelFolder<S extends SessionLike>(
  dir: string,
  dtype: DtypeRequest,
  opener: SessionOpener<S>,
): Promise<LoadedTextFolder<S>> {
  const files = textModelFiles(dir, dtype);
  const { info, tokenizer } = await (opener.read ?? readTextModelFolder)(files);
  const session = await opener.open(files.onnx);
  let withPast: S | undefined;
  try {
    withPast = files.withPast ? await opener.open(files.withPast) : undefined;
  } catch (err) {
    await opener.close?.(session);
    throw err;
  }
  return {
    model: {
      dir,
      onnxFile: files.onnx,
      spec: info.spec,
      tokenizer,
      session,
      makeTensor: opener.makeTensor,
      withPast: withPast && files.withPast ? { session: withPast, file: files.withPast } : undefined,
      samplingDefaults: info.samplingDefaults,
      dtype: files.decoder.dtype,
    },
    files,
    info,
    sessions: withPast ? [session, withPast] : [session],
  };
}
