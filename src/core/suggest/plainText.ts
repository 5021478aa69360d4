import MarkdownIt from 'markdown-it';
import type { MarkdownIt as MarkdownItInstance } from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import { splitFrontmatter } from '../frontmatter/split';

/** One block of a post as a reader sees it: a heading or a paragraph of prose, in plain text. */
export interface TextBlock {
  kind: 'heading' | 'paragraph';
  /** 1–6 for headings, 0 for paragraphs. */
  level: number;
  /** Whitespace collapsed, entities decoded, no markup. */
  text: string;
}

/**
 * Characters of a body rendered for suggestions. Titles and descriptions come
 * from the opening of a post, so a 1 MB post costs what its first 64 KB cost.
 */
export const MAX_RENDERED_CHARS = 64 * 1024;

/** Elements whose end (or start) ends a block of text. */
const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];
const BLOCKS = [...HEADINGS, 'p', 'li', 'blockquote', 'div', 'td', 'th', 'dt', 'dd', 'figcaption', 'section', 'article', 'aside', 'tr'];
/** Elements whose text a reader does not see as prose: code blocks, scripts, formulas, forms. */
const NOT_PROSE = ['script', 'style', 'textarea', 'option', 'noscript', 'pre', 'svg', 'math', 'template', 'iframe', 'object'];

let markdown: MarkdownItInstance | undefined;

/**
 * The post body (text after the frontmatter), as the site generator hands it to
 * its Markdown renderer. Returns the whole text when there is no frontmatter.
 */
export function postBody(text: string): string {
  const block = splitFrontmatter(text);
  if (!block) return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return block.terminated ? text.slice(block.bodyStart) : '';
}

/**
 * The headings and paragraphs of a Markdown body, in order. markdown-it renders
 * it (raw HTML allowed, as site generators do) and sanitize-html reduces the
 * HTML to block elements (and line breaks) without attributes; code blocks, images, comments and
 * scripts leave no text. Only the first MAX_RENDERED_CHARS are read.
 */
export function textBlocks(body: string): TextBlock[] {
  markdown ??= new MarkdownIt({ html: true, linkify: false, typographer: false });
  const html = markdown.render(boundedPrefix(body, MAX_RENDERED_CHARS));
  const reduced = sanitizeHtml(html, {
    // `br` stays so that the words on either side of a line break stay apart.
    allowedTags: [...BLOCKS, 'br'],
    allowedAttributes: {},
    nonTextTags: NOT_PROSE,
  });
  return splitBlocks(reduced);
}

/** `text` cut to at most `max` characters, at the last line break before the cut when there is one. */
export function boundedPrefix(text: string, max: number): string {
  if (text.length <= max) return text;
  const lf = text.lastIndexOf('\n', max);
  return text.slice(0, lf > 0 ? lf : max);
}

/**
 * Splits sanitized HTML (only the BLOCKS tags and `br`, no attributes) into blocks of text.
 * A hand-written scan rather than a second HTML parser: sanitize-html already
 * wrote every tag as a bare `<name>` or `</name>`, so tags are found by `<` alone
 * (text `<` is escaped as `&lt;`).
 */
function splitBlocks(html: string): TextBlock[] {
  const blocks: TextBlock[] = [];
  let heading = 0;
  let buffer = '';
  const flush = () => {
    const text = decodeEntities(buffer).replace(/\s+/g, ' ').trim();
    buffer = '';
    if (text) blocks.push({ kind: heading ? 'heading' : 'paragraph', level: heading, text });
  };
  let pos = 0;
  while (pos < html.length) {
    const open = html.indexOf('<', pos);
    if (open < 0) {
      buffer += html.slice(pos);
      break;
    }
    buffer += html.slice(pos, open);
    const close = html.indexOf('>', open);
    if (close < 0) break;
    const tag = html.slice(open + 1, close);
    const name = tag.replace(/^\//, '').replace(/\s*\/$/, '');
    pos = close + 1;
    if (name === 'br') {
      buffer += ' ';
      continue;
    }
    flush();
    if (HEADINGS.includes(name)) heading = tag.startsWith('/') ? 0 : Number(name[1]);
  }
  flush();
  return blocks;
}

/** sanitize-html escapes `&`, `<`, `>` and `"` in text; `&nbsp;` and others arrive decoded. */
function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) =>
    e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : "'",
  );
}

/** Length in characters as readers (and the validator) count them: code points. */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * `text` shortened to at most `max` characters on a word boundary, ending with
 * `…` when cut (the ellipsis counts). A single word longer than `max` is cut inside.
 */
export function cutAtWord(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  let kept = chars.slice(0, Math.max(1, max - 1));
  // The cut splits a word unless the next character is a space: end at the space before it.
  if (!/\s/.test(chars[kept.length])) {
    let space = kept.length - 1;
    while (space > 0 && !/\s/.test(kept[space])) space--;
    if (space > 0) kept = kept.slice(0, space);
  }
  return kept.join('').replace(/[\s,;:.!?\-–—(]+$/u, '') + '…';
}
