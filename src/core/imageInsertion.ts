/**
 * Where an inserted image goes and what its alt text says, from the post's
 * text and the cursor. Pure: works on strings and offsets.
 */

/** The end offset of a YAML (`---`) or TOML (`+++`) frontmatter block, after its closing line; undefined without one. */
export function frontmatterEnd(text: string): number | undefined {
  const m = /^\ufeff?(---|\+\+\+)[ \t]*\r?\n(?:[\s\S]*?\r?\n)?(---|\+\+\+|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(text);
  if (!m || (m[1] === '+++') !== (m[2] === '+++')) return undefined;
  return m[0].length;
}

/** Whether `offset` lies inside the frontmatter block (its fences included). */
export function inFrontmatter(text: string, offset: number): boolean {
  const end = frontmatterEnd(text);
  return end !== undefined && offset < end;
}

/**
 * The edit that sets the frontmatter's image to `link` even when it already
 * names one (the writer asked for a new hero image). Undefined when the post
 * has no `image` line; callers first try the edit that adds one.
 */
export function replaceFrontmatterImage(text: string, link: string): { start: number; end: number; newText: string } | undefined {
  const end = frontmatterEnd(text);
  if (end === undefined) return undefined;
  const toml = /^\ufeff?\+\+\+/.test(text);
  const re = toml
    ? /^([ \t]*image[ \t]*=[ \t]*)([^\r\n]*?)[ \t]*(?:#[^\r\n]*)?$/m
    : /^(image[ \t]*:[ \t]*)([^\r\n]*?)[ \t]*(?:[ \t]#[^\r\n]*)?$/m;
  const m = re.exec(text.slice(0, end));
  if (!m) return undefined;
  const start = m.index + m[1].length;
  const plain = /^[/.\w][\w./~%+-]*\.(png|jpe?g|gif|webp|avif|svg)$/i.test(link);
  return { start, end: start + m[2].length, newText: toml || !plain ? JSON.stringify(link) : link };
}

/** Markdown and HTML reduced to the words a reader sees. */
function plainText(markdown: string): string {
  return markdown
    .replace(/<[^>]*>/g, ' ')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^[ \t]*(#{1,6}|>|[-*+]|\d+[.)])[ \t]+/gm, '')
    .replace(/[*_`~]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Alt text for an image inserted at `offset`: the first sentence of the
 * paragraph the cursor is in (or the one just before it), at most `max`
 * characters; undefined when there is no prose around the cursor.
 */
export function altFromContext(text: string, offset: number, max = 125): string | undefined {
  const bodyStart = frontmatterEnd(text) ?? 0;
  if (offset < bodyStart) return undefined;
  const lines = text.slice(bodyStart).split(/\r?\n/);
  let at = bodyStart;
  let cursorLine = lines.length - 1;
  for (let i = 0; i < lines.length; i++) {
    const next = at + lines[i].length + 1;
    if (offset < next) {
      cursorLine = i;
      break;
    }
    at = next;
  }
  const prose = (l: string) => l.trim() !== '' && !/^\s*(```|~~~|!\[[^\]]*\]\([^)]*\)\s*$|<\/?[a-z][^>]*>\s*$|\|)/i.test(l);
  let end = cursorLine;
  while (end >= 0 && !prose(lines[end])) end--;
  if (end < 0) return undefined;
  let start = end;
  while (start > 0 && prose(lines[start - 1])) start--;
  const words = plainText(lines.slice(start, end + 1).join('\n'));
  if (!words) return undefined;
  const sentence = /^(.+?[.!?])(?:\s|$)/.exec(words)?.[1] ?? words;
  if (sentence.length <= max) return sentence.replace(/[.!?]$/, '');
  const cut = sentence.slice(0, max + 1).replace(/\s+\S*$/, '');
  return `${cut || sentence.slice(0, max)}…`;
}
