import * as vscode from 'vscode';
import type { ArticleRenderer } from '../../core/render/engine';
import { DisposableStore } from '../../util/dispose';
import { memoizePromise } from '../../util/lazy';
import type { Logger } from '../../util/logger';
import type { Views } from '../../util/views';
import { registerArticlePreview } from './articlePreviewCommands';
import type { PostIndexService } from '../../services/postIndexService';
import { registerLinkedFolders } from './linkedFolders';
import { registerTagPreview } from './tagPreview';
import { registerTagTree, taggedPostsFrom } from '../../views/tagTreeView';

export { createMarkdownItExtender } from './markdownItPlugin';

/**
 * The preview pillar: article preview, posts-by-tag tree and tag pages. They
 * share one renderer, loaded on the first preview (markdown-it and sanitize-html
 * stay out of activation).
 */
export function registerPreviewFeatures(
  extensionUri: vscode.Uri,
  posts: PostIndexService,
  log: Logger,
  views: Views,
  workspaceState: vscode.Memento,
): vscode.Disposable {
  const store = new DisposableStore();
  const lazyRenderer = memoizePromise(async (): Promise<ArticleRenderer> => {
    const started = performance.now();
    const renderer = (await import('../../core/render/engine.js')).createArticleRenderer();
    log.info(`Article renderer loaded in ${(performance.now() - started).toFixed(0)} ms`);
    return renderer;
  });
  const renderer = () => lazyRenderer.get();
  const source = taggedPostsFrom(posts);
  store.add(registerArticlePreview({ extensionUri, log, views, renderer, isPost: (uri) => posts.isPost(uri) }));
  store.add(registerTagTree(source, views, workspaceState));
  store.add(registerTagPreview({ extensionUri, renderer, source, views }));
  store.add(registerLinkedFolders(workspaceState, log));
  return store;
}
