import type { CustomSchema } from './customSchema';
import { isValidDateText } from './dates';
import { imageCandidatesFor, ImageLocation, isRemoteImage } from './images';
import { FieldNode, getField, parseFrontmatter, ParsedFrontmatter, ValueNode } from './parse';
import { applySeverityOverrides, DEFAULT_SEVERITY, Problem, ProblemCode, ProblemData, SeverityOverride } from './problemCodes';
import { DEFAULT_FIELDS, DESCRIPTION_MAX, DESCRIPTION_MIN, TITLE_MAX } from './schema';
import { tagKey } from './tags';

/** Where the validator learns how the rest of the workspace spells tags (the post index). */
export interface TagSpellingSource {
  /** The spelling other posts prefer for `tag`, when it differs; undefined when `tag` is fine. */
  preferredSpelling(tag: string, exceptId?: string): string | undefined;
}

/** Everything a validation needs besides the text; all optional. */
export interface ValidateOptions extends ImageLocation {
  /** The post's id in the tag source, so its own tags do not count as "elsewhere". */
  postId?: string;
  /** Checks that a file exists (image paths); without it image paths are not checked. */
  fileExists?: (absolutePath: string) => boolean;
  tags?: TagSpellingSource;
  /** Report keys the schema does not define (`inkwell.validation.flagUnknownKeys`). */
  flagUnknownKeys?: boolean;
  /** Larger texts are skipped with a note (`inkwell.validation.maxFileSizeKB`). */
  maxFileSizeKB?: number;
  customSchema?: CustomSchema;
  /** `extend` (default): default rules plus the custom schema; `replace`: the custom schema only. */
  schemaMode?: 'extend' | 'replace';
  /** `inkwell.validation.severity`. */
  severity?: Readonly<Record<string, SeverityOverride>>;
  /** The site generator's conventions (src/core/site), when one is known. */
  site?: SiteHooks;
}

/**
 * What a site generator adds to validation: its fields' schema (checked like a
 * custom schema, labelled with its name; its fields are the known keys) and
 * checks of its own, which may also amend the problems found before them.
 */
export interface SiteHooks {
  /** Name in messages, e.g. `Hugo`. */
  readonly label: string;
  readonly schema?: CustomSchema;
  check(parsed: ParsedFrontmatter, text: string, problems: Problem[], options: ValidateOptions): void;
}

/** Default of `inkwell.validation.maxFileSizeKB`. */
export const DEFAULT_MAX_FILE_SIZE_KB = 2048;

/** Validates a post's frontmatter. Never throws; problems are sorted by position. */
export function validatePost(text: string, options: ValidateOptions = {}): Problem[] {
  const limit = (options.maxFileSizeKB ?? DEFAULT_MAX_FILE_SIZE_KB) * 1024;
  if (text.length > limit) return fileTooLarge(options);
  return validateParsed(parseFrontmatter(text), text, options);
}

/** The note for a file skipped because it is over `maxFileSizeKB` (honours severity overrides). */
export function fileTooLarge(options: ValidateOptions = {}): Problem[] {
  const kb = options.maxFileSizeKB ?? DEFAULT_MAX_FILE_SIZE_KB;
  return finish(
    [problem(ProblemCode.FileTooLarge, `Skipped: the file is larger than ${kb} KB (inkwell.validation.maxFileSizeKB).`, 0, 0)],
    options,
  );
}

/** Validates an already parsed post (the CLI and index parse once and reuse the result). */
export function validateParsed(parsed: ParsedFrontmatter, text: string, options: ValidateOptions = {}): Problem[] {
  try {
    return finish(collect(parsed, text, options), options);
  } catch (err) {
    // Defensive: a validator bug must show up as a problem, not as a broken editor.
    const at = parsed.block?.start ?? 0;
    return [
      problem(
        ProblemCode.FrontmatterSyntax,
        `Inkwell could not check this frontmatter: ${err instanceof Error ? err.message : String(err)}`,
        at,
        at,
      ),
    ];
  }
}

function finish(problems: Problem[], options: ValidateOptions): Problem[] {
  return applySeverityOverrides(problems, options.severity).sort((a, b) => a.start - b.start || a.end - b.end);
}

function problem(code: ProblemCode, message: string, start: number, end: number, data?: ProblemData): Problem {
  return data
    ? { code, message, severity: DEFAULT_SEVERITY[code], start, end, data }
    : { code, message, severity: DEFAULT_SEVERITY[code], start, end };
}

function collect(parsed: ParsedFrontmatter, text: string, options: ValidateOptions): Problem[] {
  const out: Problem[] = [];
  const block = parsed.block;
  if (!block) {
    const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    const lf = text.indexOf('\n', start);
    const end = lf < 0 ? text.length : lf > start && text[lf - 1] === '\r' ? lf - 1 : lf;
    out.push(
      problem(
        ProblemCode.FrontmatterMissing,
        'This post has no frontmatter: add a --- block with at least a title and a date.',
        start,
        Math.min(end, start + 200),
      ),
    );
    return out;
  }
  for (const e of parsed.errors)
    out.push(
      e.related ? { ...problem(e.code, e.message, e.start, e.end), related: e.related } : problem(e.code, e.message, e.start, e.end),
    );
  // Fields read from a broken block would give misleading "missing" reports: syntax first.
  if (parsed.errors.length) return out;

  const fence: [number, number] = [block.start, block.openEnd];
  const useDefaults = !(options.customSchema && options.schemaMode === 'replace');
  if (useDefaults) {
    checkDate(parsed, fence, out);
    checkTitle(parsed, fence, out);
    checkDescription(parsed, fence, out);
    checkTags(parsed, options, out);
    checkImage(parsed, options, out);
    checkDraft(parsed, out);
  }
  if (options.customSchema) checkCustom(parsed, options.customSchema, fence, out);
  const site = options.site;
  if (site?.schema) checkCustom(parsed, site.schema, fence, out, site.label);
  // With a site generator, its fields are the known ones.
  const known = new Set<string>(
    site?.schema ? site.schema.fields.map((f) => f.name) : useDefaults ? DEFAULT_FIELDS.map((f) => f.name) : [],
  );
  for (const f of options.customSchema?.fields ?? []) known.add(f.name);
  const who = site?.schema ? site.label : 'the schema';
  for (const f of parsed.fields) {
    if (known.has(f.key)) continue;
    // A likely typo of a known field is worth a word even where unknown fields are allowed.
    const meant = likelyTypoOf(f.key, known);
    if (meant) {
      out.push(
        problem(ProblemCode.KeyTypo, `Unknown field "${f.key}": did you mean "${meant}"?`, f.keyStart, f.keyEnd, {
          field: f.key,
          suggestion: meant,
        }),
      );
    } else if (options.flagUnknownKeys) {
      out.push(
        problem(
          ProblemCode.UnknownKey,
          `Unknown field "${f.key}": ${who} does not define it. Check the spelling, or add it to the schema.`,
          f.keyStart,
          f.keyEnd,
          { field: f.key },
        ),
      );
    }
  }
  site?.check(parsed, text, out, options);
  return out;
}

/** The span to underline for a field's value; the key when the value is empty. */
function valueSpan(f: FieldNode): [number, number] {
  return f.value.end > f.value.start ? [f.value.start, f.value.end] : [f.keyStart, f.keyEnd];
}

function describeKind(v: ValueNode): string {
  switch (v.kind) {
    case 'list':
      return 'a list';
    case 'map':
      return 'a set of fields';
    case 'number':
      return `the number ${String(v.value)}`;
    case 'boolean':
      return `the value ${String(v.value)}`;
    case 'null':
      return 'nothing';
    default:
      return `"${String(v.value)}"`;
  }
}

function checkDate(parsed: ParsedFrontmatter, fence: [number, number], out: Problem[]): void {
  const f = getField(parsed, 'date');
  if (!f) {
    out.push(
      problem(ProblemCode.DateMissing, 'Missing required field "date": add the publication date, e.g. date: 2023-05-08.', ...fence, {
        field: 'date',
      }),
    );
    return;
  }
  const v = f.value;
  if (v.kind === 'date') return;
  if (v.kind === 'string' && isValidDateText(v.value as string)) return;
  const [s, e] = valueSpan(f);
  const what = v.kind === 'null' || (v.kind === 'string' && !(v.value as string).trim()) ? 'empty' : describeKind(v);
  out.push(
    problem(
      ProblemCode.DateInvalid,
      `Invalid date (${what}): expected a YAML timestamp or ISO 8601 date such as 2023-05-08 or 2023-05-08T09:30:00Z.`,
      s,
      e,
      { field: 'date' },
    ),
  );
}

function checkTitle(parsed: ParsedFrontmatter, fence: [number, number], out: Problem[]): void {
  const f = getField(parsed, 'title');
  if (!f) {
    out.push(problem(ProblemCode.TitleMissing, 'Missing required field "title": add the post\'s title.', ...fence, { field: 'title' }));
    return;
  }
  const v = f.value;
  const [s, e] = valueSpan(f);
  if (v.kind === 'list' || v.kind === 'map') {
    out.push(problem(ProblemCode.FieldType, `"title" must be text, but it is ${describeKind(v)}.`, s, e, { field: 'title' }));
    return;
  }
  const title = v.kind === 'null' ? '' : String(v.value);
  if (!title.trim()) {
    out.push(problem(ProblemCode.TitleEmpty, "The title is empty: write the post's title.", s, e, { field: 'title' }));
  } else if ([...title].length > TITLE_MAX) {
    out.push(
      problem(
        ProblemCode.TitleTooLong,
        `The title is ${[...title].length} characters long; search results cut titles after about ${TITLE_MAX}.`,
        s,
        e,
        { field: 'title' },
      ),
    );
  }
}

function checkDescription(parsed: ParsedFrontmatter, fence: [number, number], out: Problem[]): void {
  const f = getField(parsed, 'description');
  if (!f) {
    out.push(
      problem(
        ProblemCode.DescriptionMissing,
        `Missing "description": add a ${DESCRIPTION_MIN}–${DESCRIPTION_MAX} character summary for listings and search results.`,
        ...fence,
        { field: 'description' },
      ),
    );
    return;
  }
  const v = f.value;
  const [s, e] = valueSpan(f);
  if (v.kind === 'list' || v.kind === 'map') {
    out.push(problem(ProblemCode.FieldType, `"description" must be text, but it is ${describeKind(v)}.`, s, e, { field: 'description' }));
    return;
  }
  const length = v.kind === 'null' ? 0 : [...String(v.value).trim()].length;
  if (length < DESCRIPTION_MIN) {
    out.push(
      problem(
        ProblemCode.DescriptionTooShort,
        `The description is ${length === 0 ? 'empty' : `${length} characters long`}; write ${DESCRIPTION_MIN}–${DESCRIPTION_MAX} characters so search results show a useful summary.`,
        s,
        e,
        { field: 'description' },
      ),
    );
  } else if (length > DESCRIPTION_MAX) {
    out.push(
      problem(
        ProblemCode.DescriptionTooLong,
        `The description is ${length} characters long; search results cut it after about ${DESCRIPTION_MAX}.`,
        s,
        e,
        { field: 'description' },
      ),
    );
  }
}

function checkTags(parsed: ParsedFrontmatter, options: ValidateOptions, out: Problem[]): void {
  const f = getField(parsed, 'tags');
  if (!f || f.value.kind === 'null') return;
  const [s, e] = valueSpan(f);
  if (f.value.kind !== 'list') {
    out.push(
      problem(ProblemCode.TagsNotList, `"tags" must be a list, e.g. tags: [one, two]; it is ${describeKind(f.value)}.`, s, e, {
        field: 'tags',
      }),
    );
    return;
  }
  const values = f.value.value as unknown[];
  // Aliased lists have no item spans: point at the whole value instead.
  const items: ValueNode[] =
    f.items ?? values.map((value) => ({ value, kind: typeof value === 'string' ? 'string' : 'other', start: s, end: e, quote: '' }));
  const seen = new Map<string, string>();
  items.forEach((item, index) => {
    const tag = item.value;
    if (typeof tag !== 'string') {
      out.push(
        problem(
          ProblemCode.TagNotString,
          `Tags must be text; ${describeKind(item)} is not. Put it in quotes if it is meant as a tag.`,
          item.start,
          item.end,
          { field: 'tags', index },
        ),
      );
      return;
    }
    const key = tagKey(tag);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      const message =
        earlier === tag
          ? `Duplicate tag "${tag}": it is already in this list.`
          : `Duplicate tag "${tag}": it is the same tag as "${earlier}" in this list.`;
      out.push(problem(ProblemCode.TagDuplicate, message, item.start, item.end, { field: 'tags', index }));
      return;
    }
    seen.set(key, tag);
    const preferred = options.tags?.preferredSpelling(tag, options.postId);
    if (preferred !== undefined && preferred !== tag) {
      out.push(
        problem(
          ProblemCode.TagVariant,
          `Tag "${tag}" is spelled "${preferred}" in other posts; two spellings make two tag pages.`,
          item.start,
          item.end,
          { field: 'tags', index, suggestion: preferred },
        ),
      );
    }
  });
}

function checkImage(parsed: ParsedFrontmatter, options: ValidateOptions, out: Problem[]): void {
  const f = getField(parsed, 'image');
  if (!f || f.value.kind === 'null') return;
  const [s, e] = valueSpan(f);
  if (f.value.kind !== 'string') {
    out.push(
      problem(ProblemCode.ImageNotString, `"image" must be a path such as /uploads/hero.png; it is ${describeKind(f.value)}.`, s, e, {
        field: 'image',
      }),
    );
    return;
  }
  const value = f.value.value as string;
  if (!value.trim() || isRemoteImage(value) || !options.fileExists) return;
  const candidates = imageCandidatesFor(value, options);
  if (!candidates.length) return;
  if (candidates.some((c) => safeExists(options.fileExists!, c))) return;
  const where = value.trim().startsWith('/')
    ? `in the static folders (${(options.staticFolders?.length ? options.staticFolders : ['.']).join(', ')})`
    : 'next to the post';
  out.push(problem(ProblemCode.ImageNotFound, `Image not found: "${value}" does not exist ${where}.`, s, e, { field: 'image' }));
}

function safeExists(exists: (p: string) => boolean, p: string): boolean {
  try {
    return exists(p);
  } catch {
    return false;
  }
}

function checkDraft(parsed: ParsedFrontmatter, out: Problem[]): void {
  const f = getField(parsed, 'draft');
  if (!f || f.value.kind === 'boolean') return;
  const [s, e] = valueSpan(f);
  const hint =
    typeof f.value.value === 'string' && /^(true|false)$/i.test(f.value.value.trim())
      ? ` Write ${f.value.value.trim().toLowerCase()} without quotes.`
      : '';
  out.push(
    problem(ProblemCode.DraftNotBoolean, `"draft" must be true or false; it is ${describeKind(f.value)}.${hint}`, s, e, { field: 'draft' }),
  );
}

function checkCustom(
  parsed: ParsedFrontmatter,
  schema: CustomSchema,
  fence: [number, number],
  out: Problem[],
  label = 'custom schema',
): void {
  for (const issue of schema.validate(parsed.data)) {
    const [key, index] = issue.path;
    const field = typeof key === 'string' ? getField(parsed, key) : undefined;
    if (issue.missingProperty && issue.path.length === 0) {
      // The default rules already report missing date/title with a fix.
      if (
        out.some(
          (p) => p.data?.field === issue.missingProperty && (p.code === ProblemCode.DateMissing || p.code === ProblemCode.TitleMissing),
        )
      )
        continue;
      out.push(
        problem(ProblemCode.SchemaViolation, `Missing required field "${issue.missingProperty}" (${label}).`, ...fence, {
          field: issue.missingProperty,
        }),
      );
      continue;
    }
    if (issue.additionalProperty && issue.path.length === 0) {
      const extra = getField(parsed, issue.additionalProperty);
      const [s, e] = extra ? [extra.keyStart, extra.keyEnd] : fence;
      out.push(
        problem(ProblemCode.SchemaViolation, `Field "${issue.additionalProperty}" is not allowed by the ${label}.`, s, e, {
          field: issue.additionalProperty,
        }),
      );
      continue;
    }
    let span: [number, number] = fence;
    if (field) {
      span = valueSpan(field);
      if (typeof index === 'number' && field.items?.[index]) span = [field.items[index].start, field.items[index].end];
    }
    const where = issue.path.length ? `"${issue.path.join('.')}"` : 'The frontmatter';
    out.push(
      problem(
        ProblemCode.SchemaViolation,
        `${where} ${issue.message} (${label}).`,
        span[0],
        span[1],
        field ? { field: field.key } : undefined,
      ),
    );
  }
}

/**
 * The known field `key` is most likely a misspelling of: one edit away (two for keys of seven
 * letters or more), counting a swap of two neighbouring letters as one edit (`tgas`, `titel`).
 * Not for a case-only difference (generators such as Hugo ignore case), the singular or plural
 * of a known field (often a theme's own field, as `author` beside `authors`), or keys shorter
 * than three letters. Undefined when none is that close, or several are equally close.
 */
export function likelyTypoOf(key: string, known: ReadonlySet<string>): string | undefined {
  const k = key.toLowerCase();
  if (k.length < 3 || k.length > 40) return undefined;
  const limit = k.length >= 7 ? 2 : 1;
  let best: string | undefined;
  let bestDistance = limit + 1;
  let ties = 0;
  for (const name of known) {
    const n = name.toLowerCase();
    if (n === k) return undefined;
    if (n + 's' === k || k + 's' === n || n + 'es' === k || k + 'es' === n) continue;
    if (Math.abs(n.length - k.length) > limit) continue;
    const d = swapDistance(k, n, limit);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
      ties = 0;
    } else if (d === bestDistance) ties++;
  }
  return best !== undefined && ties === 0 ? best : undefined;
}

/**
 * Edit distance where inserting, deleting or replacing a character, or swapping two
 * neighbours, is one edit (optimal string alignment), stopping early past `limit`. By hand:
 * the Levenshtein packages in node_modules count a swap as two edits, and keys are short.
 */
function swapDistance(a: string, b: string, limit: number): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let smallest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      row[j] = d;
      smallest = Math.min(smallest, d);
    }
    if (smallest > limit) return limit + 1;
    rows.push(row);
  }
  return rows[a.length][b.length];
}
