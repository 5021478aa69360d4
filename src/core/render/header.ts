import type { ArticleMeta } from './articleMeta';
import { formatDate } from './articleMeta';
import { escapeHtml } from './escape';
import type { ImageSource } from './urlPolicy';
import type { ReadingStats } from '../posts/readingTime';

/** Options for the article header. */
export interface HeaderOptions {
  /** BCP 47 locale for the date (the editor's display language). */
  readonly locale: string;
  /** The hero image, already resolved; undefined when the post has none. */
  readonly image?: ImageSource;
  /** Editor line of the frontmatter, for scroll sync (0 in a post). */
  readonly line?: number;
  /** The body's length, shown after the date; nothing for a post without words. */
  readonly reading?: ReadingStats;
}

/**
 * The article header: hero image, title, date, reading time and word count, draft badge,
 * description and tag chips.
 * Every value is escaped here; the image source was vetted by `resolveImageSource`.
 */
export function renderHeader(meta: ArticleMeta, options: HeaderOptions): string {
  const parts: string[] = [];
  const img = options.image;
  if (img?.kind === 'ok') {
    parts.push(`<img class="inkwell-hero" src="${escapeHtml(img.src)}" alt="">`);
  } else if (img) {
    const note = img.kind === 'missing' ? `Hero image not found: ${img.path}` : img.reason;
    parts.push(`<div class="inkwell-hero inkwell-image-missing" role="img" title="${escapeHtml(note)}">${escapeHtml(note)}</div>`);
  }
  parts.push(`<h1 class="inkwell-title">${escapeHtml(meta.title ?? 'Untitled post')}</h1>`);
  const facts: string[] = [];
  if (meta.date) facts.push(`<time datetime="${meta.date}">${escapeHtml(formatDate(meta.date, options.locale))}</time>`);
  else if (meta.rawDate) facts.push(`<span class="inkwell-date-invalid" title="Not a date">${escapeHtml(meta.rawDate)}</span>`);
  const reading = options.reading;
  if (reading?.words) {
    const words = reading.words.toLocaleString(options.locale);
    const title = `${words} word${reading.words === 1 ? '' : 's'}, about ${reading.minutes} minute${reading.minutes === 1 ? '' : 's'} to read`;
    facts.push(
      `<span class="inkwell-reading" title="${escapeHtml(title)}">${reading.minutes} min read · ${escapeHtml(words)} word${reading.words === 1 ? '' : 's'}</span>`,
    );
  }
  if (meta.draft) facts.push('<span class="inkwell-draft">Draft</span>');
  if (facts.length) parts.push(`<p class="inkwell-facts">${facts.join(' ')}</p>`);
  if (meta.description) parts.push(`<p class="inkwell-description">${escapeHtml(meta.description)}</p>`);
  if (meta.tags.length) {
    const chips = meta.tags.map((t) => `<li><a class="inkwell-tag" href="#" data-tag="${escapeHtml(t)}">${escapeHtml(t)}</a></li>`);
    parts.push(`<ul class="inkwell-tags" aria-label="Tags">${chips.join('')}</ul>`);
  }
  const line = options.line === undefined ? '' : ` data-line="${options.line}"`;
  return `<header class="inkwell-header"${line}>${parts.join('')}</header>`;
}
