import * as vscode from 'vscode';
import type { ProbeRegistry } from '../api';
import { DisposableStore } from '../util/dispose';
import type { Logger } from '../util/logger';
import { registerCheckAllPosts } from './checkAllPosts';
import { registerCompletions } from './completions';
import { registerDiagnostics } from './diagnostics';
import { registerHovers } from './hovers';
import { registerNewPost } from './newPost';
import type { PostIndexService } from './postIndex';
import { registerPostsContextKey } from './postsContextKey';
import { PostValidation } from './postsValidation';
import { registerQuickFixes } from './quickFixes';

/**
 * Everything about posts' frontmatter: diagnostics, quick fixes, completions,
 * hovers, "Check All Posts" and the `inkwell.isPost` context key. The index's
 * initial scan starts after activation returns, so it never delays it.
 */
export function registerPosts(posts: PostIndexService, log: Logger, probes?: ProbeRegistry): vscode.Disposable {
  const store = new DisposableStore();
  const validation = store.add(new PostValidation(posts, log));
  // Test mode only: the document version whose problems were last published, per document.
  const published = probes?.testMode ? new Map<string, number>() : undefined;
  if (published) probes?.register('posts.publishedVersion', () => (uri: string) => published.get(uri));
  store.add(registerDiagnostics(validation, published && ((doc, version) => published.set(doc.uri.toString(), version))));
  store.add(registerQuickFixes(validation));
  store.add(registerCompletions(validation));
  store.add(registerHovers(validation));
  store.add(registerCheckAllPosts(validation));
  store.add(registerPostsContextKey(posts));
  store.add(registerNewPost(validation, probes));
  const start = setTimeout(() => void posts.ready(), 0);
  store.add({ dispose: () => clearTimeout(start) });
  probes?.register('posts.indexSize', () => posts.index.size);
  probes?.register('posts.ready', () => posts.ready().then(() => posts.index.size));
  probes?.register('posts.tags', () => posts.index.tags());
  return store;
}
