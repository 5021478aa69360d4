import * as vscode from 'vscode';
import { DisposableStore } from '../../util/dispose';
import { registerCheckAllPosts } from './checkAllPosts';
import { registerCompletions } from '../../languageFeatures/completions';
import { registerDiagnostics } from '../../languageFeatures/diagnostics';
import { registerHovers } from '../../languageFeatures/hovers';
import { NewPostPrompts, registerNewPost, windowPrompts } from './newPost';
import { registerPostsContextKey } from '../../views/postsContextKey';
import type { PostValidation } from '../../services/postValidation';
import type { Views } from '../../util/views';
import { registerQuickFixes } from '../../languageFeatures/quickFixes';

/**
 * Everything about posts' frontmatter: diagnostics, quick fixes, completions,
 * hovers, "New Post", "Check All Posts" and the `inkwell.isPost` context key.
 * The index's initial scan starts after activation returns, so it never delays it.
 * New Post asks its questions through `prompts` (input boxes and a quick pick).
 */
export function registerPosts(validation: PostValidation, views: Views, prompts: NewPostPrompts = windowPrompts): vscode.Disposable {
  const store = new DisposableStore();
  const posts = validation.posts;
  store.add(registerDiagnostics(validation));
  store.add(registerQuickFixes(validation));
  store.add(registerCompletions(validation));
  store.add(registerHovers(validation));
  store.add(registerCheckAllPosts(validation, views));
  store.add(registerPostsContextKey(posts));
  store.add(registerNewPost(validation, prompts));
  const start = setTimeout(() => void posts.ready(), 0);
  store.add({ dispose: () => clearTimeout(start) });
  return store;
}
