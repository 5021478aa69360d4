import { parseFrontmatter, type ParseError } from '../frontmatter/parse';
import type { FrontmatterLanguage } from '../frontmatter/split';

/** The frontmatter block at the top of a post, located and parsed for rendering. */
export interface FrontmatterBlock {
  /** `yaml` for `---` fences, `toml` for `+++` fences, `json` for a leading object. */
  readonly format: FrontmatterLanguage;
  /** Parsed data; empty when the block has an error (what a broken block yields would mislead). */
  readonly data: Readonly<Record<string, unknown>>;
  /** What is wrong with the block, in words for the writer, with its line; undefined when it parsed. */
  readonly error?: string;
  /** Number of lines the block spans, fences included (the body starts on this line, 0-based). */
  readonly lineCount: number;
  /** Offset in the text where the body starts. */
  readonly bodyOffset: number;
}

/**
 * Finds and parses the frontmatter at the start of `text` for the previews. It is
 * the validator's parse (`core/frontmatter/parse.ts`), so the previews get the same
 * bounds on hostile input (linear time in the block's size, limited nesting and
 * alias expansion) and report the same problem, at the same line, as the Problems
 * panel. An unterminated fence is treated as no frontmatter, the way site
 * generators do.
 */
export function splitFrontmatter(text: string): FrontmatterBlock | undefined {
  const parsed = parseFrontmatter(text);
  const block = parsed.block;
  if (!block?.terminated || !parsed.language) return undefined;
  const first = parsed.errors[0];
  return {
    format: parsed.language,
    data: first ? {} : parsed.data,
    error: first ? describeError(text, first) : undefined,
    lineCount: lineOf(text, block.closeEnd) + 1,
    bodyOffset: block.bodyStart,
  };
}

/** "Line 3: …", the line numbered as the editor numbers it. */
function describeError(text: string, error: ParseError): string {
  return `Line ${lineOf(text, error.start) + 1}: ${error.message}`;
}

/** 0-based line of an offset. */
function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Replaces the frontmatter with as many empty lines as it spans, so that Markdown
 * parsed from the result reports the same line numbers as the editor (scroll sync).
 */
export function blankFrontmatter(text: string, block: FrontmatterBlock | undefined): string {
  if (!block) return text;
  return '\n'.repeat(block.lineCount) + text.slice(block.bodyOffset);
}
