/**
 * An OpenAI-compatible server as a {@link TextBackend}: the editor's continuation and
 * ghost text go to `/v1/completions` (or `/v1/chat/completions` on a chat-only server)
 * with the same stop sequences, token budget and sentence ending as the local runtime;
 * conversations go to `/v1/chat/completions`, where the server applies its model's template.
 * Free of the vscode API: the caller gives the settings and the key on every request.
 */
import { findSentenceEnd, sentenceWindowStart } from '../generation/sentenceEnd';
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
import type { StopReason, TextGenerationParams } from '../generation/textRequest';
import { displayUrl, OpenAiCompatibleClient, RemoteError, type RemoteErrorCode, type RemoteLimits } from './openaiClient';

/** Where the server is, read on every request. */
export interface RemoteSettings {
  baseUrl: string;
  /** The model to ask for; empty for the server's own. */
  model: string;
  apiKey?: string;
}

export interface RemoteTextBackendOptions {
  settings(): Promise<RemoteSettings>;
  log?(level: 'info' | 'warn', message: string): void;
  limits?: Partial<RemoteLimits>;
}

const CODES: Record<RemoteErrorCode, TextBackendErrorCode> = {
  'connection-refused': 'unavailable',
  dns: 'unavailable',
  tls: 'unavailable',
  network: 'backend-stopped',
  auth: 'unavailable',
  'model-not-found': 'model-not-found',
  'rate-limited': 'unavailable',
  'server-error': 'inference-failed',
  'bad-request': 'bad-request',
  'bad-response': 'inference-failed',
  stalled: 'timed-out',
  'timed-out': 'timed-out',
  redirect: 'unavailable',
  'too-large': 'inference-failed',
  cancelled: 'cancelled',
};

export class RemoteTextBackend implements TextBackend {
  readonly label = 'OpenAI-compatible server';
  private current: TextBackendState = 'idle';
  private inFlight = 0;
  private readonly listeners = new Set<(state: TextBackendState) => void>();
  /** One client per server and key, so the plain-http warning is given once per server. */
  private client: { key: string; client: OpenAiCompatibleClient } | undefined;

  constructor(private readonly opts: RemoteTextBackendOptions) {}

  get state(): TextBackendState {
    return this.current;
  }

  onDidChangeState(listener: (state: TextBackendState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async listModels(): Promise<TextBackendModel[]> {
    const { client, settings } = await this.connect();
    try {
      return (await client.listModels()).map((name) => ({ name, detail: displayUrl(settings.baseUrl) }));
    } catch (err) {
      throw toBackendError(err);
    }
  }

  async generate(request: TextBackendRequest, options: GenerateOptions = {}): Promise<TextBackendResult> {
    const { client, settings } = await this.connect();
    const model = request.model || settings.model || undefined;
    const { temperature, topP } = serverSampling(request);
    // A server cannot be asked to end at a sentence: as with the local runtime, from 80% of the
    // budget on the text stops at the next sentence end, here by closing the request.
    const windowStart = sentenceWindowStart(request.maxTokens);
    const cut = new AbortController();
    const onAbort = () => cut.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let text = '';
    let pieces = 0;
    let delivered = 0;
    let endedAtSentence = false;
    const started = performance.now();
    let firstMs: number | undefined;
    this.setBusy(+1);
    try {
      const result = await client.complete(
        model,
        request.prompt,
        { maxTokens: request.maxTokens, temperature, topP, seed: request.sampling.seed, stop: request.stop },
        {
          signal: cut.signal,
          onText: (piece) => {
            if (endedAtSentence) return;
            firstMs ??= performance.now() - started;
            pieces++;
            text += piece;
            let end = text.length;
            if (request.endAtSentence && pieces >= windowStart) {
              const at = findSentenceEnd(text, Math.min(delivered, text.length));
              if (at >= 0) {
                end = at;
                endedAtSentence = true;
              }
            }
            const add = text.slice(delivered, end);
            delivered = end;
            if (add) options.onChunk?.({ text: add, generatedTokens: pieces });
            if (endedAtSentence) cut.abort();
          },
        },
      );
      const stopReason: StopReason = result.stopReason === 'length' ? 'max-tokens' : 'stop-sequence';
      return this.result(
        model ?? result.model,
        text.slice(0, delivered),
        result.usage?.completionTokens ?? pieces,
        stopReason,
        started,
        firstMs,
      );
    } catch (err) {
      if (endedAtSentence && !options.signal?.aborted) {
        return this.result(model, text.slice(0, delivered), pieces, 'sentence-end', started, firstMs);
      }
      throw toBackendError(err);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      this.setBusy(-1);
    }
  }

  async chat(request: ChatBackendRequest, options: GenerateOptions = {}): Promise<TextBackendResult> {
    const { client, settings } = await this.connect();
    const model = request.model || settings.model || undefined;
    const started = performance.now();
    let firstMs: number | undefined;
    let pieces = 0;
    let text = '';
    this.setBusy(+1);
    try {
      const result = await client.chat(
        model,
        request.messages,
        { maxTokens: request.maxTokens, ...serverSampling(request), seed: request.sampling.seed },
        {
          signal: options.signal,
          onText: (piece) => {
            firstMs ??= performance.now() - started;
            pieces++;
            text += piece;
            options.onChunk?.({ text: piece, generatedTokens: pieces });
          },
        },
      );
      // The server's "stop" is the end of the model's turn.
      const stopReason: StopReason = result.stopReason === 'length' ? 'max-tokens' : 'eos';
      return this.result(model ?? result.model, text, result.usage?.completionTokens ?? pieces, stopReason, started, firstMs);
    } catch (err) {
      throw toBackendError(err);
    } finally {
      this.setBusy(-1);
    }
  }

  private result(
    model: string | undefined,
    text: string,
    tokenCount: number,
    stopReason: StopReason,
    started: number,
    firstMs: number | undefined,
  ): TextBackendResult {
    const decodeMs = performance.now() - started - (firstMs ?? 0);
    return {
      model: model ?? 'server default',
      text,
      tokenCount,
      stopReason,
      timing: {
        ...(firstMs !== undefined ? { firstTokenMs: firstMs } : {}),
        ...(tokenCount > 1 && decodeMs > 0 ? { tokensPerSecond: ((tokenCount - 1) * 1000) / decodeMs } : {}),
      },
    };
  }

  private async connect(): Promise<{ client: OpenAiCompatibleClient; settings: RemoteSettings }> {
    const settings = await this.opts.settings();
    if (!settings.baseUrl.trim()) {
      throw new TextBackendError(
        'unavailable',
        'No server is set: put its URL in the inkwell.remote.baseUrl setting, or set inkwell.text.provider to "local".',
      );
    }
    const key = `${settings.baseUrl}\n${settings.apiKey ?? ''}`;
    if (this.client?.key !== key) {
      try {
        this.client = {
          key,
          client: new OpenAiCompatibleClient(
            { baseUrl: settings.baseUrl, apiKey: settings.apiKey },
            { log: this.opts.log, limits: this.opts.limits },
          ),
        };
      } catch (err) {
        throw toBackendError(err);
      }
    }
    return { client: this.client.client, settings };
  }

  private setBusy(delta: number): void {
    this.inFlight += delta;
    const next: TextBackendState = this.inFlight > 0 ? 'busy' : 'idle';
    if (next === this.current) return;
    this.current = next;
    for (const l of this.listeners) l(next);
  }
}

/**
 * The sampling a server is sent: Inkwell's own defaults are left out, so the server's model uses
 * its own (the local runtime lets a model's generation_config.json replace them the same way).
 */
function serverSampling(request: Pick<TextGenerationParams, 'sampling' | 'defaultedSampling'>): { temperature?: number; topP?: number } {
  const defaulted = new Set(request.defaultedSampling ?? []);
  const greedy = request.sampling.temperature === 0;
  return {
    temperature: greedy || !defaulted.has('temperature') ? request.sampling.temperature : undefined,
    topP: greedy ? undefined : !defaulted.has('topP') ? request.sampling.topP : undefined,
  };
}

function toBackendError(err: unknown): TextBackendError {
  if (err instanceof TextBackendError) return err;
  if (err instanceof RemoteError) return new TextBackendError(CODES[err.code], err.message);
  return TextBackendError.from(err);
}
