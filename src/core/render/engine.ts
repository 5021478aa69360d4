import { ArticleRenderOptions, renderArticle, RenderedArticle } from './article';
import { createArticleMarkdown } from './markdown';

/** A ready article renderer: one markdown-it instance, reused for every render. */
export interface ArticleRenderer {
  render(text: string, options: ArticleRenderOptions): RenderedArticle;
}

/**
 * Builds the renderer. This module is the entry the extension imports lazily, so
 * markdown-it and sanitize-html load on the first preview, not at activation.
 */
export function createArticleRenderer(): ArticleRenderer {
  const md = createArticleMarkdown();
  return { render: (text, options) => renderArticle(md, text, options) };
}

export { renderTagPage } from './tagPage';
