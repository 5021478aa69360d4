import { setFieldEdit } from '../frontmatter/setField';
import { getField, parseFrontmatter, ParsedFrontmatter, ValueNode } from '../frontmatter/parse';
import type { FrontmatterLanguage } from '../frontmatter/split';
import { tagKey } from '../frontmatter/tags';
import { formatTag, TextEdit } from './renameTag';

/** The edits that add tags to a post, and the tags they add. */
export interface TagAddition {
  edits: TextEdit[];
  /** The tags added, in order: those the post did not have yet (in any case or spelling). */
  added: string[];
}

/**
 * The edits that merge `tags` into a post's `tags` field, in the style the
 * post already uses: appended to a YAML block list (`- x` lines, indented
 * like the last item) or to an inline list (`[a, b]`, YAML, TOML or JSON,
 * separated like the items already there), each tag quoted like the last
 * item where the language allows. A tag the post already has, compared by
 * {@link tagKey} (case, accents and separators ignored), is left out, and so is
 * a second spelling among `tags`. A single string becomes a list; a missing
 * field is added (a post without frontmatter gets one). Undefined when the
 * frontmatter does not parse or its tags are something else (a map).
 */
export function addTagsEdits(
  text: string,
  tags: readonly string[],
  parsed: ParsedFrontmatter = parseFrontmatter(text),
): TagAddition | undefined {
  if (parsed.block && parsed.errors.length) return undefined;
  const field = getField(parsed, 'tags');
  const current = field ? stringsOf(field.value.value) : [];
  const seen = new Set(current.map(tagKey));
  const added = tags.filter((t) => {
    const key = tagKey(t);
    if (!key || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (!added.length) return { edits: [], added };
  const language = parsed.language ?? 'yaml';
  const items = field?.items;
  if (field?.value.kind === 'list' && items?.length === current.length && Array.isArray(field.value.value)) {
    const edit = field.flow === false ? appendBlock(text, items, added, parsed) : appendFlow(text, field.value, items, added, language);
    return edit && { edits: [edit], added };
  }
  if (field && field.value.kind !== 'string' && field.value.kind !== 'null') return undefined;
  const all = [...current, ...added];
  const edit = setFieldEdit(text, 'tags', (lang) => flowList(all, lang ?? 'yaml'), parsed, flowList(all, 'yaml'));
  return edit && { edits: [edit], added };
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return value.trim() ? [value] : [];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** An inline list of tags. */
function flowList(tags: readonly string[], language: FrontmatterLanguage): string {
  return `[${tags.map((t) => formatTag(t, { quote: '' }, language)).join(', ')}]`;
}

/** Tags appended to an inline list, after its last item (or inside its brackets when empty). */
function appendFlow(text: string, list: ValueNode, items: readonly ValueNode[], tags: readonly string[], language: FrontmatterLanguage) {
  const last = items.at(-1);
  if (!last) {
    const open = text.indexOf('[', list.start);
    if (open < 0 || open >= list.end) return undefined;
    return { start: open + 1, end: open + 1, newText: tags.map((t) => formatTag(t, { quote: '' }, language)).join(', ') };
  }
  // The separator the list uses between items (", " or a line break and indentation).
  const separator = items.length > 1 ? text.slice(items.at(-2)!.end, last.start) : firstSeparator(text, list, last);
  if (!/^\s*,\s*$/.test(separator)) return undefined;
  return { start: last.end, end: last.end, newText: tags.map((t) => separator + formatTag(t, last, language)).join('') };
}

/** How to follow a list's only item: on its own line when it has one (`[` then a line break), else ", ". */
function firstSeparator(text: string, list: ValueNode, item: ValueNode): string {
  const open = text.lastIndexOf('[', item.start);
  const before = open >= list.start ? text.slice(open + 1, item.start) : '';
  return before.includes('\n') ? `,${before}` : ', ';
}

/** Tags appended to a YAML block list as `- tag` lines after the last item's line, indented like it. */
function appendBlock(text: string, items: readonly ValueNode[], tags: readonly string[], parsed: ParsedFrontmatter) {
  const last = items.at(-1);
  if (!last || !parsed.block) return undefined;
  const lineStart = text.lastIndexOf('\n', last.start - 1) + 1;
  const marker = text.slice(lineStart, last.start);
  if (!/^[ \t]*-[ \t]+$/.test(marker)) return undefined;
  const lf = text.indexOf('\n', last.end);
  if (lf < 0 || lf >= parsed.block.contentEnd + 1) return undefined;
  const eol = parsed.block.eol;
  return { start: lf + 1, end: lf + 1, newText: tags.map((t) => `${marker}${formatTag(t, last, 'yaml')}${eol}`).join('') };
}
