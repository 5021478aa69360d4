import type * as ort from 'onnxruntime-node';
import type { MethodName, ParamsOf, ResultOf, RuntimeOptions, RuntimeStep, StreamOf } from '../../protocol';
import type { SessionCache } from '../sessions';

/** Services every handler may use; they live as long as the process. */
export interface RuntimeServices {
  /** The onnxruntime-node module (loaded once by the process). */
  readonly ort: typeof ort;
  /** ONNX sessions by model file, created with the current options. */
  readonly sessions: SessionCache;
  /** Current options (threads). */
  readonly options: RuntimeOptions;
  /** Writes a line to the host's log. */
  log(level: 'trace' | 'info' | 'warn' | 'error', message: string): void;
  /**
   * Per-process memo for anything derived from a model folder (tokenizers,
   * parsed configs), dropped together with the model's sessions.
   */
  memo<T>(key: string, make: () => Promise<T>): Promise<T>;
  /** Releases the sessions and memos of a model folder; true when something was loaded. */
  forget(prefix: string): Promise<boolean>;
}

/** What one request's handler gets besides its parameters. */
export interface HandlerContext<M extends MethodName> {
  readonly services: RuntimeServices;
  /**
   * Aborted when the host cancels this request. Handlers pass it to
   * generation, which fails with a `cancelled` error at its next check.
   */
  readonly signal: AbortSignal;
  /** Sends one chunk to the host (only for methods that stream); counts as progress of the `token` step. */
  stream(chunk: StreamOf<M>): void;
  /**
   * Tells the host the request moved on to `step` (or made progress in it), so
   * the host's deadline for that step starts again. The request starts in `load`.
   */
  step(step: RuntimeStep): void;
  /**
   * Lets the event loop run (so cancel messages are read) before the next step.
   * ONNX Runtime's `run` blocks the thread, so long loops call this between steps.
   */
  yieldToHost(): Promise<void>;
}

/** Serves one method. Throw a RuntimeError to fail with a code. */
export type Handler<M extends MethodName> = (params: ParamsOf<M>, ctx: HandlerContext<M>) => Promise<ResultOf<M>>;

/** Handlers for some methods; each module under handlers/ exports one. */
export type HandlerGroup<K extends MethodName> = { [M in K]: Handler<M> };

/** A handler for every method in the protocol (a missing one fails type-checking). */
export type HandlerTable = HandlerGroup<MethodName>;
