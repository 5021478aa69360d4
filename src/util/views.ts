import * as vscode from 'vscode';

/** How a webview panel is placed when it opens. */
export type PanelShowOptions = vscode.ViewColumn | { readonly viewColumn: vscode.ViewColumn; readonly preserveFocus?: boolean };

/**
 * Where Inkwell creates what users see: webview panels, tree views, status
 * bar items, its log and progress notifications. `activate` passes {@link windowViews} (VS Code's own
 * window); under the integration tests it passes one that also keeps what
 * those views show (src/testSupport.ts).
 */
export interface Views {
  createWebviewPanel(
    viewType: string,
    title: string,
    showOptions: PanelShowOptions,
    options?: vscode.WebviewPanelOptions & vscode.WebviewOptions,
  ): vscode.WebviewPanel;
  createTreeView<T>(viewId: string, options: vscode.TreeViewOptions<T>): vscode.TreeView<T>;
  createStatusBarItem(id: string, alignment?: vscode.StatusBarAlignment, priority?: number): vscode.StatusBarItem;
  createLogOutputChannel(name: string): vscode.LogOutputChannel;
  withProgress<R>(
    options: vscode.ProgressOptions,
    task: (progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken) => Thenable<R>,
  ): Thenable<R>;
  /**
   * A notification (information, warning or error) with optional buttons; resolves to the button
   * chosen, or undefined when it was dismissed.
   */
  showMessage(severity: MessageSeverity, message: string, ...items: string[]): Thenable<string | undefined>;
  /** A quick pick of one item; resolves to it, or undefined when it was dismissed. */
  showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
  /** A quick pick of any number of items (checkboxes); resolves to those ticked, or undefined when it was dismissed. */
  showQuickPickMany<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Thenable<T[] | undefined>;
  /**
   * Whether preview pages report the text a reader sees with each render. The integration tests
   * read it; in the window nobody does, and reading a page's `innerText` costs it a layout.
   */
  readonly pagesReportText: boolean;
}

/** How a notification looks: its icon and how long it stays. */
export type MessageSeverity = 'info' | 'warning' | 'error';

/** The views of VS Code's window, as they are. */
export const windowViews: Views = {
  createWebviewPanel: (viewType, title, showOptions, options) => vscode.window.createWebviewPanel(viewType, title, showOptions, options),
  createTreeView: (viewId, options) => vscode.window.createTreeView(viewId, options),
  createStatusBarItem: (id, alignment, priority) => vscode.window.createStatusBarItem(id, alignment, priority),
  createLogOutputChannel: (name) => vscode.window.createOutputChannel(name, { log: true }),
  withProgress: (options, task) => vscode.window.withProgress(options, task),
  showMessage: (severity, message, ...items) =>
    severity === 'error'
      ? vscode.window.showErrorMessage(message, ...items)
      : severity === 'warning'
        ? vscode.window.showWarningMessage(message, ...items)
        : vscode.window.showInformationMessage(message, ...items),
  showQuickPick: (items, options) => vscode.window.showQuickPick(items, { ...options, canPickMany: false }),
  showQuickPickMany: (items, options) => vscode.window.showQuickPick(items, { ...options, canPickMany: true }),
  pagesReportText: false,
};
