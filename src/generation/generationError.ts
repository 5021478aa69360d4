/**
 * Errors of the pure generation layer. Each has a code callers switch on,
 * never on message text; the runtime process turns them into its own coded
 * errors at the process boundary, and the CLI prints their message.
 */

/** Why generation failed. */
export type GenerationErrorCode =
  /** No model folder at the given path, or a required file is missing. */
  | 'model-not-found'
  /** The model's files exist but do not have the expected shape (config, inputs, outputs, sizes). */
  | 'model-invalid'
  /** ONNX Runtime failed while running the model, or the model computed unusable values. */
  | 'inference-failed'
  /** The request itself was unusable (an empty prompt, a size out of range). */
  | 'bad-request'
  /** The caller's AbortSignal was aborted before the work finished. */
  | 'cancelled';

/** An error with a {@link GenerationErrorCode}, a message for the user and, where there is one, the file it is about. */
export class GenerationError extends Error {
  override readonly name = 'GenerationError';
  constructor(
    readonly code: GenerationErrorCode,
    message: string,
    /** The file the problem is about (a model file, a config). */
    readonly file?: string,
    /** Technical detail for the log (a native error message). */
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** Throws the `cancelled` GenerationError when `signal` was aborted. Called between model steps. */
export function throwIfCancelled(signal: AbortSignal | undefined, message = 'Cancelled.'): void {
  if (signal?.aborted) throw new GenerationError('cancelled', message);
}
