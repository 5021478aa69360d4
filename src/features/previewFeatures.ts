import * as vscode from 'vscode';
import type { ProbeRegistry } from '../api';
import type { ArticleRenderer } from '../core/render/engine';
import { DisposableStore } from '../util/dispose';
import { memoizePromise } from '../util/lazy';
import type { Logger } from '../util/logger';
import { registerArticlePreview } from './articlePreview';
import type { PostIndexService } from './postIndex';
import { registerTagPreview } from './tagPreview';
import { registerTagTree, taggedPostsFrom } from './tagTree';

export { createMarkdownItExtender } from './markdownItPlugin';

/**
 * The preview pillar: article preview, posts-by-tag tree and tag pages. They
 * share one renderer, loaded on the first preview (markdown-it and sanitize-html
 * stay out of activation).
 */
export function registerPreviewFeatures(extensionUri: vscode.Uri, posts: PostIndexService, log: Logger, probes: ProbeRegistry): vscode.Disposable {
  const store = new DisposableStore();
  let loaded = false;
  const lazyRenderer = memoizePromise(async (): Promise<ArticleRenderer> => {
    const started = performance.now();
    const renderer = (await import('../core/render/engine.js')).createArticleRenderer();
    loaded = true;
    log.info(`Article renderer loaded in ${(performance.now() - started).toFixed(0)} ms`);
    return renderer;
  });
  const renderer = () => lazyRenderer.get();
  probes.register('preview.rendererLoaded', () => loaded);
  const source = taggedPostsFrom(posts);
  store.add(registerArticlePreview({ extensionUri, log, probes, renderer, isPost: (uri) => posts.isPost(uri) }));
  store.add(registerTagTree(source, probes));
  store.add(registerTagPreview({ extensionUri, renderer, source, probes }));
  return store;
}
