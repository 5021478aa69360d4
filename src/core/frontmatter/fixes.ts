import { DateStyle, formatDate, formatDateParts, nearestValidDate, repairDateText } from './dates';
import { closestImages, ImageLocation, imageValueFor } from './images';
import { getField, parseFrontmatter, ParsedFrontmatter, ValueNode } from './parse';
import { Problem, ProblemCode } from './problemCodes';
import { bomLength, detectEol, FrontmatterLanguage } from './split';

/** Replace the text in `[start, end)` with `newText` (offsets into the original text). */
export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

/** A quick fix: a title for the light bulb menu and the edits it makes. */
export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The obvious fix, applied by "Auto Fix" and shown first. */
  isPreferred: boolean;
  code: ProblemCode;
}

/** What fixes need to know besides the text. All optional. */
export interface FixContext extends ImageLocation {
  /** "Now" for new dates (tests pass a fixed moment). */
  now?: Date;
  /** When the post's file was created, when known: a date fix offers it. */
  fileCreated?: Date;
  /** The date style the workspace uses (PostIndex.preferredDateStyle()). */
  dateStyle?: DateStyle;
  /** Existing image files (absolute paths) for image path fixes. */
  imageFiles?: readonly string[];
}

/**
 * The fixes for one problem in a post. Pure: returns edits, applies nothing.
 * Returns [] when there is no sensible fix.
 */
export function fixesFor(text: string, p: Problem, ctx: FixContext = {}, parsed: ParsedFrontmatter = parseFrontmatter(text)): Fix[] {
  try {
    switch (p.code) {
      case ProblemCode.FrontmatterMissing:
        return [addFrontmatter(text, ctx)];
      case ProblemCode.DateMissing:
        return [
          {
            title: 'Add "date" (now)',
            edits: [
              insertField(text, parsed, 'date', dateValue(formatDate(ctx.now ?? new Date(), ctx.dateStyle ?? 'date'), parsed.language)),
            ],
            isPreferred: true,
            code: p.code,
          },
        ];
      case ProblemCode.DateInvalid:
        return fixDate(text, parsed, p, ctx);
      case ProblemCode.TitleMissing: {
        const title = titleFor(text, parsed, ctx);
        return titleFixes(
          text,
          parsed,
          title,
          `Add "title: ${title}"`,
          insertField(text, parsed, 'title', stringValue(title, parsed.language)),
          p,
        );
      }
      case ProblemCode.TitleEmpty: {
        const f = getField(parsed, 'title');
        if (!f) return [];
        const title = titleFor(text, parsed, ctx);
        return titleFixes(text, parsed, title, `Set title to "${title}"`, replaceValue(text, f.value, f.keyEnd, title, parsed.language), p);
      }
      case ProblemCode.TagVariant: {
        const item = tagItem(parsed, p);
        const suggestion = p.data?.suggestion;
        if (!item || suggestion === undefined) return [];
        return [
          {
            title: `Change tag to "${suggestion}"`,
            edits: [replaceScalar(item, suggestion, parsed.language)],
            isPreferred: true,
            code: p.code,
          },
        ];
      }
      case ProblemCode.TagDuplicate: {
        const f = getField(parsed, 'tags');
        const index = p.data?.index;
        if (!f?.items || index === undefined || index < 1 || !f.items[index]) return [];
        return [
          {
            title: `Remove duplicate tag "${String(f.items[index].value)}"`,
            edits: [removeItem(text, f.items, index, f.flow !== false)],
            isPreferred: true,
            code: p.code,
          },
        ];
      }
      case ProblemCode.ImageNotFound:
        return fixImage(parsed, p, ctx);
      case ProblemCode.KeyTypo: {
        const f = parsed.fields.find((x) => x.keyStart === p.start && x.key === p.data?.field);
        const suggestion = p.data?.suggestion;
        if (!f || suggestion === undefined || getField(parsed, suggestion)) return [];
        const key = text.slice(f.keyStart, f.keyEnd);
        const quote = key.startsWith('"') || key.startsWith("'") ? key[0] : '';
        return [
          {
            title: `Rename field to "${suggestion}"`,
            edits: [{ start: f.keyStart, end: f.keyEnd, newText: quote ? `${quote}${suggestion}${quote}` : suggestion }],
            isPreferred: true,
            code: p.code,
          },
        ];
      }
      default:
        return [];
    }
  } catch {
    // A fix that cannot be computed is simply not offered.
    return [];
  }
}

// ---------------------------------------------------------------- values

/** A YAML scalar for a string: plain when unambiguous, else double-quoted. */
export function yamlString(s: string): string {
  const plain =
    /^[A-Za-z0-9_(/.][^\n\r\t]*$/.test(s) &&
    !/:\s|\s#|:$|\s$/.test(s) &&
    !/^(true|false|yes|no|on|off|null|~|[-+]?(\d[\d_]*)?\.?\d+([eE][-+]?\d+)?|0x[0-9a-fA-F]+|\d{4}-\d\d?-\d\d?.*)$/i.test(s);
  return plain ? s : JSON.stringify(s);
}

/** A string value as the language writes it: a YAML scalar (quoted when needed), else a JSON/TOML string. */
export function stringValue(s: string, lang: FrontmatterLanguage | undefined): string {
  return lang === 'yaml' || lang === undefined ? yamlString(s) : JSON.stringify(s);
}

/** Dates are plain scalars in YAML and native date literals in TOML; JSON has only strings. */
function dateValue(s: string, lang: FrontmatterLanguage | undefined): string {
  return lang === 'json' ? JSON.stringify(s) : s;
}

/** Replaces a scalar keeping its quote style. */
function replaceScalar(node: ValueNode, value: string, lang: FrontmatterLanguage | undefined): TextEdit {
  let newText: string;
  if (node.quote === "'" && lang === 'yaml') newText = `'${value.replace(/'/g, "''")}'`;
  else if (node.quote === "'" && lang === 'toml' && !value.includes("'")) newText = `'${value}'`;
  else if (node.quote) newText = JSON.stringify(value);
  else newText = stringValue(value, lang);
  return { start: node.start, end: node.end, newText };
}

/** Replaces a field's value with a string (keeping its quote style), or fills an empty one after its key. */
export function replaceValue(
  text: string,
  node: ValueNode,
  keyEnd: number,
  value: string,
  lang: FrontmatterLanguage | undefined,
): TextEdit {
  if (node.end > node.start) return replaceScalar(node, value, lang);
  return fillValue(text, node, keyEnd, stringValue(value, lang), lang);
}

/** Writes an already formatted value in place of a field's value, or after its key when it has none. */
export function fillValue(
  text: string,
  node: ValueNode,
  keyEnd: number,
  formatted: string,
  lang: FrontmatterLanguage | undefined,
): TextEdit {
  if (node.end > node.start) return { start: node.start, end: node.end, newText: formatted };
  // `title:` with nothing after it: write after the colon (or `=`).
  let at = keyEnd;
  while (at < text.length && (text[at] === ' ' || text[at] === '\t' || text[at] === ':' || text[at] === '=' || text[at] === '"')) {
    if (text[at] === '"' && lang === 'yaml') break;
    at++;
  }
  const sep = text[at - 1] === ' ' ? '' : ' ';
  return { start: at, end: at, newText: sep + formatted };
}

// ---------------------------------------------------------------- insertion

/** An edit that adds `key` with an already formatted value at the top of the frontmatter. */
export function insertField(text: string, parsed: ParsedFrontmatter, key: string, value: string): TextEdit {
  const block = parsed.block;
  if (!block) throw new Error('no frontmatter');
  const eol = block.eol;
  if (block.language === 'json') {
    const open = text.indexOf('{', block.contentStart);
    if (open < 0 || open >= block.contentEnd) throw new Error('no JSON object');
    const hasMembers = parsed.fields.length > 0;
    return { start: open + 1, end: open + 1, newText: `${eol}  ${JSON.stringify(key)}: ${value}${hasMembers ? ',' : eol}` };
  }
  const line = block.language === 'toml' ? `${key} = ${value}` : `${key}: ${value}`;
  return { start: block.contentStart, end: block.contentStart, newText: line + eol };
}

function addFrontmatter(text: string, ctx: FixContext): Fix {
  const eol = detectEol(text);
  const start = bomLength(text);
  const title = titleFor(text, undefined, ctx);
  const date = formatDate(ctx.now ?? new Date(), ctx.dateStyle ?? 'date');
  const rest = text.slice(start);
  const gap = rest.length === 0 || /^\r?\n/.test(rest) ? '' : eol;
  return {
    title: 'Add a frontmatter block',
    edits: [{ start, end: start, newText: `---${eol}title: ${yamlString(title)}${eol}date: ${date}${eol}---${eol}${gap}` }],
    isPreferred: true,
    code: ProblemCode.FrontmatterMissing,
  };
}

/** A title for a post: its first Markdown heading, else its file name in words. */
export function titleFor(text: string, parsed: ParsedFrontmatter | undefined, ctx: FixContext): string {
  const body = text.slice(parsed?.block?.bodyStart ?? bomLength(text), Math.min(text.length, (parsed?.block?.bodyStart ?? 0) + 100_000));
  const heading = firstHeading(body);
  if (heading !== undefined) return heading;
  const base =
    (ctx.postPath ?? '')
      .replace(/\\/g, '/')
      .split('/')
      .pop()
      ?.replace(/\.[^.]+$/, '') ?? '';
  const words = base
    .replace(/^\d{4}-\d{2}-\d{2}-/, '')
    .replace(/[-_]+/g, ' ')
    .trim();
  return words ? words[0].toUpperCase() + words.slice(1) : 'Untitled';
}

/**
 * The fixes that set a title taken from the text: when the title is the post's leading level-1
 * heading, setting it and removing that heading comes first (a site shows the title above the
 * body, so the heading would show twice), then setting it alone.
 */
function titleFixes(text: string, parsed: ParsedFrontmatter, title: string, what: string, set: TextEdit, p: Problem): Fix[] {
  const heading = parsed.block ? leadingTitleHeading(text, parsed.block.bodyStart) : undefined;
  const only: Fix = { title: what, edits: [set], isPreferred: true, code: p.code };
  if (!heading || heading.text !== title) return [only];
  return [
    { title: `${what} and remove the heading (it would show twice)`, edits: [set, heading.edit], isPreferred: true, code: p.code },
    { ...only, title: `${what} (keep the heading)`, isPreferred: false },
  ];
}

/**
 * The body's leading level-1 heading (`# Title` or `Title` underlined with `=`), when it is the
 * first thing after blank lines, with the edit that removes it and the blank line after it.
 */
function leadingTitleHeading(text: string, bodyStart: number): { text: string; edit: TextEdit } | undefined {
  const lineEnd = (from: number) => {
    const lf = text.indexOf('\n', from);
    return lf < 0 ? text.length : lf + 1;
  };
  let start = bodyStart;
  while (start < text.length) {
    const end = lineEnd(start);
    if (/\S/.test(text.slice(start, end))) break;
    start = end;
  }
  if (start >= text.length) return undefined;
  const first = text.slice(start, lineEnd(start));
  let end: number;
  let title: string | undefined;
  const atx = atxLevelOne(first);
  if (atx !== undefined) {
    title = atx;
    end = start + first.length;
  } else {
    const second = text.slice(start + first.length, lineEnd(start + first.length));
    if (!second || !/^[ \t]{0,3}=+[ \t]*\r?\n?$/.test(second)) return undefined;
    title = first.trim();
    end = start + first.length + second.length;
  }
  if (!title) return undefined;
  // The blank line that followed the heading goes with it.
  const next = text.slice(end, lineEnd(end));
  if (next && !/\S/.test(next)) end += next.length;
  return { text: title, edit: { start, end, newText: '' } };
}

/** The text of a `# Title #` line (level 1 only), by hand in linear time like {@link firstHeading}. */
function atxLevelOne(line: string): string | undefined {
  const rest = line.replace(/^[ \t]{0,3}#/, '');
  if (rest === line || (rest[0] !== ' ' && rest[0] !== '\t')) return undefined;
  let end = rest.length;
  while (end > 0 && /[ \t\r\n]/.test(rest[end - 1])) end--;
  // A closing run of `#`s counts only after a space.
  let hashes = end;
  while (hashes > 0 && rest[hashes - 1] === '#') hashes--;
  if (hashes < end && (rest[hashes - 1] === ' ' || rest[hashes - 1] === '\t')) end = hashes;
  return rest.slice(0, end).trim();
}

/**
 * The text of the first Markdown heading: an ATX heading (`# Title #`) if the
 * body has one with text, else a setext heading (a line underlined with `=`).
 * Line by line, in linear time: one regex over the whole body (`(.+?)[ \t#]*$`,
 * `[^\n]*\S[^\n]*`) backtracked quadratically on long lines (4 s for 100 KB).
 */
function firstHeading(body: string): string | undefined {
  const lines = body.split(/\r\n|\n|\r/);
  // `#`s, a space or tab, and at least one more character (which may be the text or a space).
  const atxTitle = (line: string): string | undefined => {
    const rest = line.replace(/^[ \t]{0,3}#{1,6}/, '');
    return rest !== line && (rest[0] === ' ' || rest[0] === '\t') && rest.length >= 2 ? rest : undefined;
  };
  const atx = lines.find((line) => atxTitle(line) !== undefined);
  if (atx !== undefined) {
    const title = atxTitle(atx)!;
    let end = title.length;
    while (end > 0 && (title[end - 1] === ' ' || title[end - 1] === '\t' || title[end - 1] === '#')) end--;
    // `# ##` is a heading whose text is `#`: a closing sequence needs a space before it.
    const text = (end > 0 ? title.slice(0, end) : title.trimStart().slice(0, 1)).trim();
    if (text) return text;
  }
  let offset = 0;
  for (let i = 0; i + 1 < lines.length; i++) {
    offset += lines[i].length;
    // A setext underline must follow a line feed (`\n` or `\r\n`), not a lone `\r`.
    const breakIsLf = body[offset] === '\n' || body.startsWith('\r\n', offset);
    offset += body.startsWith('\r\n', offset) ? 2 : 1;
    if (breakIsLf && /\S/.test(lines[i]) && /^[ \t]{0,3}=+[ \t]*$/.test(lines[i + 1])) return lines[i].trim();
  }
  return undefined;
}

// ---------------------------------------------------------------- specific fixes

/**
 * Fixes for an invalid date, safest first: the date repaired when it was only written oddly;
 * the nearest valid date in the same year and month (a typo rarely moves a post by years);
 * the day the file was created; today. A post's date is when it was written, so a fix never
 * silently moves an old post to today: only an empty date prefers today.
 */
function fixDate(text: string, parsed: ParsedFrontmatter, p: Problem, ctx: FixContext): Fix[] {
  const f = getField(parsed, 'date');
  if (!f) return [];
  const fixes: Fix[] = [];
  const raw = typeof f.value.value === 'string' ? f.value.value : f.value.value === null ? '' : String(f.value.value);
  const style = ctx.dateStyle ?? 'date';
  const parts = repairDateText(raw);
  if (parts) {
    const fixed = formatDateParts(parts, ctx.dateStyle ?? (parts.hasTime ? 'datetime-space' : 'date'));
    fixes.push({
      title: `Change date to ${fixed}`,
      edits: [dateEdit(text, f.value, f.keyEnd, fixed, parsed.language)],
      isPreferred: true,
      code: p.code,
    });
  }
  const nearest = parts ? undefined : nearestValidDate(raw);
  if (nearest) {
    // Only the day was wrong: written as it was, a date stays a date.
    const fixed = formatDateParts(nearest, nearest.hasTime ? (ctx.dateStyle ?? 'datetime-space') : 'date');
    fixes.push({
      title: `Change date to ${fixed} (the nearest valid date)`,
      edits: [dateEdit(text, f.value, f.keyEnd, fixed, parsed.language)],
      isPreferred: true,
      code: p.code,
    });
  }
  const now = ctx.now ?? new Date();
  const today = formatDate(now, style);
  const offered = new Set(fixes.map((x) => x.edits[0].newText));
  const created = ctx.fileCreated;
  // A file created today is just "today", below.
  if (created && !Number.isNaN(created.getTime()) && formatDate(created, 'date') !== formatDate(now, 'date')) {
    const edit = dateEdit(text, f.value, f.keyEnd, formatDate(created, style), parsed.language);
    if (!offered.has(edit.newText)) {
      const when = formatDate(created, style);
      fixes.push({ title: `Set date to when the file was created (${when})`, edits: [edit], isPreferred: false, code: p.code });
    }
  }
  const edit = dateEdit(text, f.value, f.keyEnd, today, parsed.language);
  if (!fixes.some((x) => x.edits[0].newText === edit.newText)) {
    fixes.push({ title: `Set date to today (${today})`, edits: [edit], isPreferred: !parts && !nearest && !raw.trim(), code: p.code });
  }
  return fixes;
}

function dateEdit(text: string, node: ValueNode, keyEnd: number, date: string, lang: FrontmatterLanguage | undefined): TextEdit {
  if (node.end > node.start) {
    const newText = node.quote ? `${node.quote}${date}${node.quote}` : dateValue(date, lang);
    return { start: node.start, end: node.end, newText };
  }
  const edit = replaceValue(text, node, keyEnd, date, lang);
  return { ...edit, newText: edit.newText.replace(JSON.stringify(date), dateValue(date, lang)) };
}

function tagItem(parsed: ParsedFrontmatter, p: Problem): ValueNode | undefined {
  const f = getField(parsed, 'tags');
  const index = p.data?.index;
  return index !== undefined ? f?.items?.[index] : undefined;
}

/** Removes list item `index` (> 0): its whole line in a YAML block list, else it and the comma before it. */
function removeItem(text: string, items: readonly ValueNode[], index: number, flow: boolean): TextEdit {
  const item = items[index];
  if (!flow) {
    const lineStart = text.lastIndexOf('\n', item.start - 1) + 1;
    if (/^[ \t]*-[ \t]*$/.test(text.slice(lineStart, item.start))) {
      const lf = text.indexOf('\n', item.end);
      return { start: lineStart, end: lf < 0 ? text.length : lf + 1, newText: '' };
    }
  }
  return { start: items[index - 1].end, end: item.end, newText: '' };
}

/** A file name without folder and extension, lower case. */
function stemOf(file: string): string {
  return (file.replace(/\\/g, '/').split('/').pop() ?? '').toLowerCase().replace(/\.[a-z0-9]+$/, '');
}

/**
 * Whether an existing image is plausibly the one a missing path meant: a name
 * within a small edit distance, or the same stem (`hero` and `hero-large`).
 */
function closeImage(missing: string, file: string, similarity: number): boolean {
  if (similarity >= 0.5) return true;
  const a = stemOf(missing),
    b = stemOf(file);
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 3 && long.startsWith(short) && /^[-_.@ ]/.test(long.slice(short.length));
}

function fixImage(parsed: ParsedFrontmatter, p: Problem, ctx: FixContext): Fix[] {
  const f = getField(parsed, 'image');
  if (!f || typeof f.value.value !== 'string' || !ctx.imageFiles?.length) return [];
  const original = f.value.value;
  // Only close names: an unrelated image (say, the only one in the workspace) is no fix.
  const close = closestImages(original, ctx.imageFiles, ctx.imageFiles.length)
    .filter((m) => closeImage(original, m.file, m.similarity))
    .slice(0, 3);
  return close.map((m, i) => {
    const value = imageValueFor(m.file, original, ctx);
    return {
      title: `Change image to ${value}`,
      edits: [replaceScalar(f.value, value, parsed.language)],
      // Only a close match is obvious enough to be the preferred fix.
      isPreferred: i === 0 && m.similarity >= 0.5,
      code: p.code,
    };
  });
}
