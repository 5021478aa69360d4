import { calendarDate, formatDate } from './articleMeta';
import { escapeHtml } from './escape';
import type { TagTreePost } from './tagTree';
import type { ImageSource } from './urlPolicy';

/** Options for a tag page. */
export interface TagPageOptions {
  readonly locale: string;
  /** Resolves a post's `image` field (relative to that post). */
  readonly image: (post: TagTreePost) => ImageSource | undefined;
}

/**
 * The page "Posts tagged X": one card per post (image, title, date, description),
 * newest first as given. Titles are buttons that ask the host to open the post.
 */
export function renderTagPage(tag: string, posts: readonly TagTreePost[], options: TagPageOptions): string {
  const count = posts.length === 1 ? '1 post' : `${posts.length} posts`;
  const cards = posts.map((post) => {
    const img = options.image(post);
    const picture = img?.kind === 'ok' ? `<img class="inkwell-card-image" src="${escapeHtml(img.src)}" alt="">` : '';
    const day = post.date ? calendarDate(post.date) : undefined;
    const date = day ? `<time datetime="${day}">${escapeHtml(formatDate(day, options.locale))}</time>` : '';
    const draft = post.draft ? ' <span class="inkwell-draft">Draft</span>' : '';
    const description = post.description ? `<p class="inkwell-description">${escapeHtml(post.description)}</p>` : '';
    return (
      `<article class="inkwell-card">${picture}<div class="inkwell-card-text">` +
      `<h2><a href="#" data-open="${escapeHtml(post.id)}">${escapeHtml(post.title ?? 'Untitled post')}</a></h2>` +
      `<p class="inkwell-facts">${date}${draft}</p>${description}</div></article>`
    );
  });
  const empty = posts.length ? '' : '<p class="inkwell-empty">No posts have this tag any more.</p>';
  return (
    `<header class="inkwell-header"><h1 class="inkwell-title">Posts tagged <span class="inkwell-tag">${escapeHtml(tag)}</span></h1>` +
    `<p class="inkwell-facts">${count}</p></header><section class="inkwell-cards">${cards.join('')}</section>${empty}`
  );
}
