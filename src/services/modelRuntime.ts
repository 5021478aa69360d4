import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { physicalCoreCount } from '../generation/sessionOptions';
import type { TextBackend } from '../generation/textBackend';
import type { SpeculativeMode } from '../generation/textRequest';
import { LocalTextBackend } from '../runtime/localTextBackend';
import { RuntimeClient, type RequestOptions, type RuntimeState } from '../runtime/client';
import type { MethodName, ParamsOf, ResultOf } from '../runtime/protocol';
import { onConfigChange, readConfig } from '../util/config';
import type { Logger } from '../util/logger';
import type { ModelRegistry } from './modelRegistryService';

/** Threads for `inkwell.runtime.threads`: 0 means one per physical core, up to 4; never more than the cores. */
export function effectiveThreads(setting: number): number {
  if (setting > 0) return Math.max(1, Math.min(Math.floor(setting), os.availableParallelism()));
  return Math.max(1, Math.min(4, physicalCoreCount()));
}

/** Bytes for `inkwell.runtime.maxMemoryMB`: 0 means half the machine's memory, at most 8 GiB. */
export function effectiveMemoryLimit(settingMB: number): number {
  if (settingMB > 0) return Math.floor(settingMB) * 2 ** 20;
  return Math.min(os.totalmem() / 2, 8 * 2 ** 30);
}

/**
 * `inkwell.runtime.speculativeDecoding` for a request (`rewrites`: `auto` when its answer repeats
 * its prompt, else `off`) and, for `draft` and `auto`, the folder of `inkwell.models.draftModel`
 * (none set: `auto` looks up drafts only; `draft` is an error in words).
 */
function speculationSetting(registry: ModelRegistry, repeatsInput: boolean): { speculative: SpeculativeMode; draftModel?: string } {
  const setting = readConfig('runtime').speculativeDecoding;
  const speculative: SpeculativeMode = setting === 'rewrites' ? (repeatsInput ? 'auto' : 'off') : setting;
  const name = readConfig('models').draftModel.trim();
  if (speculative === 'off' || speculative === 'prompt-lookup' || (!name && speculative === 'auto')) return { speculative };
  if (!name) {
    throw new Error(
      'inkwell.runtime.speculativeDecoding is "draft" but no draft model is set: put a smaller model of the same family in inkwell.models.draftModel.',
    );
  }
  let dir: string;
  try {
    dir = registry.resolve('text', name).dir;
  } catch (err) {
    throw new Error(`inkwell.models.draftModel: ${(err as Error).message}`);
  }
  return { speculative, draftModel: dir };
}

/** `inkwell.models.chat`, or an error that says how to set it when it is empty. */
function chatModelSetting(): string {
  const name = readConfig('models').chat.trim();
  if (!name) throw new Error('No chat model is set: put the name or folder of an instruct model in the inkwell.models.chat setting.');
  return name;
}

/**
 * The port of `INKWELL_RUNTIME_INSPECT` ("Run Extension + debug the model runtime" in
 * .vscode/launch.json sets it): the runtime process then starts with an inspector on it.
 */
export function inspectPortOf(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const port = Number(value);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

/**
 * The extension's handle on the model runtime process. Lives as long as the
 * extension; the process it drives comes and goes (lazy start, idle shutdown,
 * crash, "Restart Model Runtime"), and with it the client's process-lifetime state.
 */
export class ModelRuntime implements vscode.Disposable {
  readonly client: RuntimeClient;
  private readonly subscriptions: vscode.Disposable[] = [];

  /** `storagePath`: the extension's global storage, where optimized graphs are kept (inkwell.runtime.optimizedModelCacheMB). */
  constructor(extensionPath: string, log: Logger, storagePath: string) {
    this.client = new RuntimeClient({
      scriptPath: path.join(extensionPath, 'dist', 'runtime.js'),
      options: () => {
        const { threads, optimizedModelCacheMB } = readConfig('runtime');
        const maxBytes = Math.floor(optimizedModelCacheMB) * 2 ** 20;
        return {
          threads: effectiveThreads(threads),
          modelCache: maxBytes > 0 ? { dir: path.join(storagePath, 'optimized-models'), maxBytes } : undefined,
        };
      },
      idleShutdownMs: () => Math.max(0, readConfig('runtime').idleShutdownSeconds) * 1000,
      maxMemoryBytes: () => effectiveMemoryLimit(readConfig('runtime').maxMemoryMB),
      log: (level, message) => log[level](message),
      inspectPort: inspectPortOf(process.env.INKWELL_RUNTIME_INSPECT),
    });
    this.subscriptions.push(
      { dispose: () => this.client.dispose() },
      onConfigChange('runtime', () => this.client.configure()),
    );
  }

  /** "Restart Model Runtime": stops the process; the next request starts a fresh one. */
  restart(): void {
    this.client.restart();
    void vscode.window.showInformationMessage('Inkwell: the model runtime will start again on the next request.');
  }

  get state(): RuntimeState {
    return this.client.state;
  }

  onDidChangeState(listener: (state: RuntimeState) => void): vscode.Disposable {
    const sub = this.client.onDidChangeState(listener);
    return { dispose: () => sub.dispose() };
  }

  /**
   * Sends a request. Aborting `options.signal` cancels it: the request then
   * rejects with a `cancelled` RuntimeError (see runtime/protocol.ts).
   */
  request<M extends MethodName>(method: M, params: ParamsOf<M>, options: RequestOptions<M> = {}): Promise<ResultOf<M>> {
    return this.client.request(method, params, options);
  }

  /** This runtime as the editor's text backend: names resolve through `registry`, the dtype setting is read per request. */
  textBackend(registry: ModelRegistry): TextBackend {
    return new LocalTextBackend({
      client: this.client,
      resolveModel: (name) => registry.resolve('text', name),
      resolveChatModel: (name) => registry.resolve('text', name ?? chatModelSetting()),
      listModels: () => registry.list('text'),
      dtype: () => readConfig('models').dtype,
      speculation: (repeatsInput) => speculationSetting(registry, repeatsInput),
    });
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0).reverse()) d.dispose();
  }
}
