import { ArticleRenderOptions, renderArticle, RenderedArticle } from './article';
import { BodyRenderer } from './body';
import { createArticleMarkdown } from './markdown';
import { renderTagPage, TagPageOptions } from './tagPage';
import type { TagTreePost } from './tagTree';

/** A ready article renderer: one markdown-it instance, reused for every render. */
export interface ArticleRenderer {
  render(text: string, options: ArticleRenderOptions): RenderedArticle;
  /** The body of a "Posts tagged X" page. */
  renderTagPage(tag: string, posts: readonly TagTreePost[], options: TagPageOptions): string;
}

/**
 * Builds the renderer. This module is the entry the extension imports lazily, so
 * markdown-it and sanitize-html load on the first preview, not at activation.
 */
export function createArticleRenderer(): ArticleRenderer {
  const body = new BodyRenderer(createArticleMarkdown());
  return { render: (text, options) => renderArticle(body, text, options), renderTagPage };
}
