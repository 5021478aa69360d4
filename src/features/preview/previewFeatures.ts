import * as vscode from 'vscode';
import type { ArticleRenderer } from '../../core/render/engine';
import { DisposableStore } from '../../util/dispose';
import { memoizePromise } from '../../util/lazy';
import type { Logger } from '../../util/logger';
import type { Views } from '../../util/views';
import { registerArticlePreview, type ArticlePreviews } from './articlePreviewCommands';
import type { PostIndexService } from '../../services/postIndexService';
import { registerLinkedFolders, type LinkedFolders } from './linkedFolders';
import { registerTagPreview, type TagPages } from './tagPreview';
import { registerTagTree, taggedPostsFrom, type TagTree } from '../../views/tagTreeView';

export { createMarkdownItExtender } from './markdownItPlugin';

/** What the commands reach of the preview pillar. */
export interface PreviewFeatures extends vscode.Disposable {
  readonly articles: ArticlePreviews;
  readonly tagTree: TagTree;
  readonly tagPages: TagPages;
  readonly linkedFolders: LinkedFolders;
}

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
): PreviewFeatures {
  const store = new DisposableStore();
  const lazyRenderer = memoizePromise(async (): Promise<ArticleRenderer> => {
    const started = performance.now();
    const renderer = (await import('../../core/render/engine.js')).createArticleRenderer();
    log.info(`Article renderer loaded in ${(performance.now() - started).toFixed(0)} ms`);
    return renderer;
  });
  const renderer = () => lazyRenderer.get();
  const source = taggedPostsFrom(posts);
  const articles = store.add(registerArticlePreview({ extensionUri, log, views, renderer, isPost: (uri) => posts.isPost(uri) }));
  const tagTree = store.add(registerTagTree(source, views, workspaceState));
  const tagPages = store.add(registerTagPreview({ extensionUri, renderer, source, views }));
  const linkedFolders = store.add(registerLinkedFolders(workspaceState, log));
  return { articles, tagTree, tagPages, linkedFolders, dispose: () => store.dispose() };
}
