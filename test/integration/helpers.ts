import * as assert from 'assert';
import * as vscode from 'vscode';
import type { InkwellApi } from '../../src/api';

/** Activates Inkwell (if needed) and returns its API. */
export async function inkwell(): Promise<InkwellApi> {
  const ext = vscode.extensions.getExtension<InkwellApi>('inkwell.inkwell');
  assert.ok(ext, 'the Inkwell extension is loaded');
  return ext.activate();
}

/** The root of the test workspace (a copy of samples/blog). */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return folder.uri;
}

/** `T` without its falsy members. */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `probe` until it returns a truthy value or `timeoutMs` passes; returns the value.
 * Tests wait on conditions, never on fixed sleeps.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 15000, everyMs = 25): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last value: ${String(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Opens a workspace file (relative path) in an editor. */
export async function openPost(relative: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(workspaceRoot(), relative));
  return vscode.window.showTextDocument(doc);
}

/** Closes all editors, reverting unsaved changes so each test starts clean. */
export async function closeAll(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty && doc.uri.scheme === 'file') {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
