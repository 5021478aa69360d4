import { GenerationError } from '../generation/generationError';
import type { RuntimeErrorCode, RuntimeErrorInfo } from './protocol';

/**
 * An error with a {@link RuntimeErrorCode}. The process throws these from
 * handlers; the client rejects requests with them, so callers on both sides of
 * the boundary switch on `code`.
 */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    readonly file?: string,
    readonly detail?: string,
  ) {
    super(message);
  }

  /** The form that crosses the process boundary. */
  toInfo(): RuntimeErrorInfo {
    return { code: this.code, message: this.message, file: this.file, detail: this.detail };
  }

  static fromInfo(info: RuntimeErrorInfo): RuntimeError {
    return new RuntimeError(info.code, info.message, info.file, info.detail);
  }

  /**
   * Wraps anything thrown into a RuntimeError, keeping codes that are already
   * there: the generation layer's coded errors cross the process boundary here.
   */
  static from(err: unknown, code: RuntimeErrorCode = 'internal'): RuntimeError {
    if (err instanceof RuntimeError) return err;
    if (err instanceof GenerationError) return new RuntimeError(err.code, err.message, err.file, err.detail);
    const message = err instanceof Error ? err.message : String(err);
    const stack = err instanceof Error ? err.stack : undefined;
    return new RuntimeError(code, message, undefined, stack);
  }
}

/** True when a request ended because it was cancelled. */
export function isCancellation(err: unknown): boolean {
  return err instanceof RuntimeError && err.code === 'cancelled';
}
