import { detectDateStyle, DateStyle } from '../frontmatter/dates';
import { getField, parseFrontmatter, ParsedFrontmatter } from '../frontmatter/parse';
import type { FrontmatterLanguage } from '../frontmatter/split';

/**
 * What the workspace index keeps about one post: its frontmatter fields in
 * plain form. Consumers (tag tree, preview, completions) read this, never the
 * parser's internals.
 */
export interface PostSummary {
  /** The caller's key for the post: a URI string in the editor, a path in the CLI. */
  readonly id: string;
  readonly hasFrontmatter: boolean;
  readonly language?: FrontmatterLanguage;
  /** The title when it is a non-empty string. */
  readonly title?: string;
  /** The date as written (a YAML/TOML timestamp or ISO text), when present. */
  readonly date?: string;
  /** The style of `date` when it is valid. */
  readonly dateStyle?: DateStyle;
  /** Milliseconds since the epoch of `date` when it is valid (for sorting). */
  readonly time?: number;
  readonly description?: string;
  /** String tags, in order, without duplicates. */
  readonly tags: readonly string[];
  readonly image?: string;
  readonly draft: boolean;
  /** Every frontmatter field, as plain data. */
  readonly data: Readonly<Record<string, unknown>>;
  /** True when the frontmatter has syntax or structure errors. */
  readonly broken: boolean;
}

/** Summarises a parsed post for the index. */
export function summarize(id: string, parsed: ParsedFrontmatter): PostSummary {
  const str = (key: string): string | undefined => {
    const f = getField(parsed, key);
    if (!f) return undefined;
    const v = f.value.value;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || f.value.kind === 'date') return String(v);
    return undefined;
  };
  const tagsField = getField(parsed, 'tags');
  const tags: string[] = [];
  const rawTags = tagsField?.value.value;
  const list = Array.isArray(rawTags) ? rawTags : typeof rawTags === 'string' && rawTags.trim() ? [rawTags] : [];
  const seen = new Set<string>();
  for (const t of list) {
    if (typeof t === 'string' && t.trim() && !seen.has(t)) {
      seen.add(t);
      tags.push(t);
    }
  }
  const date = str('date');
  const dateStyle = date !== undefined ? detectDateStyle(date) : undefined;
  let time: number | undefined;
  if (dateStyle) {
    const ms = Date.parse(dateStyle === 'datetime-space' ? date!.trim().replace(/\s+/, 'T') : date!.trim());
    if (!Number.isNaN(ms)) time = ms;
  }
  const title = str('title');
  return {
    id,
    hasFrontmatter: parsed.block !== undefined,
    language: parsed.language,
    title: title?.trim() ? title : undefined,
    date,
    dateStyle,
    time,
    description: str('description'),
    tags,
    image: str('image'),
    draft: getField(parsed, 'draft')?.value.value === true,
    data: parsed.data,
    broken: parsed.errors.length > 0,
  };
}

/** Parses and summarises a post's text. */
export function summarizeText(id: string, text: string): PostSummary {
  return summarize(id, parseFrontmatter(text));
}
