import * as vscode from 'vscode';
import { DisposableStore, IDisposable } from '../util/dispose';

/**
 * The lifetime of one webview panel and everything that lives with it
 * (listeners, timers, a pending request). Closing the panel or disposing the
 * owner ends all of it, once, and fires `onDidDispose` last.
 */
export class PanelLifetime implements vscode.Disposable {
  private readonly store = new DisposableStore();
  private readonly didDispose = new vscode.EventEmitter<void>();
  /** Fires once, after the panel and what lived with it are gone. */
  readonly onDidDispose = this.didDispose.event;
  private disposed = false;

  constructor(readonly panel: vscode.WebviewPanel) {
    this.store.add(panel.onDidDispose(() => this.dispose()));
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * Calls `listener` whenever the panel comes back into view. A hidden webview
   * drops messages and reloads its HTML when shown again, so its page is built afresh.
   */
  onDidBecomeVisible(listener: () => void): void {
    let wasVisible = this.panel.visible;
    this.store.add(
      this.panel.onDidChangeViewState(() => {
        if (this.panel.visible && !wasVisible) listener();
        wasVisible = this.panel.visible;
      }),
    );
  }

  /** Ties `item` to the panel: it is disposed with it. */
  add<T extends IDisposable>(item: T): T {
    return this.store.add(item);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.store.dispose();
    this.panel.dispose();
    this.didDispose.fire();
    this.didDispose.dispose();
  }
}
