/**
 * Entry point of the model runtime process (bundled to dist/runtime.js and
 * forked by the extension host). The only place, with the CLI, that loads the
 * native onnxruntime-node addon: a native crash here takes down this process,
 * never the editor.
 *
 * Requests run one at a time in arrival order; ONNX Runtime blocks the thread
 * while a model step runs, so handlers yield between steps to read cancel
 * messages, which abort the request's signal (see protocol.ts for what a
 * cancelled request answers).
 */
import * as ort from 'onnxruntime-node';
import * as os from 'os';
import { RuntimeError } from '../runtimeError';
import type { HostMessage, MethodName, ProcessMessage, RequestMessage, RuntimeOptions } from '../protocol';
import { handlers } from './handlers';
import type { Handler, HandlerContext, RuntimeServices } from './handlers/types';
import { SessionCache } from './sessions';

// The editor must never stutter: when the machine is busy, the model yields the
// CPU to the extension host and the UI, at some cost in tokens per second.
try {
  os.setPriority(os.constants.priority.PRIORITY_BELOW_NORMAL);
} catch {
  // Not permitted on this system: run at normal priority.
}

function send(message: ProcessMessage): void {
  // The channel closes when the host goes away; nothing is left to tell then.
  if (process.connected) process.send?.(message);
}

function log(level: 'trace' | 'info' | 'warn' | 'error', message: string): void {
  send({ type: 'log', level, message });
}

const options: RuntimeOptions = readOptions(process.env.INKWELL_RUNTIME_OPTIONS);
const sessions = new SessionCache(ort, { ...options }, (message) => log('info', message));
const memos = new Map<string, Promise<unknown>>();

const services: RuntimeServices = {
  ort,
  sessions,
  get options() {
    return options;
  },
  log,
  memo<T>(key: string, make: () => Promise<T>): Promise<T> {
    let pending = memos.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = make();
      memos.set(key, pending);
      pending.catch(() => {
        if (memos.get(key) === pending) memos.delete(key);
      });
    }
    return pending;
  },
  async forget(prefix: string): Promise<boolean> {
    for (const key of [...memos.keys()]) if (key.startsWith(prefix)) memos.delete(key);
    return sessions.release(prefix);
  },
};

interface Pending {
  message: RequestMessage;
  /** Aborted by the host's `cancel` message. */
  cancellation: AbortController;
}

const queue: Pending[] = [];
const byId = new Map<number, Pending>();
let running = false;

const yieldToHost = () => new Promise<void>((resolve) => setImmediate(resolve));

async function execute(pending: Pending): Promise<void> {
  const { id, method, params } = pending.message;
  const handler = (handlers as Record<MethodName, Handler<MethodName> | undefined>)[method];
  if (!handler) {
    send({
      type: 'error',
      id,
      error: { code: 'unknown-method', message: `The model runtime does not know '${method}'. Reload the window to update it.` },
    });
    return;
  }
  const ctx: HandlerContext<MethodName> = {
    services,
    signal: pending.cancellation.signal,
    stream: (chunk) => send({ type: 'stream', id, chunk }),
    step: (step) => send({ type: 'step', id, step }),
    yieldToHost,
  };
  // Tells the host this request is the one being worked on: its deadlines run from here.
  ctx.step('load');
  try {
    const result = await handler(params as never, ctx);
    send({ type: 'result', id, result });
  } catch (err) {
    const error = RuntimeError.from(err, 'internal');
    if (error.code === 'internal') log('error', `${method} failed: ${error.detail ?? error.message}`);
    send({ type: 'error', id, error: error.toInfo() });
  }
}

async function pump(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (next.cancellation.signal.aborted) {
        send({ type: 'error', id: next.message.id, error: new RuntimeError('cancelled', 'Cancelled.').toInfo() });
      } else {
        await execute(next);
      }
      byId.delete(next.message.id);
    }
  } finally {
    running = false;
  }
}

process.on('message', (message: HostMessage) => {
  switch (message.type) {
    case 'request': {
      const pending: Pending = { message, cancellation: new AbortController() };
      byId.set(message.id, pending);
      queue.push(pending);
      void pump();
      break;
    }
    case 'cancel': {
      const pending = byId.get(message.id);
      pending?.cancellation.abort();
      break;
    }
    case 'configure': {
      const { threads, modelCache } = readOptions(JSON.stringify(message.options));
      options.threads = threads;
      options.modelCache = modelCache;
      void sessions.configure({ threads, modelCache }).then((dropped) => {
        if (dropped) {
          memos.clear();
          log('info', `Model runtime now uses ${threads} thread(s).`);
        }
      });
      break;
    }
  }
});

/** The options the host started this process with (or sent since), with anything malformed taken as absent. */
function readOptions(json: string | undefined): RuntimeOptions {
  let raw: Partial<RuntimeOptions> = {};
  try {
    raw = JSON.parse(json ?? '{}') as Partial<RuntimeOptions>;
  } catch {
    // The host always sends JSON; a hand-started process runs with the defaults.
  }
  const threads = Math.max(1, Math.floor(Number(raw.threads)) || 1);
  const cache = raw.modelCache;
  const modelCache =
    cache && typeof cache.dir === 'string' && cache.dir && Number.isFinite(cache.maxBytes) && cache.maxBytes > 0
      ? { dir: cache.dir, maxBytes: cache.maxBytes }
      : undefined;
  return { threads, modelCache };
}

// The host owns this process: when it goes away, so do we.
process.on('disconnect', () => process.exit(0));

send({ type: 'ready', pid: process.pid, onnxruntimeVersion: ort.env.versions?.node ?? 'unknown' });
