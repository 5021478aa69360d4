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
 * count one word each, as they are read. Linear in the length of the text.
 */
export function readingStats(text: string): ReadingStats {
  const block = splitFrontmatter(text);
  const body = readableText(block?.terminated ? text.slice(block.bodyStart) : text);
  const words = count(WORD, body.replace(CJK, ' ')) + count(CJK, body);
  return { words, minutes: words ? Math.max(1, Math.round(words / WORDS_PER_MINUTE)) : 0 };
}

/**
 * A post body without what readers do not read: fenced code, HTML comments and
 * tags, link and image targets (Markdown markup characters stay). Linear in the
 * length of the body; cheaper than rendering it, for work over a whole site.
 */
export function readableText(body: string): string {
  return stripLinkTargets(stripTags(stripComments(stripFences(body))));
}

/** Matches of a global expression, counted without building match objects. */
function count(pattern: RegExp, text: string): number {
  let n = 0;
  pattern.lastIndex = 0;
  while (pattern.test(text)) n++;
  return n;
}

// The four passes below are written as scans rather than regular expressions: the natural
// patterns (`<[^>\n]+>`, `<!--[\s\S]*?-->`, `\]\([^)\n]*\)`) restart at every opening that has
// no close and rescan to the end of the line or text each time, which is quadratic (200 KB of
// `<a` took 10 s). Each scan here looks for a close once: when there is none, no later opening
// of the same kind can have one either, so the scan stops.

/** Replaces fenced code blocks (``` or ~~~ at a line start, to the same fence or the end) with a space. */
function stripFences(body: string): string {
  const out: string[] = [];
  let pos = 0;
  let copyFrom = 0;
  let fence = '';
  let openedAt = 0;
  while (pos < body.length) {
    const lf = body.indexOf('\n', pos);
    const end = lf < 0 ? body.length : lf;
    const head = body.slice(pos, pos + 3);
    if (!fence && (head === '```' || head === '~~~') && lf >= 0) {
      fence = head;
      openedAt = pos;
    } else if (fence && head === fence) {
      out.push(body.slice(copyFrom, openedAt), ' ');
      copyFrom = end;
      fence = '';
    }
    pos = end + 1;
  }
  if (fence) {
    out.push(body.slice(copyFrom, openedAt), ' ');
    copyFrom = body.length;
  }
  out.push(body.slice(copyFrom));
  return out.join('');
}

/** Replaces `<!-- … -->` comments (across lines) with a space. */
function stripComments(body: string): string {
  const out: string[] = [];
  let from = 0;
  for (;;) {
    const open = body.indexOf('<!--', from);
    if (open < 0) break;
    const close = body.indexOf('-->', open + 4);
    if (close < 0) break;
    out.push(body.slice(from, open), ' ');
    from = close + 3;
  }
  out.push(body.slice(from));
  return out.join('');
}

/**
 * Replaces `<…>` on one line (an HTML tag, at least one character inside) with a space, and
 * `](…)` (a link or image target on one line) with `] `: `opener` and `closer` per pass.
 */
function stripDelimited(body: string, opener: string, closer: string, replacement: string): string {
  const out: string[] = [];
  let from = 0;
  let search = 0;
  // The first close at or after the current opener; openers only move forward, so it is
  // searched for again only once an opener has passed it (each character is scanned once).
  let close = -1;
  for (;;) {
    const open = body.indexOf(opener, search);
    if (open < 0) break;
    const lf = body.indexOf('\n', open);
    const lineEnd = lf < 0 ? body.length : lf;
    if (close < open + opener.length) close = body.indexOf(closer, open + opener.length);
    if (close < 0) break; // no close anywhere after: no later opener has one either
    if (close >= lineEnd) {
      // No close on this line, so no opener left on it has one: go on with the next line.
      search = lineEnd + 1;
      continue;
    }
    if (opener === '<' && close === open + 1) {
      // `<>` is not a tag; the next `<` may start one.
      search = open + 1;
      continue;
    }
    out.push(body.slice(from, open), replacement);
    from = search = close + closer.length;
  }
  out.push(body.slice(from));
  return out.join('');
}

function stripTags(body: string): string {
  return stripDelimited(body, '<', '>', ' ');
}

function stripLinkTargets(body: string): string {
  return stripDelimited(body, '](', ')', '] ');
}
