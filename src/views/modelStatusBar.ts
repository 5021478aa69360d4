import * as vscode from 'vscode';
import type { TextBackend, TextBackendState } from '../generation/textBackend';
import type { Views } from '../util/views';
import type { ModelRegistry } from '../services/modelRegistryService';

/** What the text model is doing, as the status bar shows it. */
export type GenerationPhase = 'idle' | 'loading' | 'generating' | 'stopped';

/**
 * The status bar item for text generation: the model's name, what it is doing
 * (idle, loading, generating) and the speed of the last run. Shown for Markdown editors.
 */
export class ModelStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];
  private phase: GenerationPhase = 'idle';
  private lastSpeed: number | undefined;
  private backendState: TextBackendState;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly backend: TextBackend,
    views: Views,
    /** The model that answers the writing commands (none: undefined). */
    private readonly chatModel: () => string | undefined = () => undefined,
  ) {
    this.item = views.createStatusBarItem('inkwell.model', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Inkwell Model';
    this.item.command = 'inkwell.selectModel';
    this.backendState = backend.state;
    this.subscriptions.push(
      this.item,
      backend.onDidChangeState((state) => {
        this.backendState = state;
        this.render();
      }),
      registry.onDidChange(() => this.render()),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('inkwell.models.chat')) this.render();
      }),
    );
    this.render();
  }

  /** Marks the start of a generation (loading until the first token arrives). */
  setPhase(phase: GenerationPhase): void {
    this.phase = phase;
    this.render();
  }

  /** Says the continuation was stopped on request (until the next one starts). */
  stopped(): void {
    this.phase = 'stopped';
    this.render();
  }

  /** Records the decode speed of a finished run. */
  finished(tokensPerSecond: number): void {
    this.lastSpeed = tokensPerSecond > 0 ? tokensPerSecond : this.lastSpeed;
    this.phase = 'idle';
    this.render();
  }

  private render(): void {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'markdown') {
      if (this.phase === 'idle' || this.phase === 'stopped') {
        this.item.hide();
        return;
      }
    }
    let name = this.backend.describe?.();
    if (name === undefined) {
      try {
        name = this.registry.resolve('text').name;
      } catch {
        name = 'no model';
      }
    }
    const icon =
      this.phase === 'generating'
        ? '$(sync~spin)'
        : this.phase === 'loading'
          ? '$(loading~spin)'
          : this.phase === 'stopped'
            ? '$(debug-stop)'
            : '$(sparkle)';
    const detail =
      this.phase === 'generating'
        ? 'generating'
        : this.phase === 'loading'
          ? 'loading'
          : this.phase === 'stopped'
            ? 'stopped'
            : this.lastSpeed
              ? `${this.lastSpeed.toFixed(1)} tok/s`
              : 'idle';
    this.item.text = `${icon} ${name}: ${detail}`;
    const chat = this.chatModel();
    this.item.tooltip = new vscode.MarkdownString(
      `**Inkwell text model:** ${name}\n\n${this.backend.label}: ${this.backendState}` +
        `\n\n**Writing help** (Suggest…, Rewrite Selection, Summarize): ${chat ?? 'no instruct model (inkwell.models.chat)'}` +
        (this.phase === 'stopped' ? '\n\nThe last continuation was stopped; what it wrote before stays (one Undo removes it).' : '') +
        (this.lastSpeed ? `\n\nLast continuation: ${this.lastSpeed.toFixed(1)} tokens/s` : '') +
        (this.backend.describe?.() ? "\n\nClick to choose another of the server's models." : '\n\nClick to select another model.'),
    );
    this.item.show();
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}
