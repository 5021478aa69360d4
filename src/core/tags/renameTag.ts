import { getField, parseFrontmatter, ParsedFrontmatter, ValueNode } from '../frontmatter/parse';

/** A replacement of `[start, end)` in a post's text by `newText`. */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/** The edits that rename or merge tags in one post, and what they do. */
export interface TagEditResult {
  edits: TextEdit[];
  /** Tag items rewritten to the new name. */
  renamed: number;
  /** Tag items removed because the post already had the new name. */
  removed: number;
  /** Why the post could not be edited although it has the tag (a tag list without source positions). */
  skipped?: string;
}

/**
 * The text edits that rename the tags in `from` to `to` in one post's
 * frontmatter (YAML, TOML or JSON; inline or block lists; a single string as
 * Eleventy and Jekyll allow). Each edit touches only the tag item, keeping its
 * quotes where the language allows, so the rest of the file keeps its
 * formatting. When the post ends up with `to` twice, the later ones are
 * removed (a merge). Matching is by exact spelling.
 */
export function renameTagEdits(
  text: string,
  from: readonly string[],
  to: string,
  parsed: ParsedFrontmatter = parseFrontmatter(text),
): TagEditResult {
  const result: TagEditResult = { edits: [], renamed: 0, removed: 0 };
  const names = new Set(from);
  if (!parsed.block || parsed.errors.length || !to) return result;
  const field = getField(parsed, 'tags');
  if (!field) return result;
  const language = parsed.language ?? 'yaml';
  const value = field.value;
  if (value.kind === 'string') {
    if (!names.has(value.value as string) || value.value === to) return result;
    result.edits.push({ start: value.start, end: value.end, newText: formatTag(to, value, language) });
    result.renamed = 1;
    return result;
  }
  if (value.kind !== 'list') return result;
  const items = field.items;
  const values = value.value as unknown[];
  if (!values.some((v) => typeof v === 'string' && names.has(v))) return result;
  if (!items || items.length !== values.length) return { ...result, skipped: 'its tag list has no source positions (a YAML alias?)' };

  // Decide each item's fate: keep, rename, or remove (a second `to`).
  let haveTarget = false;
  const fate = items.map((item): 'keep' | 'rename' | 'remove' => {
    const v = item.value;
    const matches = typeof v === 'string' && names.has(v);
    const isTarget = v === to;
    if (!matches && !isTarget) return 'keep';
    if (haveTarget) return 'remove';
    haveTarget = true;
    return isTarget ? 'keep' : 'rename';
  });
  if (!fate.some((f) => f !== 'keep')) return result;
  const flow = field.flow !== false;
  items.forEach((item, i) => {
    if (fate[i] !== 'rename') return;
    result.edits.push({ start: item.start, end: item.end, newText: formatTag(to, item, language) });
    result.renamed++;
  });
  const removed = fate.map((f, i) => (f === 'remove' ? i : -1)).filter((i) => i >= 0);
  result.removed = removed.length;
  if (removed.length) result.edits.push(...(flow ? removeFlowItems(items, fate) : removeBlockItems(text, items, removed)));
  result.edits.sort((a, b) => a.start - b.start);
  return result;
}

/** Removes items of an inline list with the separators around them. */
function removeFlowItems(items: readonly ValueNode[], fate: readonly string[]): TextEdit[] {
  const edits: TextEdit[] = [];
  const kept = fate.map((f) => f !== 'remove');
  const lastKept = kept.lastIndexOf(true);
  for (let i = 0; i < items.length; i++) {
    if (kept[i]) continue;
    if (i < lastKept) {
      // Up to the next item: "b, " in "[a, b, c]".
      edits.push({ start: items[i].start, end: items[i + 1].start, newText: '' });
    } else {
      // A trailing run of removed items: from the end of the last kept one (", b, c" in "[a, b, c]").
      const start = lastKept >= 0 ? items[lastKept].end : items[i].start;
      edits.push({ start, end: items[items.length - 1].end, newText: '' });
      break;
    }
  }
  return edits;
}

/** Removes whole `- item` lines of a YAML block list. */
function removeBlockItems(text: string, items: readonly ValueNode[], removed: readonly number[]): TextEdit[] {
  return removed.map((i) => {
    const start = text.lastIndexOf('\n', items[i].start - 1) + 1;
    const lf = text.indexOf('\n', items[i].end);
    return { start, end: lf < 0 ? text.length : lf + 1, newText: '' };
  });
}

const YAML_PLAIN = /^[\p{L}\p{N}_][\p{L}\p{N}_ ./+-]*$/u;
const YAML_SPECIAL =
  /^(true|false|yes|no|on|off|null|~|y|n|[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan)$/i;

/** A tag as a list item or value, in the quoting style of the item it replaces. */
export function formatTag(tag: string, like: Pick<ValueNode, 'quote'>, language: 'yaml' | 'toml' | 'json'): string {
  if (language === 'json') return JSON.stringify(tag);
  if (language === 'toml') {
    if (like.quote === "'" && !/['\n]/.test(tag)) return `'${tag}'`;
    return JSON.stringify(tag);
  }
  if (like.quote === "'") return `'${tag.replace(/'/g, "''")}'`;
  if (like.quote === '"') return JSON.stringify(tag);
  // Plain when YAML reads it back as the same string; quoted otherwise.
  if (YAML_PLAIN.test(tag) && !tag.endsWith(' ') && !YAML_SPECIAL.test(tag) && !/\d{4}-\d\d-\d\d/.test(tag)) return tag;
  return JSON.stringify(tag);
}

/** Applies non-overlapping edits to a text (for the CLI and tests). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = '';
  let pos = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    out += text.slice(pos, e.start) + e.newText;
    pos = e.end;
  }
  return out + text.slice(pos);
}
