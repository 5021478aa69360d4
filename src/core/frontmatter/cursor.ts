import { ParsedFrontmatter, FieldNode } from './parse';
import { splitFrontmatter } from './split';

/** Where the cursor is in the frontmatter, for completions. */
export type CursorContext =
  /** Writing a field name at the start of a line. */
  | { kind: 'key'; prefixStart: number; prefix: string }
  /** Writing the value of `key` (or an item of its list when `inList`). */
  | { kind: 'value'; key: string; inList: boolean; prefixStart: number; prefix: string; quote: '' | '"' | "'" };

const YAML_KEY_ONLY = /^([A-Za-z_][\w-]*)?$/;
const YAML_KEY_VALUE = /^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*)$/;
const YAML_ITEM = /^[ \t]+-[ \t]*(.*)$|^-[ \t]+(.*)$/;
const TOML_KEY_VALUE = /^[ \t]*([A-Za-z_][\w-]*)[ \t]*=[ \t]*(.*)$/;

/**
 * What is being written at `offset` in a post's YAML or TOML frontmatter, or
 * undefined outside the frontmatter. Works on raw text, so it also works
 * while the frontmatter does not parse yet (the usual state while typing).
 */
export function cursorContext(text: string, offset: number): CursorContext | undefined {
  const block = splitFrontmatter(text);
  if (!block || block.language === 'json') return undefined;
  if (offset < block.contentStart || offset > block.contentEnd) return undefined;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  if (block.language === 'yaml') {
    if (YAML_KEY_ONLY.test(before)) return { kind: 'key', prefixStart: lineStart, prefix: before };
    const kv = YAML_KEY_VALUE.exec(before);
    if (kv) return valueContext(kv[1], kv[2], offset);
    const item = YAML_ITEM.exec(before);
    if (item) {
      const key = parentKey(text, lineStart, block.contentStart, /^([A-Za-z_][\w-]*)[ \t]*:[ \t]*$/);
      if (key) return itemContext(key, item[1] ?? item[2] ?? '', offset);
    }
    return undefined;
  }
  // TOML
  if (YAML_KEY_ONLY.test(before.trimStart()) && !/^\s*\[/.test(before)) {
    return { kind: 'key', prefixStart: offset - before.trimStart().length, prefix: before.trimStart() };
  }
  const kv = TOML_KEY_VALUE.exec(before);
  if (kv) return valueContext(kv[1], kv[2], offset);
  // An item of a multi-line array: `tags = [` on an earlier line, not yet closed.
  const key = parentKey(text, lineStart, block.contentStart, /^[ \t]*([A-Za-z_][\w-]*)[ \t]*=[ \t]*\[[^\]]*$/);
  if (key) return itemContext(key, before.replace(/^.*,/, '').trimStart(), offset);
  return undefined;
}

function valueContext(key: string, rest: string, offset: number): CursorContext {
  if (rest.startsWith('['))
    return itemContext(key, rest.slice(rest.lastIndexOf(',') >= 0 ? rest.lastIndexOf(',') + 1 : 1).trimStart(), offset);
  const quote = rest.startsWith('"') ? '"' : rest.startsWith("'") ? "'" : '';
  const prefix = quote ? rest.slice(1) : rest;
  return { kind: 'value', key, inList: false, prefixStart: offset - prefix.length, prefix, quote };
}

function itemContext(key: string, raw: string, offset: number): CursorContext {
  const quote = raw.startsWith('"') ? '"' : raw.startsWith("'") ? "'" : '';
  const prefix = quote ? raw.slice(1) : raw;
  return { kind: 'value', key, inList: true, prefixStart: offset - prefix.length, prefix, quote };
}

/** The key of the nearest earlier line matching `keyLine` (the owner of a block list). */
function parentKey(text: string, lineStart: number, limit: number, keyLine: RegExp): string | undefined {
  let end = lineStart - 1;
  for (let guard = 0; end > limit && guard < 500; guard++) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end).replace(/\r$/, '');
    const m = keyLine.exec(line);
    if (m) return m[1];
    // Another top-level key in between: the list belongs to something else.
    if (/^[A-Za-z_][\w-]*[ \t]*[:=]/.test(line)) return undefined;
    end = start - 1;
  }
  return undefined;
}

/** What the cursor is on, for hovers. */
export type HoverTarget = { kind: 'key'; field: FieldNode } | { kind: 'tag'; tag: string; start: number; end: number };

/** The field key or tag under `offset`, if any. */
export function hoverTarget(parsed: ParsedFrontmatter, offset: number): HoverTarget | undefined {
  for (const field of parsed.fields) {
    if (offset >= field.keyStart && offset <= field.keyEnd) return { kind: 'key', field };
    if (field.key === 'tags') {
      for (const item of field.items ?? []) {
        if (offset >= item.start && offset <= item.end && typeof item.value === 'string')
          return { kind: 'tag', tag: item.value, start: item.start, end: item.end };
      }
    }
  }
  return undefined;
}
