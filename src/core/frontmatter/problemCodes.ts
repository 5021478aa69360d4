/**
 * The one list of frontmatter problems Inkwell reports. Diagnostics carry the
 * code, quick fixes switch on it, `inkwell.validation.severity` overrides it,
 * and the CLI prints it. Values are stable, user-visible identifiers.
 */
export enum ProblemCode {
  // Structure
  FrontmatterMissing = 'frontmatter-missing',
  FrontmatterUnterminated = 'frontmatter-unterminated',
  FrontmatterSyntax = 'frontmatter-syntax',
  FrontmatterNotMapping = 'frontmatter-not-mapping',
  AliasLimit = 'alias-limit',
  FileTooLarge = 'file-too-large',
  InvalidEncoding = 'invalid-encoding',
  // Fields
  DateMissing = 'date-missing',
  DateInvalid = 'date-invalid',
  FieldType = 'field-type',
  TitleMissing = 'title-missing',
  TitleEmpty = 'title-empty',
  TitleTooLong = 'title-too-long',
  DescriptionMissing = 'description-missing',
  DescriptionTooShort = 'description-too-short',
  DescriptionTooLong = 'description-too-long',
  TagsNotList = 'tags-not-list',
  TagNotString = 'tag-not-string',
  TagDuplicate = 'tag-duplicate',
  TagVariant = 'tag-variant',
  ImageNotString = 'image-not-string',
  ImageNotFound = 'image-not-found',
  DraftNotBoolean = 'draft-not-boolean',
  UnknownKey = 'unknown-key',
  KeyTypo = 'key-typo',
  // Custom JSON Schema
  SchemaViolation = 'schema-violation',
  SchemaInvalid = 'schema-invalid',
  // Site generator conventions (src/core/site)
  PostNotBuilt = 'post-not-built',
  PostFileName = 'post-file-name',
  SiteSchemaStale = 'site-schema-stale',
}

/** How serious a problem is; `off` (settings only) drops it. */
export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** Severity names accepted in `inkwell.validation.severity`. */
export type SeverityOverride = Severity | 'off';

/** Default severity of every problem code. */
export const DEFAULT_SEVERITY: Readonly<Record<ProblemCode, Severity>> = {
  [ProblemCode.FrontmatterMissing]: 'warning',
  [ProblemCode.FrontmatterUnterminated]: 'error',
  [ProblemCode.FrontmatterSyntax]: 'error',
  [ProblemCode.FrontmatterNotMapping]: 'error',
  [ProblemCode.AliasLimit]: 'error',
  [ProblemCode.FileTooLarge]: 'information',
  [ProblemCode.InvalidEncoding]: 'error',
  [ProblemCode.DateMissing]: 'error',
  [ProblemCode.DateInvalid]: 'error',
  [ProblemCode.FieldType]: 'error',
  [ProblemCode.TitleMissing]: 'error',
  [ProblemCode.TitleEmpty]: 'error',
  [ProblemCode.TitleTooLong]: 'warning',
  [ProblemCode.DescriptionMissing]: 'warning',
  [ProblemCode.DescriptionTooShort]: 'warning',
  [ProblemCode.DescriptionTooLong]: 'warning',
  [ProblemCode.TagsNotList]: 'error',
  [ProblemCode.TagNotString]: 'error',
  [ProblemCode.TagDuplicate]: 'warning',
  [ProblemCode.TagVariant]: 'warning',
  [ProblemCode.ImageNotString]: 'error',
  [ProblemCode.ImageNotFound]: 'error',
  [ProblemCode.DraftNotBoolean]: 'error',
  [ProblemCode.UnknownKey]: 'warning',
  [ProblemCode.KeyTypo]: 'warning',
  [ProblemCode.SchemaViolation]: 'error',
  [ProblemCode.SchemaInvalid]: 'error',
  [ProblemCode.PostNotBuilt]: 'warning',
  [ProblemCode.PostFileName]: 'error',
  [ProblemCode.SiteSchemaStale]: 'warning',
};

const ALL_CODES = new Set<string>(Object.values(ProblemCode));

/** True when `value` is one of Inkwell's problem codes. */
export function isProblemCode(value: unknown): value is ProblemCode {
  return typeof value === 'string' && ALL_CODES.has(value);
}

/** A problem found in a post: what, where (UTF-16 offsets into the text), how bad. */
export interface Problem {
  code: ProblemCode;
  message: string;
  severity: Severity;
  /** Offset of the first character of the offending text. */
  start: number;
  /** Offset just past the offending text (equal to `start` for a point). */
  end: number;
  /** Extra facts quick fixes use (the suggested tag spelling, the field name...). */
  data?: ProblemData;
  /** Another place that explains the problem (where a parser noticed it), as offsets. */
  related?: { message: string; start: number; end: number };
}

/** Facts a validator attaches to a problem for the quick fixes. */
export interface ProblemData {
  /** The frontmatter field the problem is about. */
  field?: string;
  /** For `tag-variant`: the spelling the workspace uses; for `key-typo`: the field meant. */
  suggestion?: string;
  /** For `tag-duplicate`: index of the duplicate item in the list. */
  index?: number;
}

/**
 * Applies `inkwell.validation.severity` overrides: replaces severities and
 * drops problems set to `off`. Unknown codes in the overrides are ignored.
 */
export function applySeverityOverrides(problems: Problem[], overrides: Readonly<Record<string, SeverityOverride>> | undefined): Problem[] {
  if (!overrides || Object.keys(overrides).length === 0) return problems;
  const out: Problem[] = [];
  for (const p of problems) {
    const o = overrides[p.code];
    if (o === 'off') continue;
    out.push(o === 'error' || o === 'warning' || o === 'information' || o === 'hint' ? { ...p, severity: o } : p);
  }
  return out;
}
