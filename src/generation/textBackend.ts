/**
 * The seam between the editor's text features and whatever produces text. The continuation
 * command and the inline ghost text know only this interface; the local model runtime
 * (src/runtime/localTextBackend.ts) is one implementation, and another one (a server, a second
 * process) is added beside it and chosen where the extension is composed.
 *
 * Results and errors say nothing about how text was made: no token ids, no ONNX files, no
 * process. A backend turns its own failures into a {@link TextBackendError}.
 */
import type { ChoiceOptions } from './choiceConstraint';
import type { CuttableText } from './fitConversation';
import type { ChatRequestParams, StopReason, TextGenerationParams } from './textRequest';

/** Why a backend request failed. Callers switch on this, never on message text. */
export type TextBackendErrorCode =
  /** The caller aborted its signal before the request finished; what streamed stays the caller's. */
  | 'cancelled'
  /** No model by that name, or it is not there any more. */
  | 'model-not-found'
  /** The model exists but cannot be used (broken files, an unsupported kind). */
  | 'model-invalid'
  /** The request was refused before any work started (an empty prompt, a value out of range). */
  | 'bad-request'
  /** The model ran and failed. */
  | 'inference-failed'
  /** The backend stopped while the request was in flight (a crash); the next request starts it again. */
  | 'backend-stopped'
  /** The backend could not be started or reached. */
  | 'unavailable'
  /** The backend stopped answering and was given up on. */
  | 'timed-out'
  /** The backend went past a resource limit (memory) and was stopped; the message names the setting. */
  | 'resource-limit'
  /** Anything else: a bug. */
  | 'internal';

/** A failed backend request. */
export class TextBackendError extends Error {
  override readonly name = 'TextBackendError';
  constructor(
    readonly code: TextBackendErrorCode,
    message: string,
    /** Technical detail for the log. */
    readonly detail?: string,
  ) {
    super(message);
  }

  /** Anything thrown, as a TextBackendError (`internal` unless it already is one). */
  static from(err: unknown): TextBackendError {
    if (err instanceof TextBackendError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new TextBackendError('internal', message, err instanceof Error ? err.stack : undefined);
  }
}

/** A generation request: what to continue and how, and which model (the backend's default when absent). */
export interface TextBackendRequest extends TextGenerationParams {
  /** A model name the backend knows (see {@link TextBackend.listModels}), or whatever else it accepts. */
  model?: string;
}

/** One turn of a conversation with a chat (instruct) model. */
export interface TextBackendChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * A chat request: a conversation instead of a prompt, answered in the model's own chat format.
 * The answer ends at the end of the model's turn (or at `maxTokens`): no stop sequences, no
 * sentence ending. The model is the backend's chat model when absent.
 */
export interface ChatBackendRequest extends ChatRequestParams {
  model?: string;
  messages: readonly TextBackendChatMessage[];
  /**
   * The answer may only be some of `allowed`, joined by `separator` (at most `max`): the local
   * runtime enforces it while decoding (choiceConstraint.ts); a server cannot, so its answer is
   * read against the list afterwards.
   */
  choices?: ChoiceOptions;
  /**
   * Text that may be cut from its end when the conversation does not fit the model's context:
   * message `message`'s content from character `from` on (a quoted post). The local runtime
   * cuts it at a word boundary and reports how much in `promptCharsCut`; a server is sent it whole.
   */
  cuttable?: CuttableText;
  /**
   * The answer repeats much of the prompt (a rewrite of the writer's text), so drafts copied from
   * the prompt pay: the local runtime speculates on it under `inkwell.runtime.speculativeDecoding`
   * `rewrites` (the default). A server ignores it.
   */
  repeatsInput?: boolean;
}

/** One streamed piece of text. */
export interface TextBackendChunk {
  /** Text to append to what streamed so far (may be empty while a character is incomplete). */
  text: string;
  /** Tokens generated so far. */
  generatedTokens: number;
}

/** Timings a backend may report. */
export interface TextBackendTiming {
  /** From the start of generation (model loaded) to the first token. */
  firstTokenMs?: number;
  /** Loading the model for this request (0 when it was loaded). */
  loadMs?: number;
  /** Decode speed after the first token. */
  tokensPerSecond?: number;
}

/** A finished generation. */
export interface TextBackendResult {
  /** The model that ran, as the backend names it. */
  model: string;
  /** The generated text, stop sequence excluded: the concatenation of the streamed chunks. */
  text: string;
  /** Tokens generated (the text may end before the last of them when a stop cut it). */
  tokenCount: number;
  stopReason: StopReason;
  /** Prompt tokens dropped from the start to fit the model's context, when the backend cut any. */
  promptTokensDropped?: number;
  /** Characters cut from the end of a chat's `cuttable` text to fit the model's context. */
  promptCharsCut?: number;
  timing?: TextBackendTiming;
  /** Drafted tokens proposed and accepted, when the local runtime decoded speculatively. */
  draft?: { proposed: number; accepted: number };
}

export interface TextBackendModel {
  name: string;
  /** Where it comes from, for a picker's detail line (a folder, a server). */
  detail?: string;
}

/** What a backend is doing, for the status bar. */
export type TextBackendState = 'stopped' | 'starting' | 'idle' | 'busy';

export interface GenerateOptions {
  /** Aborting it cancels the request: it rejects with a `cancelled` TextBackendError and no chunk follows. */
  signal?: AbortSignal;
  /** Receives streamed chunks, in order, before the result resolves. */
  onChunk?(chunk: TextBackendChunk): void;
}

/** Something that continues text. */
export interface TextBackend {
  /** A short name for the status bar's tooltip and the log ("local runtime"). */
  readonly label: string;
  /**
   * Generates a continuation of `request.prompt`, streaming chunks. `request.stop`,
   * `request.maxTokens` and `request.endAtSentence` are the backend's to honour.
   * Rejects with a TextBackendError.
   */
  generate(request: TextBackendRequest, options?: GenerateOptions): Promise<TextBackendResult>;
  /**
   * Answers a conversation with a chat model, streaming chunks, with the same results, errors
   * and cancellation as {@link generate}. A model that is not an instruct model (no chat
   * template) rejects with `model-invalid`.
   */
  chat(request: ChatBackendRequest, options?: GenerateOptions): Promise<TextBackendResult>;
  /** The models a request may name. */
  listModels(): Promise<TextBackendModel[]>;
  /**
   * Loads the model {@link generate} would use, so that the next request starts at once. Resolves
   * with the model's name and the time spent loading (0: it was loaded), or undefined when there
   * is nothing to load (a server); absent on backends that never load. Cancellable and failing
   * like a request.
   */
  preload?(options?: { signal?: AbortSignal }): Promise<{ model: string; loadMs: number } | undefined>;
  readonly state: TextBackendState;
  /**
   * The model and where it runs, for the status bar ("llama3 @ gpu-box:8000"), when the backend
   * names it itself; undefined when the caller names the model (the local runtime's registry).
   */
  describe?(): string | undefined;
  onDidChangeState(listener: (state: TextBackendState) => void): { dispose(): void };
}
