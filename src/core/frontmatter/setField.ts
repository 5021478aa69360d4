import { fillValue, insertField, replaceValue, stringValue, TextEdit, yamlString } from './fixes';
import { getField, parseFrontmatter, ParsedFrontmatter } from './parse';
import { bomLength, detectEol } from './split';

/**
 * The edit that sets a top-level field to a string, in the post's own
 * frontmatter language: the value replaced in place (keeping its quote style,
 * quoted where the language needs it), or the field added at the top of the
 * frontmatter, or a YAML frontmatter made for a post without one. The rest of
 * the text (comments, key order, other values) is untouched. Undefined when
 * the frontmatter does not parse: writing into it could make things worse.
 */
export function setStringFieldEdit(
  text: string,
  key: string,
  value: string,
  parsed: ParsedFrontmatter = parseFrontmatter(text),
): TextEdit | undefined {
  const field = parsed.errors.length ? undefined : getField(parsed, key);
  if (field) return keepLineEnd(text, replaceValue(text, field.value, field.keyEnd, value, parsed.language));
  return setFieldEdit(text, key, (lang) => stringValue(value, lang), parsed, yamlString(value));
}

/**
 * The edit that sets a top-level field to a value `format` writes for the
 * post's language (or adds the field); `yaml` is the value for a new YAML
 * frontmatter. The existing value is replaced whatever its kind.
 */
export function setFieldEdit(
  text: string,
  key: string,
  format: (lang: ParsedFrontmatter['language']) => string,
  parsed: ParsedFrontmatter,
  yaml: string,
): TextEdit | undefined {
  if (!parsed.block) return newFrontmatter(text, `${key}: ${yaml}`);
  if (parsed.errors.length) return undefined;
  const field = getField(parsed, key);
  if (!field) return insertField(text, parsed, key, format(parsed.language));
  return keepLineEnd(text, fillValue(text, field.value, field.keyEnd, format(parsed.language), parsed.language));
}

/**
 * The edit without the line breaks (and spaces) at the end of the text it
 * replaces: a YAML block scalar or block list ends after its last line break,
 * which must stay to keep the next key on its own line.
 */
function keepLineEnd(text: string, edit: TextEdit): TextEdit {
  let end = edit.end;
  while (end > edit.start && /[\r\n \t]/.test(text[end - 1])) end--;
  return { ...edit, end };
}

/** A YAML frontmatter holding `line`, added at the start of a post that has none. */
function newFrontmatter(text: string, line: string): TextEdit {
  const eol = detectEol(text);
  const start = bomLength(text);
  const gap = text.length === start || /^\r?\n/.test(text.slice(start)) ? '' : eol;
  return { start, end: start, newText: `---${eol}${line}${eol}---${eol}${gap}` };
}
