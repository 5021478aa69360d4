/**
 * Host side of the model runtime: starts the process on the first request,
 * numbers requests, routes streamed chunks and results back to their callers,
 * sends cancellation as a message, stops the process after an idle period and
 * fails in-flight requests clearly when it dies (the next request starts a new one).
 *
 * Free of the vscode API so the CLI and benchmarks can drive the same client.
 */
import { ChildProcess, fork } from 'child_process';
import { DisposableStore, type IDisposable } from '../util/dispose';
import { RuntimeError } from './errors';
import type { HostMessage, MethodName, ParamsOf, ProcessMessage, ResultOf, RuntimeOptions, StreamOf } from './protocol';

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
}

export interface RequestOptions<M extends MethodName> {
  /** Receives streamed chunks, in order, before the result resolves. */
  onStream?(chunk: StreamOf<M>): void;
  /** Aborting sends a cancel message; the request then settles as its handler decides. */
  signal?: AbortSignal;
}

interface InFlight {
  method: MethodName;
  resolve(result: unknown): void;
  reject(err: RuntimeError): void;
  onStream?(chunk: unknown): void;
  cleanup: IDisposable;
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
}

export class RuntimeClient implements IDisposable {
  private connection: Connection | undefined;
  private readonly inFlight = new Map<number, InFlight>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private currentState: RuntimeState = 'stopped';
  private readonly stateListeners = new Set<(state: RuntimeState) => void>();
  private disposed = false;
  /** Process ids of every process this client started, for tests and diagnostics. */
  readonly startedPids: number[] = [];

  constructor(private readonly opts: RuntimeClientOptions) {}

  /** The running process's id, if one is running. */
  get pid(): number | undefined {
    return this.connection?.pid;
  }

  get state(): RuntimeState {
    return this.currentState;
  }

  /** Listens for state changes; returns a disposable that stops listening. */
  onDidChangeState(listener: (state: RuntimeState) => void): IDisposable {
    this.stateListeners.add(listener);
    return { dispose: () => this.stateListeners.delete(listener) };
  }

  /**
   * Sends a request, starting the process when none runs. Resolves with the
   * result; rejects with a RuntimeError (code `process-exited` when the process
   * died, `cancelled` when a handler gave up after a cancel).
   */
  request<M extends MethodName>(method: M, params: ParamsOf<M>, options: RequestOptions<M> = {}): Promise<ResultOf<M>> {
    if (this.disposed) return Promise.reject(new RuntimeError('process-exited', 'The model runtime has been shut down.'));
    if (options.signal?.aborted) return Promise.reject(new RuntimeError('cancelled', 'Cancelled.'));
    const connection = this.connect();
    const id = this.nextId++;
    this.clearIdleTimer();
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const onAbort = () => this.post(connection, { type: 'cancel', id });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.inFlight.set(id, {
        method,
        resolve: resolve as (r: unknown) => void,
        reject,
        onStream: options.onStream as ((chunk: unknown) => void) | undefined,
        cleanup: { dispose: () => options.signal?.removeEventListener('abort', onAbort) },
      });
      this.setState('busy');
      // Requests wait for `ready` so that a process that fails to start fails them clearly.
      connection.ready.then(
        () => this.post(connection, { type: 'request', id, method, params } as HostMessage),
        (err: RuntimeError) => this.settle(id, undefined, err),
      );
    });
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

  private connect(): Connection {
    if (this.connection) return this.connection;
    const store = new DisposableStore();
    const options = this.opts.options();
    let child: ChildProcess;
    try {
      child = fork(this.opts.scriptPath, [], {
        execPath: this.opts.execPath ?? process.execPath,
        // No inspector or loader flags of the host: the child is a plain Node process.
        execArgv: [],
        serialization: 'advanced',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: {
          ...process.env,
          // The extension host's binary may be Electron: make it behave as Node.
          ELECTRON_RUN_AS_NODE: '1',
          INKWELL_RUNTIME_THREADS: String(options.threads),
        },
      });
    } catch (err) {
      throw new RuntimeError('process-start-failed', `Could not start the model runtime: ${(err as Error).message}`);
    }
    let markReady!: () => void;
    let failReady!: (err: RuntimeError) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    ready.catch(() => undefined);
    const connection: Connection = { child, ready, pid: child.pid, store, stopping: false };
    this.connection = connection;
    if (child.pid !== undefined) this.startedPids.push(child.pid);
    this.setState('starting');
    this.log('info', `Starting the model runtime (pid ${child.pid}, ${options.threads} thread(s)).`);

    const timeout = setTimeout(() => {
      failReady(new RuntimeError('process-start-failed', 'The model runtime did not start within the time allowed. See the Inkwell log.'));
      this.stop('start timed out');
    }, this.opts.startTimeoutMs ?? 30000);
    store.add({ dispose: () => clearTimeout(timeout) });

    const onMessage = (message: ProcessMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timeout);
        connection.pid = message.pid;
        this.log('info', `Model runtime ready (onnxruntime ${message.onnxruntimeVersion}).`);
        markReady();
        if (this.inFlight.size === 0) this.setState('idle');
        this.armIdleTimer();
        return;
      }
      if (message.type === 'log') {
        this.log(message.level, message.message);
        return;
      }
      const pending = this.inFlight.get(message.id);
      if (!pending) return;
      if (message.type === 'stream') pending.onStream?.(message.chunk);
      else if (message.type === 'result') this.settle(message.id, message.result);
      else this.settle(message.id, undefined, RuntimeError.fromInfo(message.error));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      failReady(new RuntimeError('process-start-failed', `The model runtime exited while starting (${describeExit(code, signal)}). See the Inkwell log.`));
      this.onExit(connection, code, signal);
    };
    const onError = (err: Error) => this.log('error', `Model runtime process error: ${err.message}`);
    const onOutput = (level: 'info' | 'warn') => (data: Buffer) => {
      for (const line of data.toString('utf8').split(/\r?\n/)) if (line.trim()) this.log(level, `[runtime] ${line}`);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.on('error', onError);
    const out = onOutput('info');
    const err = onOutput('warn');
    child.stdout?.on('data', out);
    child.stderr?.on('data', err);
    store.add({
      dispose: () => {
        child.off('message', onMessage);
        child.off('error', onError);
        child.stdout?.off('data', out);
        child.stderr?.off('data', err);
      },
    });
    return connection;
  }

  private onExit(connection: Connection, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    connection.store.dispose();
    this.clearIdleTimer();
    const how = describeExit(code, signal);
    const message = connection.stopping
      ? `The model runtime was ${connection.exitReason ?? 'stopped'} while this request ran.`
      : `The model runtime stopped unexpectedly (${how}). The next request starts it again.`;
    if (!connection.stopping) this.log('error', message);
    else this.log('info', `Model runtime ${connection.exitReason ?? 'stopped'}.`);
    for (const id of [...this.inFlight.keys()]) this.settle(id, undefined, new RuntimeError('process-exited', message));
    this.setState('stopped');
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

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  if (code === 134) return 'aborted by a native error, exit code 134';
  return `exit code ${code ?? 'unknown'}`;
}
