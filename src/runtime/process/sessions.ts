import type * as ort from 'onnxruntime-node';
import * as fs from 'fs';
import { OptimizedModelCache } from '../../generation/optimizedModelCache';
import { cacheByPosition } from '../../generation/cacheByPosition';
import { openOnnxSession, sessionCreator } from '../../generation/sessionOptions';
import type { RuntimeOptions } from '../protocol';

/**
 * ONNX sessions by model file. A session is created on first use with the
 * current options; a failed load is forgotten so the next request retries.
 * Changing the thread count drops every session (they are recreated lazily).
 */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
  private modelCache: OptimizedModelCache | undefined;

  constructor(
    private readonly runtime: typeof ort,
    private options: RuntimeOptions,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.modelCache = this.makeModelCache();
  }

  /** The session for `file`, loading it when needed (again when the file changed on disk). */
  get(file: string): Promise<ort.InferenceSession> {
    const key = fileKey(file);
    let pending = this.sessions.get(key);
    if (!pending) {
      void this.release(`${file}\0`);
      pending = this.create(file);
      this.sessions.set(key, pending);
      pending.catch(() => {
        if (this.sessions.get(key) === pending) this.sessions.delete(key);
      });
    }
    return pending;
  }

  /** True when a session for the current version of `file` is loaded or loading. */
  has(file: string): boolean {
    return this.sessions.has(fileKey(file));
  }

  /** Files with a loaded (or loading) session. */
  files(): string[] {
    return [...this.sessions.keys()].map((key) => key.slice(0, key.indexOf('\0')));
  }

  /** Releases the sessions of files under `prefix` (a model folder). */
  async release(prefix: string): Promise<boolean> {
    let any = false;
    for (const [file, pending] of [...this.sessions]) {
      if (!file.startsWith(prefix)) continue;
      this.sessions.delete(file);
      any = true;
      await pending.then((s) => s.release()).catch(() => undefined);
    }
    return any;
  }

  /** Applies new options; returns true when sessions were dropped because of them (a new cache keeps the sessions). */
  async configure(options: RuntimeOptions): Promise<boolean> {
    const changed = options.threads !== this.options.threads;
    this.options = options;
    this.modelCache = this.makeModelCache();
    if (changed) await this.release('');
    return changed;
  }

  private makeModelCache(): OptimizedModelCache | undefined {
    const cache = this.options.modelCache;
    return cache && new OptimizedModelCache({ ...cache, ortVersion: this.runtime.env.versions?.node ?? 'unknown' });
  }

  private create(file: string): Promise<ort.InferenceSession> {
    return openOnnxSession(sessionCreator(this.runtime.InferenceSession), file, this.options.threads, {
      cache: this.modelCache,
      // Decoder graphs take their KV cache by position; any other graph opens as it is.
      rewrite: cacheByPosition,
      onCache: (event, f) =>
        this.log(
          event === 'opened'
            ? `Opened ${f} from the optimized-model cache.`
            : `Saved ONNX Runtime's optimized graph of ${f} for faster loads.`,
        ),
    });
  }
}

/**
 * Cache key of a file's current version: a model replaced on disk (a new export,
 * a training run) gets a new session instead of the stale one.
 */
export function fileKey(file: string): string {
  try {
    const stat = fs.statSync(file);
    return `${file}\0${stat.mtimeMs}:${stat.size}`;
  } catch {
    return `${file}\0missing`;
  }
}
