import { splitFrontmatter } from '../frontmatter/split';

/** Words per minute Inkwell assumes for reading time (a common figure for adult silent reading of prose). */
export const WORDS_PER_MINUTE = 230;

/** A post's length as readers meet it. */
export interface ReadingStats {
  words: number;
  /** Whole minutes, at least 1 for a post with any words. */
  minutes: number;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}'’_-]*/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu;

/**
 * Counts the words of a post's body (the frontmatter, fenced code, HTML tags,
 * link targets and Markdown markup do not count). Han and kana characters
 * count one word each, as they are read.
 */
export function readingStats(text: string): ReadingStats {
  const block = splitFrontmatter(text);
  let body = block?.terminated ? text.slice(block.bodyStart) : text;
  body = body
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?(^\1[^\n]*$|(?![\s\S]))/gm, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>\n]+>/g, ' ')
    .replace(/\]\([^)\n]*\)/g, '] ');
  const cjk = body.match(CJK)?.length ?? 0;
  const words = (body.replace(CJK, ' ').match(WORD)?.length ?? 0) + cjk;
  return { words, minutes: words ? Math.max(1, Math.round(words / WORDS_PER_MINUTE)) : 0 };
}
