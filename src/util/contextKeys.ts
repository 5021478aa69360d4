import * as vscode from 'vscode';

/** Context keys Inkwell sets; used in package.json `when` clauses. */
export type ContextKey =
  | 'inkwell.isPost'
  | 'inkwell.tagFilterActive'
  | 'inkwell.previewLocked'
  | 'inkwell.generating'
  | 'inkwell.downloading'
  | 'inkwell.proposal';

const current = new Map<ContextKey, unknown>();

/** Sets a context key, skipping the round trip when the value is unchanged. */
export function setContext(key: ContextKey, value: unknown): void {
  if (current.get(key) === value) return;
  current.set(key, value);
  void vscode.commands.executeCommand('setContext', key, value);
}
