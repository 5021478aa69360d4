import * as vscode from 'vscode';
import { DisposableStore } from '../../util/dispose';
import type { PostIndexService } from '../../services/postIndexService';
import { registerPostsContextKey } from '../../views/postsContextKey';

/**
 * The post index in the editor: the `inkwell.isPost` context key, and the index's initial
 * scan, which starts after activation returns, so it never delays it. The frontmatter's
 * diagnostics, quick fixes, completions and hovers are language features
 * (src/languageFeatures); "New Post" and "Check All Posts" are in this folder.
 */
export function registerPosts(posts: PostIndexService): vscode.Disposable {
  const store = new DisposableStore();
  store.add(registerPostsContextKey(posts));
  const start = setTimeout(() => void posts.ready(), 0);
  store.add({ dispose: () => clearTimeout(start) });
  return store;
}
