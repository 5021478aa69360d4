import * as vscode from 'vscode';
import { setContext } from '../util/contextKeys';
import { DisposableStore } from '../util/dispose';
import type { PostIndexService } from '../services/postIndexService';

/** Keeps the `inkwell.isPost` context key true while the active editor shows a post. */
export function registerPostsContextKey(posts: PostIndexService): vscode.Disposable {
  const store = new DisposableStore();
  const update = () => {
    const doc = vscode.window.activeTextEditor?.document;
    setContext('inkwell.isPost', !!doc && doc.languageId === 'markdown' && posts.isPost(doc.uri));
  };
  store.add(vscode.window.onDidChangeActiveTextEditor(update));
  store.add(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('inkwell.posts')) update();
    }),
  );
  update();
  return store;
}
