/**
 * A client for OpenAI-compatible text servers (llama.cpp's llama-server, Ollama,
 * LM Studio, vLLM, TGI): model listing, completions and chat, streamed as
 * server-sent events, cancellable, with every fault turned into one clear
 * message. Used by the editor and the command line; it knows nothing of VS Code.
 *
 * Why not the `openai` package: it retries on its own schedule, follows
 * redirects, and reads bodies without a size cap; each of those is a decision
 * this client has to make itself (the API key must not follow a redirect to
 * another host, a server must not fill memory). The event-stream framing is
 * left to `eventsource-parser`.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Where the server is and how to talk to it. */
export interface RemoteEndpoint {
  /** Base URL including the API prefix, e.g. `http://127.0.0.1:8080/v1`. */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer …`; never written to messages or logs. */
  readonly apiKey?: string;
}

/** Limits on one request; each has a default. */
export interface RemoteLimits {
  /** From sending the request to the response headers (default 30 s). */
  readonly responseTimeoutMs: number;
  /** Silence between two chunks of a streamed answer (default 30 s). */
  readonly idleTimeoutMs: number;
  /** The whole request (default 10 min). */
  readonly overallTimeoutMs: number;
  /** Most bytes a response may have (default 16 MB). */
  readonly maxBodyBytes: number;
  /** Retries after 429 or 503 (default 3); each waits for Retry-After, at most `maxRetryWaitMs`. */
  readonly maxRetries: number;
  /** Longest wait before a retry (default 20 s). */
  readonly maxRetryWaitMs: number;
}

export const DEFAULT_REMOTE_LIMITS: RemoteLimits = {
  responseTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  overallTimeoutMs: 600_000,
  maxBodyBytes: 16 * 2 ** 20,
  maxRetries: 3,
  maxRetryWaitMs: 20_000,
};

export type RemoteErrorCode =
  | 'connection-refused'
  | 'dns'
  | 'tls'
  | 'network'
  | 'auth'
  | 'model-not-found'
  | 'rate-limited'
  | 'server-error'
  | 'bad-request'
  | 'bad-response'
  | 'stalled'
  | 'timed-out'
  | 'redirect'
  | 'too-large'
  | 'cancelled';

/** A failed request, with one message a writer can act on (never the API key). */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  constructor(
    readonly code: RemoteErrorCode,
    message: string,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Sampling and length settings of a request (the server's defaults where unset). */
export interface RemoteSampling {
  readonly maxTokens: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly seed?: number;
  /** Stop sequences; the server stops before them, and the client cuts there too. */
  readonly stop?: readonly string[];
}

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** Why a request ended. */
export type RemoteStopReason = 'length' | 'stop' | 'cancelled';

export interface RemoteResult {
  readonly text: string;
  readonly stopReason: RemoteStopReason;
  /** The endpoint that served it (`completions`, or `chat` for a chat-only server). */
  readonly endpoint: 'completions' | 'chat';
  readonly model?: string;
  /** Token counts, when the server reports them. */
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number };
  /** Milliseconds from sending to the first text. */
  readonly ttftMs?: number;
}

export interface RemoteCallOptions {
  readonly signal?: AbortSignal;
  /** Receives the text as it streams (each call a new piece). */
  readonly onText?: (piece: string) => void;
  /** Stream the answer (default true). */
  readonly stream?: boolean;
}

export interface RemoteClientOptions {
  readonly limits?: Partial<RemoteLimits>;
  /** Notes for the log: retries, fallbacks, the plain-HTTP warning. */
  readonly log?: (level: 'info' | 'warn', message: string) => void;
}

/** A base URL without credentials, query or trailing slash, for messages. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(an invalid URL)';
  }
}

/** True when `url` is plain http to a host other than this machine: text and key travel readable. */
export function isInsecureRemote(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:') return false;
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return !(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
  } catch {
    return false;
  }
}

/** Checks a base URL the user gave; throws a RemoteError that says what is wrong. */
export function checkBaseUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RemoteError('bad-request', `"${url}" is not a URL; the server's base URL looks like http://127.0.0.1:8080/v1.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new RemoteError('bad-request', `The server's URL must start with http:// or https:// (got ${u.protocol}).`);
  }
  return u;
}

interface OpenedResponse {
  response: Response;
  /** Aborts this request (timeouts, caps); the caller's signal is wired to it. */
  abort: AbortController;
  /** Restarts the silence deadline; call on each chunk. */
  touch(): void;
  /** Says the body was read to its end or cancelled: the connection needs no abort to be released. */
  ended(): void;
  /** Why the request was aborted by the client, if it was. */
  reason(): RemoteError | undefined;
  dispose(): void;
}

export class OpenAiCompatibleClient {
  private readonly limits: RemoteLimits;
  private readonly base: string;
  private warned = false;

  constructor(
    private readonly endpoint: RemoteEndpoint,
    private readonly options: RemoteClientOptions = {},
  ) {
    this.limits = { ...DEFAULT_REMOTE_LIMITS, ...options.limits };
    this.base = checkBaseUrl(endpoint.baseUrl).toString().replace(/\/+$/, '');
  }

  /** The model ids the server offers (`GET /models`). */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    const opened = await this.open('GET', 'models', undefined, signal);
    try {
      const body = (await this.readJson(opened)) as { data?: unknown };
      const data = Array.isArray(body.data) ? body.data : [];
      return data
        .map((m) => (m && typeof m === 'object' ? (m as { id?: unknown }).id : undefined))
        .filter((id): id is string => typeof id === 'string');
    } finally {
      opened.dispose();
    }
  }

  /**
   * Continues `prompt` through `/completions`; a server without that endpoint (a chat-only
   * one) is asked through `/chat/completions` with the prompt as the user's message.
   */
  async complete(model: string | undefined, prompt: string, sampling: RemoteSampling, call: RemoteCallOptions = {}): Promise<RemoteResult> {
    try {
      return await this.generate('completions', model, { prompt }, sampling, call);
    } catch (err) {
      if (err instanceof RemoteError && err.code === 'bad-request' && (err.status === 404 || err.status === 405)) {
        this.options.log?.('info', `${displayUrl(this.base)} has no /completions endpoint; continuing through /chat/completions.`);
        return this.generate('chat', model, { messages: [{ role: 'user', content: prompt }] }, sampling, call);
      }
      throw err;
    }
  }

  /** Answers a conversation through `/chat/completions` (the server applies its chat template). */
  chat(
    model: string | undefined,
    messages: readonly ChatMessage[],
    sampling: RemoteSampling,
    call: RemoteCallOptions = {},
  ): Promise<RemoteResult> {
    return this.generate('chat', model, { messages }, sampling, call);
  }

  private async generate(
    kind: 'completions' | 'chat',
    model: string | undefined,
    input: { prompt: string } | { messages: readonly ChatMessage[] },
    sampling: RemoteSampling,
    call: RemoteCallOptions,
  ): Promise<RemoteResult> {
    const stream = call.stream ?? true;
    const stop = sampling.stop?.filter((s) => s.length > 0) ?? [];
    const body = {
      ...(model ? { model } : {}),
      ...input,
      max_tokens: sampling.maxTokens,
      ...(sampling.temperature !== undefined ? { temperature: sampling.temperature } : {}),
      ...(sampling.topP !== undefined ? { top_p: sampling.topP } : {}),
      ...(sampling.seed !== undefined ? { seed: sampling.seed } : {}),
      // OpenAI accepts at most four; the client cuts at any of them anyway.
      ...(stop.length ? { stop: stop.slice(0, 4) } : {}),
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
    };
    const started = performance.now();
    const opened = await this.open('POST', kind === 'chat' ? 'chat/completions' : 'completions', body, call.signal, model);
    let text = '';
    let ttftMs: number | undefined;
    let finish: string | undefined;
    let usage: RemoteResult['usage'];
    let servedModel: string | undefined;
    let cutAtStop = false;
    const onPiece = (piece: string) => {
      if (!piece || cutAtStop) return;
      ttftMs ??= performance.now() - started;
      let next = text + piece;
      // The server should stop before a stop sequence; not every server does, so cut here too.
      const at = firstStop(next, stop, text.length);
      if (at >= 0) {
        next = next.slice(0, at);
        cutAtStop = true;
      }
      const added = next.slice(text.length);
      text = next;
      if (added) call.onText?.(added);
    };
    const take = (json: unknown) => {
      const chunk = json as {
        model?: unknown;
        choices?: { text?: unknown; delta?: { content?: unknown }; message?: { content?: unknown }; finish_reason?: unknown }[];
        usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
        error?: { message?: unknown };
      };
      if (chunk.error)
        throw new RemoteError('server-error', `The server reported an error: ${clip(String(chunk.error.message ?? 'no message'))}`);
      if (typeof chunk.model === 'string') servedModel = chunk.model;
      const choice = chunk.choices?.[0];
      if (choice) {
        const piece = kind === 'chat' ? (choice.delta?.content ?? choice.message?.content) : choice.text;
        if (typeof piece === 'string') onPiece(piece);
        if (typeof choice.finish_reason === 'string') finish = choice.finish_reason;
      }
      const u = chunk.usage;
      if (u && typeof u.prompt_tokens === 'number' && typeof u.completion_tokens === 'number') {
        usage = { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens };
      }
    };
    try {
      if (!stream) take(await this.readJson(opened));
      else {
        const done = await this.readEvents(opened, (data) => {
          if (data === '[DONE]') return true;
          let json: unknown;
          try {
            json = JSON.parse(data);
          } catch {
            throw new RemoteError('bad-response', `The server sent an event that is not JSON: ${clip(data, 120)}`);
          }
          take(json);
          return cutAtStop;
        });
        if (!done && finish === undefined && !cutAtStop) {
          throw new RemoteError(
            'bad-response',
            `The server's stream ended before it finished the answer (after ${text.length} characters).`,
          );
        }
      }
    } catch (err) {
      throw this.failure(err, opened, call.signal);
    } finally {
      opened.dispose();
    }
    const stopReason: RemoteStopReason = cutAtStop ? 'stop' : finish === 'length' ? 'length' : 'stop';
    return {
      text,
      stopReason,
      endpoint: kind,
      ...(servedModel ? { model: servedModel } : {}),
      ...(usage ? { usage } : {}),
      ...(ttftMs !== undefined ? { ttftMs } : {}),
    };
  }

  /** Sends a request and waits for an answer with a success status, retrying 429/503. */
  private async open(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    model?: string,
  ): Promise<OpenedResponse> {
    if (isInsecureRemote(this.base) && !this.warned) {
      this.warned = true;
      this.options.log?.(
        'warn',
        `${displayUrl(this.base)} is plain http to another machine: your text${this.endpoint.apiKey ? ' and API key' : ''} travel unencrypted.`,
      );
    }
    for (let attempt = 0; ; attempt++) {
      const opened = await this.send(method, `${this.base}/${path}`, body, signal);
      const status = opened.response.status;
      if (status >= 200 && status < 300) return opened;
      const text = await this.readText(opened).catch(() => '');
      opened.dispose();
      const serverSays = this.redact(errorMessage(text));
      if ((status === 429 || status === 503) && attempt < this.limits.maxRetries) {
        const wait = Math.min(retryAfterMs(opened.response.headers.get('retry-after')) ?? 1000 * 2 ** attempt, this.limits.maxRetryWaitMs);
        this.options.log?.(
          'info',
          `${displayUrl(this.base)} answered ${status}${serverSays ? ` (${serverSays})` : ''}; trying again in ${(wait / 1000).toFixed(1)} s.`,
        );
        await sleep(wait, signal);
        continue;
      }
      throw await this.statusError(status, serverSays, model, signal);
    }
  }

  private async statusError(
    status: number,
    serverSays: string,
    model: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<RemoteError> {
    const where = displayUrl(this.base);
    const says = serverSays ? ` The server says: ${serverSays}` : '';
    if (status === 401 || status === 403) {
      return new RemoteError(
        'auth',
        `${where} refused the request (${status}): ${this.endpoint.apiKey ? 'the API key was not accepted' : 'it needs an API key'}. Set it with "Inkwell: Set API Key".${says}`,
        status,
      );
    }
    if (status === 404 && model && /model/i.test(serverSays)) {
      let offered = '';
      try {
        const ids = await this.listModels(signal);
        offered = ids.length ? ` It offers: ${ids.slice(0, 20).join(', ')}.` : ' It lists no models.';
      } catch {
        // The listing is a courtesy; the 404 is the error.
      }
      return new RemoteError('model-not-found', `${where} has no model "${model}".${offered}`, status);
    }
    if (status === 429 || status === 503) {
      return new RemoteError(
        'rate-limited',
        `${where} is busy (${status}) and still was after ${this.limits.maxRetries} retries; try again later.${says}`,
        status,
      );
    }
    if (status >= 500) return new RemoteError('server-error', `${where} failed with ${status}.${says}`, status);
    return new RemoteError('bad-request', `${where} rejected the request (${status}).${says}`, status);
  }

  /** `text` with the API key blanked out: some servers echo it in their errors. */
  private redact(text: string): string {
    const key = this.endpoint.apiKey;
    return key && key.length >= 4 ? text.split(key).join('[API key]') : text;
  }

  /** One HTTP exchange up to the response headers, with the client's deadlines and redirect rule. */
  private async send(method: 'GET' | 'POST', url: string, body: unknown, signal: AbortSignal | undefined): Promise<OpenedResponse> {
    const abort = new AbortController();
    let reason: RemoteError | undefined;
    const stop = (why: RemoteError) => {
      reason ??= why;
      abort.abort(why);
    };
    const onCaller = () => stop(new RemoteError('cancelled', 'Cancelled.'));
    if (signal?.aborted) throw new RemoteError('cancelled', 'Cancelled.');
    signal?.addEventListener('abort', onCaller, { once: true });
    const where = displayUrl(this.base);
    const overall = setTimeout(
      () => stop(new RemoteError('timed-out', `${where} did not finish within ${seconds(this.limits.overallTimeoutMs)}.`)),
      this.limits.overallTimeoutMs,
    );
    let idle = setTimeout(
      () => stop(new RemoteError('stalled', `${where} did not answer within ${seconds(this.limits.responseTimeoutMs)}.`)),
      this.limits.responseTimeoutMs,
    );
    let bodyEnded = false;
    const dispose = () => {
      clearTimeout(overall);
      clearTimeout(idle);
      signal?.removeEventListener('abort', onCaller);
      // Ends the connection if its body was never read or cancelled. Not otherwise: an abort builds
      // an error with a stack trace, a cost for every request.
      if (!bodyEnded && !abort.signal.aborted) abort.abort();
    };
    const headers: Record<string, string> = { Accept: method === 'POST' ? 'text/event-stream, application/json' : 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.endpoint.apiKey) headers.Authorization = `Bearer ${this.endpoint.apiKey}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: abort.signal,
        redirect: 'manual',
      });
    } catch (err) {
      dispose();
      throw reason ?? networkError(err, where);
    }
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location') ?? '';
      dispose();
      let target = location;
      try {
        target = new URL(location, url).origin;
      } catch {
        // Shown as given.
      }
      throw new RemoteError(
        'redirect',
        `${where} redirected the request to ${target || 'another address'}; Inkwell does not follow redirects (your text and API key would go there). Set the server's URL to the final address.`,
        response.status,
      );
    }
    clearTimeout(idle);
    idle = setTimeout(
      () => stop(new RemoteError('stalled', `${where} sent nothing for ${seconds(this.limits.idleTimeoutMs)} and was given up on.`)),
      this.limits.idleTimeoutMs,
    );
    // Re-arms the same timer on each chunk (no new timer per token).
    const touch = () => void idle.refresh();
    return { response, abort, touch, ended: () => (bodyEnded = true), reason: () => reason, dispose };
  }

  /** The body as bytes, at most `maxBodyBytes`. */
  private async readBytes(opened: OpenedResponse, onChunk?: (chunk: Uint8Array) => boolean | void): Promise<Uint8Array[]> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = opened.response.body?.getReader();
    if (!reader) return chunks;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        opened.touch();
        total += value.byteLength;
        if (total > this.limits.maxBodyBytes) {
          throw new RemoteError(
            'too-large',
            `${displayUrl(this.base)} sent more than ${Math.round(this.limits.maxBodyBytes / 2 ** 20)} MB; Inkwell stopped reading.`,
          );
        }
        if (onChunk) {
          if (onChunk(value)) break;
        } else chunks.push(value);
      }
    } finally {
      // Cancelling the body releases its connection, read to the end or not.
      await reader.cancel().catch(() => undefined);
      opened.ended();
    }
    return chunks;
  }

  private async readText(opened: OpenedResponse): Promise<string> {
    return Buffer.concat(await this.readBytes(opened)).toString('utf8');
  }

  private async readJson(opened: OpenedResponse): Promise<unknown> {
    let text: string;
    try {
      text = await this.readText(opened);
    } catch (err) {
      throw this.failure(err, opened, undefined);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new RemoteError('bad-response', `${displayUrl(this.base)} answered with something that is not JSON: ${clip(text, 120)}`);
    }
  }

  /** Feeds the body's server-sent events to `onData` until it returns true; true when the stream ended with [DONE] or on request. */
  private async readEvents(opened: OpenedResponse, onData: (data: string) => boolean): Promise<boolean> {
    let finished = false;
    let failure: unknown;
    const parser = createParser({
      onEvent: (event: EventSourceMessage) => {
        if (finished || failure) return;
        try {
          if (onData(event.data)) finished = true;
        } catch (err) {
          failure = err;
        }
      },
    });
    const decoder = new TextDecoder();
    const type = opened.response.headers.get('content-type') ?? '';
    if (!type.includes('text/event-stream')) {
      // A server that ignores `stream` answers with one JSON object.
      const text = await this.readText(opened);
      try {
        onData(JSON.stringify(JSON.parse(text)));
        return true;
      } catch (err) {
        if (err instanceof RemoteError) throw err;
        throw new RemoteError(
          'bad-response',
          `${displayUrl(this.base)} answered with something that is not an event stream: ${clip(text, 120)}`,
        );
      }
    }
    await this.readBytes(opened, (chunk) => {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (failure) throw failure;
      return finished;
    });
    if (failure) throw failure;
    return finished;
  }

  /** The error to report for `err` raised while a response was read. */
  private failure(err: unknown, opened: OpenedResponse, signal: AbortSignal | undefined): RemoteError {
    const reason = opened.reason();
    if (reason) return reason;
    if (signal?.aborted) return new RemoteError('cancelled', 'Cancelled.');
    if (err instanceof RemoteError) return err;
    return networkError(err, displayUrl(this.base));
  }
}

/** Offset of the first stop sequence that ends after `from` (stop sequences may straddle pieces), or -1. */
function firstStop(text: string, stop: readonly string[], from: number): number {
  let best = -1;
  for (const s of stop) {
    const at = text.indexOf(s, Math.max(0, from - s.length + 1));
    if (at >= 0 && (best < 0 || at < best)) best = at;
  }
  return best;
}

/** A fetch failure in words: the cause's code names what went wrong. */
function networkError(err: unknown, where: string): RemoteError {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  if (code === 'ECONNREFUSED') return new RemoteError('connection-refused', `Could not connect to ${where}: is the server running?`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new RemoteError('dns', `Could not find the host of ${where}: check the server's URL.`);
  if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code) || /certificate|TLS|SSL/i.test(String(cause?.message ?? ''))) {
    return new RemoteError(
      'tls',
      `The secure connection to ${where} failed (${code || 'TLS error'}): the server's certificate is not trusted or does not match its name.`,
    );
  }
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE') {
    return new RemoteError('network', `${where} closed the connection before the answer was complete.`);
  }
  return new RemoteError(
    'network',
    `The request to ${where} failed: ${clip(String((cause?.message as string | undefined) ?? (err instanceof Error ? err.message : err)))}`,
  );
}

/** The `error.message` of an OpenAI-style error body, else the body's start. */
function errorMessage(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof json.error === 'string' ? json.error : (json.error?.message ?? json.message);
    if (typeof m === 'string') return clip(m);
  } catch {
    // Not JSON.
  }
  return clip(body.trim(), 200);
}

/** Retry-After in ms (seconds or an HTTP date), or undefined. */
function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new RemoteError('cancelled', 'Cancelled.'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RemoteError('cancelled', 'Cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function clip(text: string, max = 300): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
