import * as vscode from 'vscode';

/**
 * The one bridge from VS Code's cancellation to the AbortSignals the backends, the runtime and
 * the downloads take: `controller` aborts when `token` is cancelled (at once if it already is).
 * Dispose to unlink.
 */
export function abortOnCancel(token: vscode.CancellationToken, controller: AbortController): vscode.Disposable {
  if (token.isCancellationRequested) controller.abort();
  return token.onCancellationRequested(() => controller.abort());
}

/** An AbortSignal that follows `token`; dispose to unlink. */
export function signalOf(token: vscode.CancellationToken): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const link = abortOnCancel(token, controller);
  return { signal: controller.signal, dispose: () => link.dispose() };
}
