/**
 * A small HTTP GET over node's http/https (which VS Code's extension host
 * routes through the user's proxy settings): manual redirects, so the hub's own
 * headers (`X-Linked-Etag`, `X-Linked-Size`, `X-Repo-Commit`) are seen before the
 * CDN answers; an idle timeout; cancellation by AbortSignal; no compression.
 */
import * as http from 'http';
import * as https from 'https';
import { redactUrl } from '../core/hub/endpoint';

/** Why a hub operation failed; `resumable` failures keep their partial data. */
export type HubErrorCode =
  | 'cancelled'
  | 'network'
  | 'not-found'
  | 'unauthorized'
  | 'http'
  | 'integrity'
  | 'listing'
  | 'selection'
  | 'exists'
  | 'busy'
  | 'disk-space'
  | 'input';

export class HubError extends Error {
  override readonly name = 'HubError';
  constructor(
    readonly code: HubErrorCode,
    message: string,
    /** Partial data was kept: running the same download again continues it. */
    readonly resumable = false,
    /** For a network error, the system's error code (`ENOTFOUND`, `ECONNREFUSED`…), when there was one. */
    readonly errno?: string,
  ) {
    super(message);
  }
}

export interface HttpResponse {
  status: number;
  /** Headers of the last response (the one with the body). */
  headers: http.IncomingHttpHeaders;
  /** Headers of the first response: the hub's, before any redirect to a CDN. */
  firstHeaders: http.IncomingHttpHeaders;
  /** The URL that answered. */
  url: string;
  /** Every URL visited, redirects included. */
  chain: string[];
  body: http.IncomingMessage;
}

export interface HttpOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Fail when the connection is silent this long (connect, headers or body). */
  idleTimeoutMs?: number;
  maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** An Error for a cancelled operation. */
export function cancelledError(): HubError {
  return new HubError('cancelled', 'The download was cancelled.', true);
}

/** GET `url`, following redirects. The caller consumes or destroys `body`. */
export async function httpGet(url: string, options: HttpOptions = {}): Promise<HttpResponse> {
  const chain: string[] = [];
  let first: http.IncomingHttpHeaders | undefined;
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    chain.push(current.toString());
    const res = await requestOnce(current, options);
    first ??= res.headers;
    const location = res.headers.location;
    if (REDIRECTS.has(res.statusCode ?? 0) && location) {
      res.resume();
      if (hop >= (options.maxRedirects ?? 10)) throw new HubError('http', `Too many redirects from ${redactUrl(url)}.`);
      const next = new URL(location, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        throw new HubError('http', `${redactUrl(url)} redirected to a ${next.protocol} URL.`);
      // Credentials in the endpoint URL go only to the endpoint's own origin.
      if (next.origin === current.origin && !next.username && current.username) {
        next.username = current.username;
        next.password = current.password;
      }
      current = next;
      continue;
    }
    return { status: res.statusCode ?? 0, headers: res.headers, firstHeaders: first, url: current.toString(), chain, body: res };
  }
}

function requestOnce(url: URL, options: HttpOptions): Promise<http.IncomingMessage> {
  const signal = options.signal;
  if (signal?.aborted) return Promise.reject(cancelledError());
  return new Promise((resolve, reject) => {
    const get = url.protocol === 'https:' ? https.get : http.get;
    const req = get(url, { headers: { 'Accept-Encoding': 'identity', 'User-Agent': 'inkwell', ...options.headers } });
    let res: http.IncomingMessage | undefined;
    const onAbort = () => {
      const err = cancelledError();
      req.destroy(err);
      res?.destroy(err);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const idle = options.idleTimeoutMs ?? 60_000;
    req.setTimeout(idle, () => {
      req.destroy(new HubError('network', `${redactUrl(url.toString())} sent nothing for ${Math.round(idle / 1000)} s.`, true));
    });
    req.on('response', (r) => {
      res = r;
      r.once('close', () => signal?.removeEventListener('abort', onAbort));
      resolve(r);
    });
    req.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}

/** Reads a whole (small) body as text, refusing more than `maxBytes`. */
export async function readText(res: http.IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > maxBytes) {
      res.destroy();
      throw new HubError('listing', `The hub's answer is larger than ${maxBytes} bytes.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A network error as a resumable {@link HubError}; HubErrors pass through. */
export function asHubError(err: unknown, what: string, signal?: AbortSignal): HubError {
  if (err instanceof HubError) return err;
  if (signal?.aborted) return cancelledError();
  const e = err as NodeJS.ErrnoException;
  const reason = e?.code ? `${e.message} (${e.code})` : String(e?.message ?? err);
  return new HubError('network', `${what} failed: ${reason}.`, true, typeof e?.code === 'string' ? e.code : undefined);
}

/** System error codes that mean the hub cannot be reached at all: no network, no such host, nobody listening. */
const UNREACHABLE = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
  'ECONNRESET',
]);

/** Whether `err` says the hub could not be reached (as opposed to an answer from it). */
export function isUnreachable(err: unknown): err is HubError {
  return err instanceof HubError && err.code === 'network' && err.errno !== undefined && UNREACHABLE.has(err.errno);
}
