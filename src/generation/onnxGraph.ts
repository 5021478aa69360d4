/**
 * The one wrapper around an ONNX session run, for text and image models alike: the runtime
 * process and the CLI hand in onnxruntime-node's session and tensor constructor (as the
 * structural types of onnxTypes.ts), and a failed run becomes an `inference-failed`
 * GenerationError that names the file.
 */
import * as path from 'path';
import { GenerationError } from './generationError';
import type { FeedTensor, GraphRunner, OutputTensor } from './image/generator';
import type { MakeTensor, SessionLike, TensorLike } from './onnxTypes';

export interface RunOptions {
  /** The graph's file, for messages. */
  file: string;
  /** Outputs to compute (all of them when absent). */
  fetches?: readonly string[];
  /** How the file is named in the message (the full path by default). */
  label?: string;
  /** A sentence after the failure: what to check. */
  hint?: string;
}

/** Runs `session` on `feeds`; when ONNX Runtime throws, an `inference-failed` GenerationError naming the file. */
export function runSession(
  session: SessionLike,
  feeds: Record<string, TensorLike>,
  options: RunOptions,
): Promise<Record<string, TensorLike>> {
  const failure = (err: unknown): GenerationError => {
    const detail = err instanceof Error ? err.message : String(err);
    const hint = options.hint ? `. ${options.hint}` : '';
    return new GenerationError(
      'inference-failed',
      `Running ${options.label ?? options.file} failed: ${detail}${hint}`,
      options.file,
      detail,
    );
  };
  // A plain promise chain rather than an async function: this runs once per generated token.
  try {
    return (options.fetches ? session.run(feeds, options.fetches) : session.run(feeds)).catch((err: unknown) => {
      throw failure(err);
    });
  } catch (err) {
    // A session may refuse its feeds before it goes asynchronous.
    return Promise.reject(failure(err));
  }
}

/** An image model's graph as the image generator runs it: typed feeds in, float32 outputs out. */
export function graphRunner(session: SessionLike, makeTensor: MakeTensor, file: string): GraphRunner {
  return {
    async run(feeds: Record<string, FeedTensor>, outputs: readonly string[]): Promise<Record<string, OutputTensor>> {
      const input: Record<string, TensorLike> = {};
      for (const [name, t] of Object.entries(feeds)) input[name] = makeTensor(t.type, t.data, t.dims);
      const result = await runSession(session, input, {
        file,
        fetches: outputs,
        label: path.basename(file),
        hint: 'Check the input and output names and shapes in manifest.json.',
      });
      const out: Record<string, OutputTensor> = {};
      for (const name of outputs) {
        const value = result[name];
        if (!value) continue;
        if (value.type !== 'float32') {
          throw new GenerationError(
            'model-invalid',
            `Output "${name}" of ${path.basename(file)} is ${value.type}; Inkwell reads float32 image and latent outputs.`,
            file,
          );
        }
        out[name] = { data: value.data as Float32Array, dims: value.dims };
      }
      return out;
    },
  };
}
