import type { MarkdownIt } from 'markdown-it';
import { ArticleMeta, toArticleMeta } from './articleMeta';
import { blankFrontmatter, splitFrontmatter } from './frontmatter';
import { escapeHtml } from './escape';
import { renderHeader } from './header';
import { readingStats } from '../posts/readingTime';
import { BodyRenderer } from './body';
import { ImagePolicy, resolveImageSource } from './urlPolicy';

/** Options for rendering one post. */
export interface ArticleRenderOptions {
  /** BCP 47 locale for dates. */
  readonly locale: string;
  /** How images resolve and which ones may load. */
  readonly images: ImagePolicy;
}

/** A post rendered for the article preview. Both HTML parts are safe to insert. */
export interface RenderedArticle {
  readonly meta: ArticleMeta;
  /** The header built from the frontmatter. */
  readonly headerHtml: string;
  /** The sanitized body, block elements carrying `data-line`. */
  readonly bodyHtml: string;
  /** Why the frontmatter did not parse, when it did not. */
  readonly frontmatterError?: string;
  /** Whether the post had a frontmatter block at all. */
  readonly hasFrontmatter: boolean;
}

/**
 * Renders a post (frontmatter + Markdown with raw HTML) into header and body HTML.
 * Pass a `BodyRenderer` (reused across renders of the same post) or the markdown-it
 * instance to render once.
 */
export function renderArticle(engine: MarkdownIt | BodyRenderer, text: string, options: ArticleRenderOptions): RenderedArticle {
  const body = engine instanceof BodyRenderer ? engine : new BodyRenderer(engine);
  const block = splitFrontmatter(text);
  const meta = toArticleMeta(block?.data ?? {});
  const image = meta.image ? resolveImageSource(meta.image, options.images) : undefined;
  let headerHtml = renderHeader(meta, { locale: options.locale, image, line: 0, reading: readingStats(text) });
  // A broken frontmatter still previews (empty header) but says why, where the writer looks.
  if (block?.error) headerHtml += `<p class="inkwell-frontmatter-error" role="alert">${escapeHtml(block.error)}</p>`;
  // Parse the body with the frontmatter blanked out so token lines equal editor lines.
  const bodyHtml = body.render(blankFrontmatter(text, block), options.images);
  return { meta, headerHtml, bodyHtml, frontmatterError: block?.error, hasFrontmatter: !!block };
}
