/**
 * Host side of the model runtime: starts the process on the first request,
 * numbers requests, routes streamed chunks and results back to their callers,
 * sends cancellation as a message, stops the process after an idle period and
 * fails in-flight requests clearly when it dies (the next request starts a new one).
 *
 * A watchdog times every step of the request the process works on (loading the
 * model, the first result, each further token) and the answer to a cancel: ONNX
 * Runtime blocks the process while a model runs, so a model that never finishes
 * can only be stopped by killing the process. The request then fails with a
 * message naming the model and the step; requests the dead process had not
 * started yet are sent once more to a fresh one.
 *
 * Free of the vscode API so the CLI and benchmarks can drive the same client.
 */
import { ChildProcess, execFile, fork } from 'child_process';
import * as fs from 'fs';
import { DisposableStore, type IDisposable } from '../util/dispose';
import { RuntimeError } from './runtimeError';
import type { HostMessage, MethodName, ParamsOf, ProcessMessage, ResultOf, RuntimeOptions, RuntimeStep, StreamOf } from './protocol';

/** What the client reports to its owner (status bar, log). */
export type RuntimeState = 'stopped' | 'starting' | 'idle' | 'busy';

export interface RuntimeClientOptions {
  /** Path of the bundled process entry (dist/runtime.js). */
  scriptPath: string;
  /** Node binary; defaults to the current process's (the extension host's). */
  execPath?: string;
  /** Read on every start and on `configure()`. */
  options(): RuntimeOptions;
  /** Milliseconds without requests before the process is stopped; 0 = never. */
  idleShutdownMs(): number;
  /** Receives the process's log lines and the client's own notes. */
  log?(level: 'trace' | 'info' | 'warn' | 'error', message: string): void;
  /** Milliseconds to wait for the process to say it is ready. */
  startTimeoutMs?: number;
  /** Deadlines of the steps of a request; each one missing takes its {@link DEFAULT_DEADLINES} value. */
  deadlines?: Partial<RuntimeDeadlines>;
  /**
   * Most resident memory (bytes) the process may use, read at each check; 0 = no limit.
   * Past it the process is stopped like a hung one. `--max-old-space-size` would not do:
   * ONNX Runtime's tensors are native memory, outside V8's heap.
   */
  maxMemoryBytes?(): number;
  /** Milliseconds between two memory checks (default 250). */
  memoryCheckMs?: number;
  /**
   * Starts the process with `--inspect=<port>` so that a debugger can attach to it (the
   * extension sets it from `INKWELL_RUNTIME_INSPECT`). Deadlines still apply: a process paused at
   * a breakpoint long enough is killed like a hung one.
   */
  inspectPort?: number;
}

/** How many process ids {@link RuntimeClient.startedPids} keeps. */
export const PID_HISTORY = 16;

/**
 * How long the process may stay silent in each step of a request before the
 * client kills it. Every report of progress (a new step, a token, an image
 * batch) starts the clock again, so the limits bound hangs, not long work.
 */
export interface RuntimeDeadlines {
  /** Loading a model: reading its files and creating its ONNX sessions. */
  loadMs: number;
  /** From a loaded model to its first result: encoding the prompt and the first token, an image batch, a test inference. */
  runMs: number;
  /** Silence between two generated tokens. */
  tokenMs: number;
  /** From Cancel to the process giving the request up. */
  cancelMs: number;
}

/** Generous for a CPU running small models on a busy machine; a hang is still stopped. */
export const DEFAULT_DEADLINES: Readonly<RuntimeDeadlines> = { loadMs: 120_000, runMs: 60_000, tokenMs: 30_000, cancelMs: 5_000 };

export interface RequestOptions<M extends MethodName> {
  /** Receives streamed chunks, in order, before the result resolves. */
  onStream?(chunk: StreamOf<M>): void;
  /**
   * Aborting cancels the request: no chunk reaches `onStream` after it, the
   * process is sent a cancel message, and the request rejects with a
   * `cancelled` RuntimeError (see protocol.ts).
   */
  signal?: AbortSignal;
}

interface InFlight {
  id: number;
  method: MethodName;
  params: unknown;
  resolve(result: unknown): void;
  reject(err: RuntimeError): void;
  onStream?(chunk: unknown): void;
  cleanup: IDisposable;
  /** The process this request was sent (or is waiting to be sent) to. */
  connection?: Connection;
  /** The process reported working on it: sending it again could run it twice. */
  started: boolean;
  /** Already sent again once after a process died before starting it. */
  retried: boolean;
  cancelled: boolean;
}

/** The request the process is working on, as far as its reports tell. */
interface Activity {
  id: number;
  step: RuntimeStep;
  /** Folder name of the model, when the request names one. */
  model?: string;
  method?: MethodName;
  /** The host asked to cancel it (or gave up on it). */
  cancelled: boolean;
  limitMs: number;
  timer: NodeJS.Timeout;
}

/** One started process and what lives exactly as long as it. */
interface Connection {
  child: ChildProcess;
  ready: Promise<void>;
  pid: number | undefined;
  /** Process-lifetime disposables: listeners, timers. Cleared when the process goes. */
  store: DisposableStore;
  /** Set when we stop the process ourselves, so its exit is not reported as a crash. */
  stopping: boolean;
  exitReason?: string;
  /** The process said it is ready (a start failure is not worth retrying). */
  started: boolean;
  /** What the watchdog is timing. */
  activity?: Activity;
  /** Set when the watchdog killed the process: the hung (or memory-hungry) request, why, and the code it fails with. */
  hung?: { id: number; message: string; code?: 'timed-out' | 'out-of-memory' };
}

export class RuntimeClient implements IDisposable {
  private connection: Connection | undefined;
  private readonly inFlight = new Map<number, InFlight>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private currentState: RuntimeState = 'stopped';
  private readonly stateListeners = new Set<(state: RuntimeState) => void>();
  private disposed = false;
  private readonly deadlines: RuntimeDeadlines;
  /** Process ids of the last {@link PID_HISTORY} processes this client started, oldest first, for tests and diagnostics. */
  readonly startedPids: number[] = [];

  constructor(private readonly opts: RuntimeClientOptions) {
    this.deadlines = { ...DEFAULT_DEADLINES, ...opts.deadlines };
  }

  /** The running process's id, if one is running. */
  get pid(): number | undefined {
    return this.connection?.pid;
  }

  get state(): RuntimeState {
    return this.currentState;
  }

  /** What the process last reported working on (the watchdog times it), if anything. */
  get currentStep(): { model?: string; step: RuntimeStep } | undefined {
    const activity = this.connection?.activity;
    return activity && { model: activity.model, step: activity.step };
  }

  /** Listens for state changes; returns a disposable that stops listening. */
  onDidChangeState(listener: (state: RuntimeState) => void): IDisposable {
    this.stateListeners.add(listener);
    return { dispose: () => this.stateListeners.delete(listener) };
  }

  /**
   * Sends a request, starting the process when none runs. Resolves with the
   * result; rejects with a RuntimeError (code `process-exited` when the process
   * died, `cancelled` when a handler gave up after a cancel, `timed-out` when
   * the process stopped answering and was killed).
   */
  request<M extends MethodName>(method: M, params: ParamsOf<M>, options: RequestOptions<M> = {}): Promise<ResultOf<M>> {
    if (this.disposed) return Promise.reject(new RuntimeError('process-exited', 'The model runtime has been shut down.'));
    if (options.signal?.aborted) return Promise.reject(cancelledError());
    const id = this.nextId++;
    this.clearIdleTimer();
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const entry: InFlight = {
        id,
        method,
        params,
        resolve: resolve as (r: unknown) => void,
        reject,
        onStream: options.onStream as ((chunk: unknown) => void) | undefined,
        cleanup: { dispose: () => undefined },
        started: false,
        retried: false,
        cancelled: false,
      };
      const onAbort = () => this.cancel(entry);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      entry.cleanup = { dispose: () => options.signal?.removeEventListener('abort', onAbort) };
      this.inFlight.set(id, entry);
      this.setState('busy');
      this.dispatch(entry);
    });
  }

  /** Sends a request to the running process, starting one when needed. */
  private dispatch(entry: InFlight): void {
    let connection: Connection;
    try {
      connection = this.connect();
    } catch (err) {
      this.settle(entry.id, undefined, RuntimeError.from(err, 'process-start-failed'));
      return;
    }
    entry.connection = connection;
    // Requests wait for `ready` so that a process that fails to start fails them clearly.
    connection.ready.then(
      () => {
        if (entry.connection === connection && this.inFlight.has(entry.id)) {
          this.post(connection, { type: 'request', id: entry.id, method: entry.method, params: entry.params } as HostMessage);
        }
      },
      (err: RuntimeError) => {
        if (entry.connection === connection) this.settle(entry.id, undefined, err);
      },
    );
  }

  /**
   * Cancel: the process is told, and checks between model steps. A request it
   * has not started ends now; one it works on gets `cancelMs` to end before the
   * watchdog kills the process.
   */
  private cancel(entry: InFlight): void {
    if (entry.cancelled || !this.inFlight.has(entry.id)) return;
    entry.cancelled = true;
    const connection = entry.connection;
    if (connection) this.post(connection, { type: 'cancel', id: entry.id });
    if (!entry.started) {
      this.settle(entry.id, undefined, cancelledError());
      return;
    }
    const activity = connection?.activity;
    if (connection && activity?.id === entry.id && !activity.cancelled) this.watch(connection, entry.id, activity.step);
  }

  /** Sends the current options to a running process (threads). */
  configure(): void {
    if (this.connection) this.post(this.connection, { type: 'configure', options: this.opts.options() });
  }

  /** Stops the process (if any); in-flight requests fail, the next request starts a new one. */
  restart(): void {
    this.stop('restarted');
  }

  /** Stops the process now. SIGKILL is safe: the process holds no state worth saving. */
  stop(reason = 'stopped'): void {
    const connection = this.connection;
    if (!connection) return;
    connection.stopping = true;
    connection.exitReason = reason;
    connection.child.kill('SIGKILL');
    // Fail requests now rather than when the exit event arrives.
    this.onExit(connection, null, 'SIGKILL');
  }

  dispose(): void {
    if (this.disposed) return;
    this.stop('shut down');
    this.disposed = true;
    this.clearIdleTimer();
    this.stateListeners.clear();
  }

  /** The running process, or a newly started one (its `ready` settles once it says so or fails to start). */
  private connect(): Connection {
    if (this.connection) return this.connection;
    const options = this.opts.options();
    const child = this.spawn(options);
    const ready = deferred<void>();
    const connection: Connection = {
      child,
      ready: ready.promise,
      pid: child.pid,
      store: new DisposableStore(),
      stopping: false,
      started: false,
    };
    this.connection = connection;
    if (child.pid !== undefined) {
      this.startedPids.push(child.pid);
      if (this.startedPids.length > PID_HISTORY) this.startedPids.splice(0, this.startedPids.length - PID_HISTORY);
    }
    this.setState('starting');
    this.log('info', `Starting the model runtime (pid ${child.pid}, ${options.threads} thread(s)).`);

    const timeout = setTimeout(() => {
      ready.reject(
        new RuntimeError('process-start-failed', 'The model runtime did not start within the time allowed. See the Inkwell log.'),
      );
      this.stop('start timed out');
    }, this.opts.startTimeoutMs ?? 30000);
    connection.store.add({ dispose: () => clearTimeout(timeout) });
    const onReady = (message: Extract<ProcessMessage, { type: 'ready' }>) => {
      clearTimeout(timeout);
      this.onReady(connection, message);
      ready.resolve();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      ready.reject(
        new RuntimeError(
          'process-start-failed',
          `The model runtime exited while starting (${describeExit(code, signal)}). See the Inkwell log.`,
        ),
      );
      this.onExit(connection, code, signal);
    };
    this.listen(connection, onReady, onExit);
    this.watchMemory(connection);
    return connection;
  }

  /** Checks the process's resident memory while it lives, and stops it past the limit. */
  private watchMemory(connection: Connection): void {
    const limitOf = this.opts.maxMemoryBytes;
    const pid = connection.pid;
    if (!limitOf || pid === undefined) return;
    let checking = false;
    const timer = setInterval(() => {
      const limit = limitOf();
      if (checking || limit <= 0 || this.connection !== connection) return;
      checking = true;
      void residentBytes(pid)
        .then((rss) => {
          if (rss !== undefined && rss > limit && this.connection === connection) this.onMemoryExceeded(connection, rss, limit);
        })
        .finally(() => {
          checking = false;
        });
    }, this.opts.memoryCheckMs ?? 250);
    timer.unref();
    connection.store.add({ dispose: () => clearInterval(timer) });
  }

  /** The process uses more memory than allowed: stop it, and say which model did what. */
  private onMemoryExceeded(connection: Connection, rss: number, limit: number): void {
    const activity = connection.activity;
    const who = activity?.model ? `The model "${activity.model}"` : 'The model runtime';
    const doing = activity ? ` while ${describeStep(activity.step, activity.method)}` : '';
    const message =
      `${who} used ${formatMegabytes(rss)} of memory${doing}, more than the ${formatMegabytes(limit)} allowed ` +
      '(inkwell.runtime.maxMemoryMB), so Inkwell stopped the model runtime. Raise the limit if the model needs more; the next request starts a fresh runtime.';
    this.log('error', message);
    if (activity) connection.hung = { id: activity.id, message, code: 'out-of-memory' };
    this.stop('stopped because it used too much memory');
  }

  /** Forks the runtime process: a plain Node process with an IPC channel, its output piped to the log. */
  private spawn(options: RuntimeOptions): ChildProcess {
    try {
      return fork(this.opts.scriptPath, [], {
        execPath: this.opts.execPath ?? process.execPath,
        // No inspector or loader flags of the host: the child is a plain Node process, with an
        // inspector of its own only when asked for one.
        execArgv: this.opts.inspectPort !== undefined ? [`--inspect=127.0.0.1:${this.opts.inspectPort}`] : [],
        serialization: 'advanced',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: {
          ...process.env,
          // The extension host's binary may be Electron: make it behave as Node.
          ELECTRON_RUN_AS_NODE: '1',
          INKWELL_RUNTIME_OPTIONS: JSON.stringify(options),
          // onnxruntime-node 1.30 otherwise starts its telemetry uploader, keeps a device id
          // and an event cache under ~/.cache and leaves /tmp/mat-debug-<pid>.log behind.
          ORT_DISABLE_TELEMETRY: process.env.ORT_DISABLE_TELEMETRY ?? '1',
        },
      });
    } catch (err) {
      throw new RuntimeError('process-start-failed', `Could not start the model runtime: ${(err as Error).message}`);
    }
  }

  /** Attaches the process's listeners; the connection's store detaches them when the process goes. */
  private listen(
    connection: Connection,
    onReady: (message: Extract<ProcessMessage, { type: 'ready' }>) => void,
    onExit: (code: number | null, signal: NodeJS.Signals | null) => void,
  ): void {
    const { child } = connection;
    const onMessage = (message: ProcessMessage) => {
      if (message.type === 'ready') onReady(message);
      else if (message.type === 'log') this.log(message.level, message.message);
      else this.onRequestMessage(connection, message);
    };
    const onError = (err: Error) => this.log('error', `Model runtime process error: ${err.message}`);
    const toLog = (level: 'info' | 'warn') => (data: Buffer) => {
      for (const line of data.toString('utf8').split(/\r?\n/)) if (line.trim()) this.log(level, `[runtime] ${line}`);
    };
    const out = toLog('info');
    const err = toLog('warn');
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.on('error', onError);
    child.stdout?.on('data', out);
    child.stderr?.on('data', err);
    connection.store.add({
      dispose: () => {
        this.unwatch(connection);
        child.off('message', onMessage);
        child.off('error', onError);
        child.stdout?.off('data', out);
        child.stderr?.off('data', err);
      },
    });
  }

  /** The process loaded ONNX Runtime and takes requests. */
  private onReady(connection: Connection, message: Extract<ProcessMessage, { type: 'ready' }>): void {
    connection.started = true;
    connection.pid = message.pid;
    this.log('info', `Model runtime ready (onnxruntime ${message.onnxruntimeVersion}).`);
    if (this.inFlight.size === 0) this.setState('idle');
    this.armIdleTimer();
  }

  /** A message about one request: progress restarts its deadline; a result or error settles it. */
  private onRequestMessage(connection: Connection, message: Exclude<ProcessMessage, { type: 'ready' } | { type: 'log' }>): void {
    if (message.type === 'step') this.watch(connection, message.id, message.step);
    else if (message.type === 'stream') this.watch(connection, message.id, 'token');
    else if (connection.activity?.id === message.id) this.unwatch(connection);
    const pending = this.inFlight.get(message.id);
    if (!pending) return;
    // After a cancel the caller hears nothing more, and a result that crossed the cancel counts as cancelled.
    if (message.type === 'stream') {
      if (!pending.cancelled) pending.onStream?.(message.chunk);
    } else if (message.type === 'result') {
      this.settle(message.id, message.result, pending.cancelled ? cancelledError() : undefined);
    } else if (message.type === 'error') {
      this.settle(message.id, undefined, RuntimeError.fromInfo(message.error));
    }
  }

  /**
   * (Re)starts the deadline of `step` for request `id`, which the process is
   * working on. A request the host gave up on only gets the time to cancel.
   */
  private watch(connection: Connection, id: number, step: RuntimeStep): void {
    if (this.connection !== connection) return;
    const entry = this.inFlight.get(id);
    if (entry) entry.started = true;
    const cancelled = !entry || entry.cancelled;
    const d = this.deadlines;
    const limitMs = cancelled ? d.cancelMs : step === 'load' ? d.loadMs : step === 'run' ? d.runMs : d.tokenMs;
    if (connection.activity) clearTimeout(connection.activity.timer);
    const model =
      entry && typeof (entry.params as { model?: unknown }).model === 'string'
        ? modelName((entry.params as { model: string }).model)
        : connection.activity?.id === id
          ? connection.activity.model
          : undefined;
    const method = entry?.method ?? (connection.activity?.id === id ? connection.activity.method : undefined);
    const timer = setTimeout(() => this.onHang(connection), limitMs);
    connection.activity = { id, step, model, method, cancelled, limitMs, timer };
  }

  private unwatch(connection: Connection): void {
    if (connection.activity) clearTimeout(connection.activity.timer);
    connection.activity = undefined;
  }

  /** The process missed a deadline: kill it, and say which model hung in which step. */
  private onHang(connection: Connection): void {
    const activity = connection.activity;
    if (!activity || this.connection !== connection) return;
    const who = activity.model ? `The model "${activity.model}"` : 'The model runtime';
    const doing = describeStep(activity.step, activity.method);
    const waited = formatSeconds(activity.limitMs);
    const message = activity.cancelled
      ? `${who} did not stop within ${waited} of Cancel while ${doing}, so Inkwell stopped the model runtime. The next request starts a fresh one.`
      : `${who} did not respond for ${waited} while ${doing}, so Inkwell stopped the model runtime. The next request starts a fresh one.`;
    this.log('error', message);
    connection.hung = { id: activity.id, message };
    this.stop('stopped because it hung');
  }

  private onExit(connection: Connection, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    connection.store.dispose();
    this.clearIdleTimer();
    const how = describeExit(code, signal);
    const hung = connection.hung;
    const message = hung
      ? `The model runtime was stopped because of an earlier request: ${hung.message}`
      : connection.stopping
        ? `The model runtime was ${connection.exitReason ?? 'stopped'} while this request ran.`
        : `The model runtime stopped unexpectedly (${how}). The next request starts it again.`;
    if (!connection.stopping) this.log('error', message);
    else this.log('info', `Model runtime ${connection.exitReason ?? 'stopped'}.`);
    // Requests the process never started did not cause this: they get one more try.
    const mayRetry = connection.started && (hung !== undefined || !connection.stopping) && !this.disposed;
    const again: InFlight[] = [];
    for (const entry of [...this.inFlight.values()]) {
      if (entry.connection !== connection) continue;
      if (hung?.id === entry.id) this.settle(entry.id, undefined, new RuntimeError(hung.code ?? 'timed-out', hung.message));
      else if (mayRetry && !entry.started && !entry.retried && !entry.cancelled) again.push(entry);
      else this.settle(entry.id, undefined, new RuntimeError(hung ? 'timed-out' : 'process-exited', message));
    }
    this.setState(this.inFlight.size ? 'busy' : 'stopped');
    for (const entry of again) {
      entry.retried = true;
      entry.connection = undefined;
      this.log('info', `Sending ${entry.method} again to a fresh model runtime: the last one exited before starting it.`);
      this.dispatch(entry);
    }
  }

  private settle(id: number, result: unknown, error?: RuntimeError): void {
    const pending = this.inFlight.get(id);
    if (!pending) return;
    this.inFlight.delete(id);
    pending.cleanup.dispose();
    if (error) pending.reject(error);
    else pending.resolve(result);
    if (this.inFlight.size === 0 && this.connection) {
      this.setState('idle');
      this.armIdleTimer();
    }
  }

  private post(connection: Connection, message: HostMessage): void {
    if (this.connection !== connection || !connection.child.connected) return;
    connection.child.send(message, (err) => {
      if (err) this.log('warn', `Could not reach the model runtime: ${err.message}`);
    });
  }

  private armIdleTimer(): void {
    this.clearIdleTimer();
    const ms = this.opts.idleShutdownMs();
    if (ms <= 0 || !this.connection || this.inFlight.size > 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.inFlight.size === 0) this.stop('stopped after being idle');
    }, ms);
    // An idle timer must not keep a CLI or test process alive.
    this.idleTimer.unref?.();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private setState(state: RuntimeState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }

  private log(level: 'trace' | 'info' | 'warn' | 'error', message: string): void {
    this.opts.log?.(level, message);
  }
}

/** How every cancelled request ends (see protocol.ts). */
function cancelledError(): RuntimeError {
  return new RuntimeError('cancelled', 'Cancelled.');
}

/** A promise with its resolve and reject at hand; a rejection nobody awaits is not reported as unhandled. */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(err: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** The folder name of a model path, for messages. */
function modelName(dir: string): string {
  return (
    dir
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() || dir
  );
}

/** What the process was doing, in words, for the message about a hang. */
function describeStep(step: RuntimeStep, method: MethodName | undefined): string {
  if (step === 'load') return 'loading it';
  if (step === 'token') return 'generating the next token';
  if (method === 'text.generate' || method === 'text.chat') return 'reading the prompt and computing the first token';
  if (method === 'model.check') return 'running the test inference';
  if (method?.startsWith('image.')) return 'generating images';
  return 'running';
}

function formatMegabytes(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MB`;
}

/**
 * Resident memory of a process: from /proc on Linux, from `ps` on macOS; undefined
 * where neither answers (Windows: the limit is not enforced there).
 */
async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    if (process.platform === 'linux') {
      const status = await fs.promises.readFile(`/proc/${pid}/status`, 'latin1');
      const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      return kb ? Number(kb[1]) * 1024 : undefined;
    }
    if (process.platform === 'darwin') {
      const out = await new Promise<string>((resolve, reject) =>
        execFile('ps', ['-o', 'rss=', '-p', String(pid)], (err, stdout) => (err ? reject(err) : resolve(stdout))),
      );
      const kb = Number(out.trim());
      return Number.isFinite(kb) && kb > 0 ? kb * 1024 : undefined;
    }
  } catch {
    // The process is gone, or the platform does not tell.
  }
  return undefined;
}

function formatSeconds(ms: number): string {
  if (ms >= 10_000) return `${Math.round(ms / 1000)} s`;
  return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  if (code === 134) return 'aborted by a native error, exit code 134';
  return `exit code ${code ?? 'unknown'}`;
}
