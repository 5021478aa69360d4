/**
 * The local model runtime as a {@link TextBackend}: model names resolve to folders here, the
 * request goes to the runtime process as `text.generate` (a conversation as `text.chat`), and
 * the process's results and error codes become the backend-neutral ones. Free of the vscode API: the caller gives the lookups.
 */
import {
  TextBackendError,
  type ChatBackendRequest,
  type GenerateOptions,
  type TextBackend,
  type TextBackendErrorCode,
  type TextBackendModel,
  type TextBackendRequest,
  type TextBackendResult,
  type TextBackendState,
} from '../generation/textBackend';
import type { SpeculativeMode } from '../generation/textRequest';
import type { RuntimeClient } from './client';
import type { RuntimeErrorCode, TextGenerateResult } from './protocol';
import { RuntimeError } from './runtimeError';

export interface LocalTextBackendOptions {
  /** The host's handle on the runtime process. */
  client: Pick<RuntimeClient, 'request' | 'state' | 'onDidChangeState'>;
  /** The folder of the model a request names (the configured one when `name` is absent); throws when there is none. */
  resolveModel(name?: string): { name: string; dir: string };
  /**
   * The folder of the chat model a request names (the configured chat model when `name` is
   * absent); throws when there is none, or none is configured.
   */
  resolveChatModel(name?: string): { name: string; dir: string };
  /** Every text model folder there is. */
  listModels(): Array<{ name: string; dir: string }>;
  /** Which ONNX variant to load (`inkwell.models.dtype`), read on every request. */
  dtype(): string;
  /**
   * How requests that do not say speculate (`inkwell.runtime.speculativeDecoding`), with the draft
   * model's folder when one is set; `repeatsInput`: the request's answer repeats its prompt (a
   * rewrite). Read on every request; throws (in words) when the mode needs a draft model that is
   * not set or not found. Absent: off.
   */
  speculation?(repeatsInput: boolean): { speculative: SpeculativeMode; draftModel?: string };
}

/** The runtime process's codes, as a backend's. */
const CODES: Record<RuntimeErrorCode, TextBackendErrorCode> = {
  cancelled: 'cancelled',
  'model-not-found': 'model-not-found',
  'model-invalid': 'model-invalid',
  'bad-request': 'bad-request',
  'inference-failed': 'inference-failed',
  'process-exited': 'backend-stopped',
  'process-start-failed': 'unavailable',
  'timed-out': 'timed-out',
  'out-of-memory': 'resource-limit',
  'unknown-method': 'internal',
  internal: 'internal',
};

export class LocalTextBackend implements TextBackend {
  readonly label = 'Local runtime';

  constructor(private readonly opts: LocalTextBackendOptions) {}

  get state(): TextBackendState {
    return this.opts.client.state;
  }

  onDidChangeState(listener: (state: TextBackendState) => void): { dispose(): void } {
    return this.opts.client.onDidChangeState(listener);
  }

  async listModels(): Promise<TextBackendModel[]> {
    return this.opts.listModels().map((m) => ({ name: m.name, detail: m.dir }));
  }

  async generate(request: TextBackendRequest, options: GenerateOptions = {}): Promise<TextBackendResult> {
    const model = this.resolve(() => this.opts.resolveModel(request.model));
    const { model: _name, ...params } = request;
    const speculation = this.speculation(request.speculative, false);
    return this.run(() =>
      this.opts.client.request(
        'text.generate',
        { ...params, ...speculation, model: model.dir, dtype: this.opts.dtype() },
        { signal: options.signal, onStream: options.onChunk },
      ),
    );
  }

  async chat(request: ChatBackendRequest, options: GenerateOptions = {}): Promise<TextBackendResult> {
    const model = this.resolve(() => this.opts.resolveChatModel(request.model));
    const { model: _name, repeatsInput, ...params } = request;
    const speculation = this.speculation(request.speculative, repeatsInput ?? false);
    return this.run(() =>
      this.opts.client.request(
        'text.chat',
        { ...params, ...speculation, model: model.dir, dtype: this.opts.dtype() },
        { signal: options.signal, onStream: options.onChunk },
      ),
    );
  }

  async preload(options: { signal?: AbortSignal } = {}): Promise<{ model: string; loadMs: number }> {
    const model = this.resolve(() => this.opts.resolveModel());
    try {
      const { loadMs } = await this.opts.client.request(
        'text.preload',
        { model: model.dir, dtype: this.opts.dtype() },
        { signal: options.signal },
      );
      return { model: model.name, loadMs };
    } catch (err) {
      const error = RuntimeError.from(err);
      throw new TextBackendError(CODES[error.code], error.message, error.detail);
    }
  }

  /** The setting's speculation for a request that does not choose (`requested` undefined); its failure as `bad-request`. */
  private speculation(
    requested: SpeculativeMode | undefined,
    repeatsInput: boolean,
  ): { speculative?: SpeculativeMode; draftModel?: string } {
    if (requested !== undefined || !this.opts.speculation) return {};
    try {
      return this.opts.speculation(repeatsInput);
    } catch (err) {
      throw new TextBackendError('bad-request', (err as Error).message);
    }
  }

  /** A model name's folder, or the lookup's failure as `model-not-found`. */
  private resolve(lookup: () => { name: string; dir: string }): { name: string; dir: string } {
    try {
      return lookup();
    } catch (err) {
      throw new TextBackendError('model-not-found', (err as Error).message);
    }
  }

  /** Runs one request in the process: its result in the backend's words, its failure as a TextBackendError. */
  private async run(request: () => Promise<TextGenerateResult>): Promise<TextBackendResult> {
    try {
      const result = await request();
      return {
        model: result.model,
        text: result.text,
        tokenCount: result.tokens.length,
        stopReason: result.stopReason,
        promptTokensDropped: result.promptTokensDropped,
        ...(result.promptCharsCut ? { promptCharsCut: result.promptCharsCut } : {}),
        timing: { firstTokenMs: result.ttftMs, loadMs: result.loadMs, tokensPerSecond: result.tokensPerSecond },
        ...(result.draft ? { draft: result.draft } : {}),
      };
    } catch (err) {
      const error = RuntimeError.from(err);
      throw new TextBackendError(CODES[error.code], error.message, error.detail);
    }
  }
}
