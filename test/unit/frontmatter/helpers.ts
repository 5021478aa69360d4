import type { TextEdit } from '../../../src/core/frontmatter/fixes';

/** Applies non-overlapping edits to a text (as an editor would). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** The text a problem or node span covers. */
export function spanOf(text: string, span: { start: number; end: number }): string {
  return text.slice(span.start, span.end);
}
