import { detectDateStyle, formatDate } from '../frontmatter/dates';
import { getField, parseFrontmatter } from '../frontmatter/parse';
import { detectEol } from '../frontmatter/split';
import type { TextEdit } from '../tags/renameTag';

/**
 * The edit that sets a post's "last updated" field (`lastmod`, `updated`,
 * `last_update.date`…) to `now`, in the style the post writes its `date`.
 * Adds the field before the closing fence when it is missing (YAML and TOML;
 * JSON frontmatter is left alone). Undefined when nothing needs to change.
 */
export function updatedDateEdit(text: string, field: string, now: Date): TextEdit | undefined {
  const parsed = parseFrontmatter(text);
  const block = parsed.block;
  if (!block || !block.terminated || parsed.errors.length || parsed.language === 'json') return undefined;
  const dateText = getField(parsed, 'date')?.value.value;
  const style = (typeof dateText === 'string' && detectDateStyle(dateText)) || 'date';
  const value = formatDate(now, style);
  const eol = detectEol(text);
  const [key, sub] = field.split('.', 2);
  const toml = parsed.language === 'toml';
  const existing = getField(parsed, key);
  if (existing && !sub) {
    const v = existing.value;
    if (v.kind === 'list' || v.kind === 'map') return undefined;
    const newText = v.quote ? `${v.quote}${value}${v.quote}` : value;
    if (text.slice(v.start, v.end) === newText) return undefined;
    return v.end > v.start
      ? { start: v.start, end: v.end, newText }
      : { start: existing.keyEnd, end: existing.keyEnd, newText: toml ? ` = ${value}` : `: ${value}` };
  }
  if (existing && sub) {
    // A nested date (Docusaurus `last_update: { date, author }`): replace it inside the field's text.
    const region = text.slice(existing.value.start, existing.value.end);
    const m = new RegExp(`(^|[\\s{,])${sub}\\s*[:=]\\s*(["']?)([^"'\\n,}]*)\\2`).exec(region);
    if (!m) return undefined;
    const start = existing.value.start + m.index + m[0].length - m[2].length - m[3].length;
    if (m[3].trim() === value) return undefined;
    return { start, end: start + m[3].length, newText: value };
  }
  const line = sub
    ? toml
      ? `[${key}]${eol}${sub} = ${value}`
      : `${key}:${eol}  ${sub}: ${value}`
    : toml
      ? `${key} = ${value}`
      : `${key}: ${value}`;
  // A TOML table must come after the plain keys, so a new one goes last; so does a YAML field.
  let at = block.contentEnd;
  if (toml && !sub) {
    // A plain key after a [table] header would belong to the table: put it before the first one.
    const table = /^[ \t]*\[/m.exec(text.slice(block.contentStart, block.contentEnd));
    if (table) at = block.contentStart + table.index;
  }
  const before = at > block.contentStart && text[at - 1] !== '\n' ? eol : '';
  return { start: at, end: at, newText: `${before}${line}${eol}` };
}
