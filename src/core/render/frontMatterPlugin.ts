import type { MarkdownIt, StateCore } from 'markdown-it';
import { toArticleMeta } from './articleMeta';
import { blankFrontmatter, FrontmatterBlock, splitFrontmatter } from './frontmatter';
import { escapeHtml } from './escape';
import { renderHeader } from './header';
import { readingStats } from '../posts/readingTime';
import type { ImageSource } from './urlPolicy';

/** What the header plugin needs from its host (VS Code's Markdown preview). */
export interface FrontMatterHeaderOptions {
  /** The display locale for dates. */
  locale(): string;
  /** Resolves the `image` field for the document being rendered (`env` is markdown-it's render env). */
  resolveImage(image: string, env: unknown): ImageSource | undefined;
}

const ENV_KEY = 'inkwellFrontmatter';

/**
 * A markdown-it plugin for VS Code's own Markdown preview: instead of the YAML
 * table (or raw text) it renders the article header (title, date, description,
 * tags, hero image) from the frontmatter. The frontmatter lines are blanked
 * before block parsing, so no other front-matter rule sees them and every later
 * line keeps its number (the preview's scroll sync relies on it).
 */
export function frontMatterHeaderPlugin(md: MarkdownIt, options: FrontMatterHeaderOptions): void {
  md.core.ruler.after('normalize', 'inkwell_front_matter', (state: StateCore) => {
    const block = splitFrontmatter(state.src);
    if (!block) return;
    (state.env as Record<string, unknown>)[ENV_KEY] = block;
    state.src = blankFrontmatter(state.src, block);
  });
  md.core.ruler.after('block', 'inkwell_article_header', (state: StateCore) => {
    const env = state.env as Record<string, unknown> | undefined;
    const block = env?.[ENV_KEY] as FrontmatterBlock | undefined;
    if (!block) return;
    // The env object is reused across renders by some hosts: consume it.
    delete env![ENV_KEY];
    const meta = toArticleMeta(block.data);
    const image = meta.image ? options.resolveImage(meta.image, state.env) : undefined;
    // The frontmatter is blanked by now: what is left is the body readers read.
    let html = renderHeader(meta, { locale: options.locale(), image, line: 0, reading: readingStats(state.src) })
      // VS Code's preview syncs scrolling on elements with the `code-line` class.
      .replace('<header class="inkwell-header"', '<header class="inkwell-header code-line"');
    if (block.error) html += `<p class="inkwell-frontmatter-error">${escapeHtml(block.error)}</p>`;
    const token = new state.Token('html_block', '', 0);
    token.content = html + '\n';
    token.map = [0, block.lineCount];
    token.block = true;
    state.tokens.unshift(token);
  });
}
