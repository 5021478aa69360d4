import * as vscode from 'vscode';
import type {
  ChatBackendRequest,
  GenerateOptions,
  TextBackend,
  TextBackendModel,
  TextBackendRequest,
  TextBackendResult,
  TextBackendState,
} from '../generation/textBackend';
import { displayUrl } from '../remote/openaiClient';
import { RemoteTextBackend } from '../remote/remoteTextBackend';
import { onConfigChange, readConfig } from '../util/config';
import type { Logger } from '../util/logger';

/** Where the API key of the server is kept (VS Code's SecretStorage, the OS keychain). */
export const API_KEY_SECRET = 'inkwell.remote.apiKey';

/**
 * The text backend the features talk to: the local runtime, or an OpenAI-compatible
 * server when `inkwell.text.provider` says so. The setting is read on every request, so a
 * change applies to the next continuation; the state shown is the active backend's.
 */
export class TextBackendService implements TextBackend, vscode.Disposable {
  readonly remote: RemoteTextBackend;
  private readonly listeners = new Set<(state: TextBackendState) => void>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly local: TextBackend,
    secrets: vscode.SecretStorage,
    log: Logger,
  ) {
    this.remote = new RemoteTextBackend({
      settings: async () => {
        const cfg = readConfig('remote');
        const fromEnv = cfg.apiKeyEnvironmentVariable ? process.env[cfg.apiKeyEnvironmentVariable] : undefined;
        const apiKey = (await secrets.get(API_KEY_SECRET)) || fromEnv || undefined;
        return { baseUrl: cfg.baseUrl, model: cfg.model, apiKey };
      },
      log: (level, message) => log[level](`Server: ${message}`),
    });
    const forward = (from: TextBackend) =>
      from.onDidChangeState((state) => {
        if (this.active === from) for (const l of this.listeners) l(state);
      });
    this.subscriptions.push(
      forward(local),
      forward(this.remote),
      onConfigChange('text', () => {
        log.info(`Text now comes from ${this.describe()}.`);
        for (const l of this.listeners) l(this.state);
      }),
      onConfigChange('remote', () => {
        if (this.active === this.remote) for (const l of this.listeners) l(this.state);
      }),
    );
  }

  /** True when text comes from a server. */
  get usesServer(): boolean {
    return readConfig('text').provider === 'openaiCompatible';
  }

  private get active(): TextBackend {
    return this.usesServer ? this.remote : this.local;
  }

  get label(): string {
    return this.active.label;
  }

  get state(): TextBackendState {
    return this.active.state;
  }

  /** The model and where it runs, for the status bar; undefined for the local runtime (the registry names it). */
  describe(): string | undefined {
    if (!this.usesServer) return undefined;
    const cfg = readConfig('remote');
    let host = displayUrl(cfg.baseUrl);
    try {
      host = new URL(cfg.baseUrl).host;
    } catch {
      // Shown as the setting says.
    }
    return `${cfg.model || 'server default'} @ ${host || 'no server set'}`;
  }

  generate(request: TextBackendRequest, options?: GenerateOptions): Promise<TextBackendResult> {
    return this.active.generate(request, options);
  }

  /** Chats go where text goes: to the server's model, or to the local runtime's `inkwell.models.chat`. */
  chat(request: ChatBackendRequest, options?: GenerateOptions): Promise<TextBackendResult> {
    return this.active.chat(request, options);
  }

  /**
   * The chat model's name for messages and labels, or undefined when there is none to ask: the
   * server's model with the server provider, else `inkwell.models.chat` (empty: none).
   */
  chatModel(): string | undefined {
    if (this.usesServer) return this.describe();
    return readConfig('models').chat.trim() || undefined;
  }

  listModels(): Promise<TextBackendModel[]> {
    return this.active.listModels();
  }

  /** Loads the local runtime's text model ahead of use; undefined with a server (nothing to load here). */
  async preload(options?: { signal?: AbortSignal }): Promise<{ model: string; loadMs: number } | undefined> {
    return this.active.preload?.(options);
  }

  onDidChangeState(listener: (state: TextBackendState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  dispose(): void {
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.listeners.clear();
  }
}
