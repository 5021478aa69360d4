import * as assert from 'assert';
import * as vscode from 'vscode';
import type { InkwellApi } from '../../src/api';
import type { InkwellTestSupport, WatchedWebview } from '../../src/testSupport';

/** Activates Inkwell (if needed) and returns its API. */
export async function inkwell(): Promise<InkwellApi> {
  const ext = vscode.extensions.getExtension<InkwellApi>('inkwell.inkwell');
  assert.ok(ext, 'the Inkwell extension is loaded');
  return ext.activate();
}

/**
 * Inkwell's test-only API. It exists because the suites run the extension in
 * `ExtensionMode.Test`; an installed Inkwell has none.
 */
export async function testing(): Promise<InkwellTestSupport> {
  const api = await inkwell();
  assert.ok(api.testing, 'Inkwell runs in test mode and returns api.testing');
  return api.testing;
}

/** The newest webview panel of `viewType` that is still open. */
export function openWebview(t: InkwellTestSupport, viewType: string): WatchedWebview | undefined {
  return [...t.webviews(viewType)].reverse().find((w) => !w.disposed);
}

/** The messages of one `type` in a list of webview messages, oldest first. */
export function messagesOf<M extends { type: string }, T extends M['type']>(
  messages: readonly unknown[],
  type: T,
): Extract<M, { type: T }>[] {
  return messages.filter((m): m is Extract<M, { type: T }> => !!m && typeof m === 'object' && (m as { type?: unknown }).type === type);
}

/** The newest line of Inkwell's log that matches `pattern`. */
export function lastLogLine(t: InkwellTestSupport, pattern: RegExp): string | undefined {
  return [...t.log].reverse().find((l) => pattern.test(l.message))?.message;
}

/** The root of the test workspace (a copy of samples/blog). */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri;
}

export { waitFor, type Truthy } from '../support/waitFor';

/** Opens a workspace file (relative path) in an editor. */
export async function openPost(relative: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(workspaceRoot(), relative));
  return vscode.window.showTextDocument(doc);
}

/**
 * Closes all editors, reverting unsaved changes to workspace files so each test starts clean.
 * Files outside the workspace are left alone: VS Code writes a settings change through a text
 * model of the user's settings.json, which is dirty for a moment and must not be shown or reverted.
 */
export async function closeAll(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty && doc.uri.scheme === 'file' && vscode.workspace.getWorkspaceFolder(doc.uri)) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/**
 * Runs `body` with the `inkwell.*` settings given (user settings), then removes them again,
 * whether it passed or not.
 */
export async function withSettings(settings: Readonly<Record<string, unknown>>, body: () => Promise<void>): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('inkwell');
  try {
    for (const [key, value] of Object.entries(settings)) await cfg.update(key, value, vscode.ConfigurationTarget.Global);
    await body();
  } finally {
    for (const key of Object.keys(settings)) await cfg.update(key, undefined, vscode.ConfigurationTarget.Global);
  }
}

/** Ghost text on, quickly after typing stops, greedy: what the ghost-text tests run under. */
export const GHOST_TEXT_SETTINGS = { 'inlineCompletion.enabled': true, 'inlineCompletion.debounceMs': 50, 'generation.temperature': 0 };
