import * as vscode from 'vscode';
import { DisposableStore } from '../util/dispose';
import type { PostValidation } from './postsValidation';

/**
 * Frontmatter diagnostics as you type: on open at once, on edits after
 * `inkwell.validation.debounceMs`, and again for open posts when another
 * post changes the workspace's tags or when settings change.
 */
export function registerDiagnostics(validation: PostValidation): vscode.Disposable {
  const store = new DisposableStore();
  const timers = new Map<string, NodeJS.Timeout>();
  const posts = validation.posts;

  const run = async (doc: vscode.TextDocument) => {
    if (doc.isClosed) return;
    if (!posts.isPost(doc.uri) || !validation.settings(doc.uri).enabled) {
      if (!validation.checkedWorkspace || !validation.settings(doc.uri).enabled) validation.collection.delete(doc.uri);
      return;
    }
    // The post's own tags must be current before tag spellings are compared.
    posts.flush(doc);
    const version = doc.version;
    const result = await validation.problems(doc, true);
    if (doc.isClosed || doc.version !== version) return; // a newer run follows
    validation.publish(doc.uri, result.problems, result.text, doc);
  };

  const schedule = (doc: vscode.TextDocument, delayMs: number) => {
    const key = doc.uri.toString();
    const pending = timers.get(key);
    if (pending) clearTimeout(pending);
    if (delayMs <= 0) {
      timers.delete(key);
      void run(doc);
      return;
    }
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      void run(doc);
    }, delayMs));
  };

  const recheckOpen = (delayMs: number) => {
    for (const doc of vscode.workspace.textDocuments) if (posts.isPost(doc.uri)) schedule(doc, delayMs);
  };

  store.add(vscode.workspace.onDidOpenTextDocument((doc) => schedule(doc, 0)));
  store.add(vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.contentChanges.length === 0) return;
    schedule(e.document, validation.settings(e.document.uri).debounceMs);
  }));
  store.add(vscode.workspace.onDidCloseTextDocument((doc) => {
    const pending = timers.get(doc.uri.toString());
    if (pending) clearTimeout(pending);
    timers.delete(doc.uri.toString());
    // After "Check All Posts" the Problems panel lists every post; keep closed ones current from disk.
    if (validation.checkedWorkspace) void validation.checkFile(doc.uri);
    else validation.collection.delete(doc.uri);
  }));
  store.add(posts.onDidChange((change) => {
    // Another post's tags changed: tag spelling problems of open posts may have changed too.
    if (change.tagsChanged) recheckOpen(300);
  }));
  store.add(validation.onDidChangeSettings(() => recheckOpen(0)));
  store.add({ dispose: () => timers.forEach((t) => clearTimeout(t)) });
  recheckOpen(0);
  return store;
}
