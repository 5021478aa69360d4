/** The formats of frontmatter Inkwell reads, as static site generators accept them. */
export type FrontmatterLanguage = 'yaml' | 'toml' | 'json';

/**
 * Where the frontmatter block sits in a post. All offsets are UTF-16 offsets
 * into the full text, so diagnostics can point at the exact characters.
 */
export interface FrontmatterBlock {
  language: FrontmatterLanguage;
  /** Offset of the opening fence (after a byte order mark, if any). */
  start: number;
  /** Offset just past the opening fence's text (before its line break). */
  openEnd: number;
  /** Offset of the first character of the frontmatter source. */
  contentStart: number;
  /** Offset just past the frontmatter source. */
  contentEnd: number;
  /** Offset of the closing fence, or -1 when the block is not closed. */
  closeStart: number;
  /** Offset just past the closing fence's text, or -1 when not closed. */
  closeEnd: number;
  /** Offset where the Markdown body begins. */
  bodyStart: number;
  terminated: boolean;
  /** The line break the file uses ("\r\n" or "\n"), for edits that add lines. */
  eol: string;
}

const OPEN_DASHES = /^---[ \t]*(yaml|yml|toml|json)?[ \t]*$/i;
const CLOSE_DASHES = /^(---|\.\.\.)[ \t]*$/;
const PLUS_FENCE = /^\+\+\+[ \t]*$/;

/** Offset just past a byte order mark at the very start, else 0. */
export function bomLength(text: string): number {
  return text.charCodeAt(0) === 0xfeff ? 1 : 0;
}

/** The line break a text mostly uses; "\n" when it has none. */
export function detectEol(text: string): string {
  const lf = text.indexOf('\n');
  return lf > 0 && text.charCodeAt(lf - 1) === 13 ? '\r\n' : '\n';
}

/** End of the line starting at `from` (before "\r\n" or "\n"), and where the next line starts. */
function lineAt(text: string, from: number): { end: number; next: number } {
  const lf = text.indexOf('\n', from);
  if (lf < 0) return { end: text.length, next: text.length };
  return { end: lf > from && text.charCodeAt(lf - 1) === 13 ? lf - 1 : lf, next: lf + 1 };
}

/**
 * Finds the frontmatter block at the top of a post: `---` (YAML, or the
 * language after the dashes, as gray-matter reads `---toml`), `+++` (TOML,
 * as Hugo reads it), or a JSON object starting on the first line. Returns
 * undefined when the post has none. Never throws.
 */
export function splitFrontmatter(text: string): FrontmatterBlock | undefined {
  const start = bomLength(text);
  const eol = detectEol(text);
  const first = lineAt(text, start);
  const firstLine = text.slice(start, first.end);

  const dashes = OPEN_DASHES.exec(firstLine);
  const plus = !dashes && PLUS_FENCE.test(firstLine);
  if (dashes || plus) {
    const lang = (dashes?.[1] ?? '').toLowerCase();
    const language: FrontmatterLanguage = plus ? 'toml' : lang === 'toml' ? 'toml' : lang === 'json' ? 'json' : 'yaml';
    const close = plus ? PLUS_FENCE : CLOSE_DASHES;
    let pos = first.next;
    const contentStart = Math.min(first.next, text.length);
    while (pos < text.length) {
      const line = lineAt(text, pos);
      if (close.test(text.slice(pos, line.end))) {
        return {
          language,
          start,
          openEnd: first.end,
          contentStart,
          contentEnd: pos,
          closeStart: pos,
          closeEnd: line.end,
          bodyStart: line.next,
          terminated: true,
          eol,
        };
      }
      pos = line.next;
    }
    return unterminated(text, language, start, first.end, contentStart, eol);
  }

  // Hugo also reads a bare JSON object as frontmatter.
  if (text.charCodeAt(start) === 123 /* { */ && firstLine.trim().length > 0) {
    const end = matchingBrace(text, start);
    if (end < 0) {
      return unterminated(text, 'json', start, start + 1, start, eol);
    }
    const after = lineAt(text, end);
    return {
      language: 'json',
      start,
      openEnd: start + 1,
      contentStart: start,
      contentEnd: end,
      closeStart: end - 1,
      closeEnd: end,
      bodyStart: after.next,
      terminated: true,
      eol,
    };
  }
  return undefined;
}

/** Offset just past the `}` matching the `{` at `open`, skipping strings; -1 if none. */
/** A block whose closing fence never comes: it runs to the end of the text. */
function unterminated(
  text: string,
  language: FrontmatterLanguage,
  start: number,
  openEnd: number,
  contentStart: number,
  eol: string,
): FrontmatterBlock {
  const end = text.length;
  return { language, start, openEnd, contentStart, contentEnd: end, closeStart: -1, closeEnd: -1, bodyStart: end, terminated: false, eol };
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) {
      depth++;
    } else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return c === 125 ? i + 1 : -1;
    }
  }
  return -1;
}
