import { TITLE_MAX } from '../frontmatter/schema';
import { cutAtWord, TextBlock } from './plainText';
import { NO_BODY, Suggestion, Suggestions } from './types';

/** Most title candidates offered. */
export const MAX_TITLE_CANDIDATES = 3;

/**
 * Titles from what the post already says: its first `#` heading (the title
 * Docusaurus and many themes fall back to; after the first sentence when it
 * comes after prose, where it heads a section), the first sentence of its first
 * paragraph, and its file name in words (as Jekyll makes a title when the post
 * has none). Each is cut on a word boundary to TITLE_MAX characters, the
 * length the validator warns above.
 */
export function suggestTitle(blocks: readonly TextBlock[], filePath: string): Suggestions {
  const candidates: Suggestion[] = [];
  const add = (text: string | undefined, source: Suggestion['source']) => {
    const t = text?.trim();
    if (!t) return;
    const cut = cutAtWord(t, TITLE_MAX);
    if (!candidates.some((c) => c.text.toLowerCase() === cut.toLowerCase())) candidates.push({ text: cut, source });
  };
  const heading = blocks.findIndex((b) => b.kind === 'heading' && b.level === 1);
  const paragraph = blocks.findIndex((b) => b.kind === 'paragraph');
  const sentence = paragraph >= 0 ? firstSentence(blocks[paragraph].text.slice(0, 1000)) : undefined;
  // A `#` heading above the first paragraph titles the post; one further down titles a section of it.
  const headingFirst = heading >= 0 && (paragraph < 0 || heading < paragraph);
  if (headingFirst) add(blocks[heading].text, 'first-heading');
  add(sentence, 'first-sentence');
  if (heading >= 0 && !headingFirst) add(blocks[heading].text, 'first-heading');
  add(titleFromFileName(filePath), 'file-name');
  const out: Suggestions = { kind: 'title', candidates: candidates.slice(0, MAX_TITLE_CANDIDATES) };
  if (!blocks.length) out.note = `${NO_BODY} The title comes from the file name.`;
  return out;
}

let sentences: Intl.Segmenter | undefined;

/** The first sentence of a paragraph (Intl.Segmenter's sentence boundaries), without its final full stop. */
export function firstSentence(text: string): string {
  sentences ??= new Intl.Segmenter('en', { granularity: 'sentence' });
  const first = sentences.segment(text)[Symbol.iterator]().next();
  const sentence = first.done ? text : first.value.segment;
  return sentence.trim().replace(/(?<!\.)\.$/, '');
}

/**
 * A file name in words: `my-first-post.md` → `My first post`. Jekyll's and
 * Hugo's `2024-05-01-` date prefixes are dropped; a page bundle's `index.md`
 * (or a section's `_index.md`) is named by its folder.
 */
export function titleFromFileName(filePath: string): string | undefined {
  const parts = filePath.split(/[\\/]/).filter(Boolean);
  let name = (parts.at(-1) ?? '').replace(/\.[^.]*$/, '');
  if (/^_?index$/i.test(name) && parts.length > 1) name = parts.at(-2)!;
  const words = name
    .replace(/^\d{4}-\d{2}-\d{2}(?:[-_T]\d{2}[-_:]?\d{2}(?:[-_:]?\d{2})?)?[-_ ]*/, '')
    .replace(/[-_.+]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return words ? words[0].toUpperCase() + words.slice(1) : undefined;
}
