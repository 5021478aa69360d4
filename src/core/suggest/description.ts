import { boundedPrefix, cutAtWord, charLength, MAX_RENDERED_CHARS, TextBlock, textBlocks } from './plainText';
import { DEFAULT_DESCRIPTION_BOUNDS, DescriptionBounds, SummarySettings } from './siteSettings';
import { NO_BODY, Suggestion, Suggestions } from './types';

/** Hugo's manual summary divider, as Hugo matches it (exactly, no spaces inside). */
export const HUGO_SUMMARY_DIVIDER = '<!--more-->';

/** What the description fallback reads besides the post's body. */
export interface DescriptionContext {
  site?: SummarySettings;
  bounds?: DescriptionBounds;
  /** The post's frontmatter fields (Jekyll reads `excerpt_separator` from them too). */
  data?: Readonly<Record<string, unknown>>;
}

/**
 * Descriptions the site generator would show as the post's summary, in plain
 * text cut to the site's description length: Hugo's summary (before
 * `<!--more-->`, else its automatic summary), Jekyll's excerpt (before the
 * `excerpt_separator`), then the first paragraph. Headings, images and code
 * never count as prose.
 */
export function suggestDescription(body: string, context: DescriptionContext = {}): Suggestions {
  const bounds = context.bounds ?? DEFAULT_DESCRIPTION_BOUNDS;
  const paragraphs = prose(textBlocks(body));
  if (!paragraphs.length) {
    const note = body.trim() ? 'This post has no paragraph of prose to suggest a description from.' : NO_BODY;
    return { kind: 'description', candidates: [], note };
  }
  const candidates: Suggestion[] = [];
  const add = (text: string | undefined, source: Suggestion['source']) => {
    if (!text) return;
    const cut = cutAtWord(text, bounds.max);
    if (!candidates.some((c) => c.text === cut)) candidates.push({ text: cut, source });
  };
  const site = context.site;
  if (site?.generator === 'hugo') add(hugoSummary(body, paragraphs, site.summaryLength), 'hugo-summary');
  if (site?.generator === 'jekyll') add(jekyllExcerpt(body, separatorOf(context.data) ?? site.excerptSeparator), 'jekyll-excerpt');
  add(fillTo(paragraphs, bounds.min), 'first-paragraph');
  return { kind: 'description', candidates };
}

/** Paragraph texts, headings left out. */
function prose(blocks: readonly TextBlock[]): string[] {
  return blocks.filter((b) => b.kind === 'paragraph').map((b) => b.text);
}

/**
 * The first paragraph, joined by the next ones while it is shorter than `min`
 * characters (a one-line opening is too short for a description on its own).
 */
function fillTo(paragraphs: readonly string[], min: number): string {
  let text = paragraphs[0];
  for (let i = 1; i < paragraphs.length && charLength(text) < min; i++) text += ` ${paragraphs[i]}`;
  return text;
}

/**
 * Hugo's summary of a post, in plain text: the text before `<!--more-->` when
 * the post has the divider; otherwise the automatic summary. Hugo (0.134 and
 * later) renders the content, counts words paragraph by paragraph and ends the
 * summary with the paragraph in which the count reaches `summaryLength`, so the
 * summary is whole paragraphs, never a cut sentence.
 */
export function hugoSummary(body: string, paragraphs: readonly string[], summaryLength: number): string | undefined {
  const divider = body.indexOf(HUGO_SUMMARY_DIVIDER);
  if (divider >= 0) return prose(textBlocks(body.slice(0, divider))).join(' ') || undefined;
  const kept: string[] = [];
  let words = 0;
  for (const p of paragraphs) {
    kept.push(p);
    words += p.split(/\s+/).length;
    if (words >= summaryLength) break;
  }
  return kept.join(' ');
}

/**
 * Jekyll's excerpt, in plain text: the Markdown before the first
 * `excerpt_separator` (by default a blank line, so the first paragraph),
 * rendered. An excerpt that is only a heading gives no description.
 */
export function jekyllExcerpt(body: string, separator: string): string | undefined {
  const content = body.replace(/^\s+/, '');
  const at = content.indexOf(separator);
  const excerpt = at >= 0 ? content.slice(0, at) : boundedPrefix(content, MAX_RENDERED_CHARS);
  return prose(textBlocks(excerpt)).join(' ') || undefined;
}

function separatorOf(data: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const v = data?.excerpt_separator;
  return typeof v === 'string' && v ? v : undefined;
}
