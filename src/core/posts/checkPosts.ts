import type { CustomSchema } from '../frontmatter/customSchema';
import { parseFrontmatter, ParsedFrontmatter } from '../frontmatter/parse';
import { DEFAULT_SEVERITY, Problem, ProblemCode, SeverityOverride } from '../frontmatter/problemCodes';
import { DEFAULT_MAX_FILE_SIZE_KB, fileTooLarge, validateParsed, ValidateOptions } from '../frontmatter/validate';
import { PostIndex } from './postIndex';
import { summarize } from './summary';

/** A post to check: its id (path), text, and facts the reader found. */
export interface PostSource {
  /** Absolute path with forward slashes; also the index id. */
  path: string;
  /**
   * The text without a byte order mark (as an editor shows it). Readers may
   * drop the body: the checks only look at the frontmatter (or the first line).
   */
  text: string;
  /** The bytes were not valid UTF-8 (the text has replacement characters). */
  invalidUtf8?: boolean;
  /** Size in bytes when the reader skipped a file over the limit (text is then ''). */
  skippedSize?: number;
}

/** Settings of a whole-site check; the same meaning as the editor's settings. */
export interface CheckSettings {
  siteRoot?: string;
  staticFolders?: readonly string[];
  fileExists?: (absolutePath: string) => boolean;
  flagUnknownKeys?: boolean;
  maxFileSizeKB?: number;
  customSchema?: CustomSchema;
  schemaMode?: 'extend' | 'replace';
  severity?: Readonly<Record<string, SeverityOverride>>;
  /** Adjusts the options of one post (site generator conventions, which depend on the post's path). */
  perPost?: (path: string, options: ValidateOptions) => ValidateOptions;
}

/** The problems of one post. */
export interface PostCheck {
  path: string;
  text: string;
  problems: Problem[];
}

/**
 * Checks a set of posts as the editor does: first indexes them all (tag
 * spellings are judged against the whole site), then validates each one.
 * Each post is parsed once. With `report`, only the posts it accepts are
 * validated; the others still count for tag spellings and date styles.
 */
export function checkPosts(sources: readonly PostSource[], settings: CheckSettings = {}, report?: (path: string) => boolean): PostCheck[] {
  const index = new PostIndex();
  const parsed: Array<ParsedFrontmatter | undefined> = [];
  index.transaction(() => {
    for (const s of sources) {
      const p = s.skippedSize === undefined ? parseFrontmatter(s.text) : undefined;
      parsed.push(p);
      if (p) index.upsertSummary(summarize(s.path, p));
    }
  });
  const maxKB = settings.maxFileSizeKB ?? DEFAULT_MAX_FILE_SIZE_KB;
  const out: PostCheck[] = [];
  sources.forEach((s, i) => {
    if (report && !report(s.path)) return;
    const { perPost, ...rest } = settings;
    const base: ValidateOptions = { ...rest, postPath: s.path, postId: s.path, tags: index, maxFileSizeKB: maxKB };
    const options = perPost ? perPost(s.path, base) : base;
    let problems: Problem[];
    if (s.skippedSize !== undefined || s.text.length > maxKB * 1024) {
      problems = fileTooLarge(options);
    } else {
      problems = validateParsed(parsed[i]!, s.text, options);
    }
    if (s.invalidUtf8) {
      const o = settings.severity?.[ProblemCode.InvalidEncoding];
      if (o !== 'off') {
        problems.unshift({
          code: ProblemCode.InvalidEncoding,
          severity: o ?? DEFAULT_SEVERITY[ProblemCode.InvalidEncoding],
          start: 0,
          end: 0,
          message: 'The file is not valid UTF-8; invalid bytes were read as \uFFFD. Save it as UTF-8.',
        });
      }
    }
    out.push({ path: s.path, text: s.text, problems });
  });
  return out;
}
