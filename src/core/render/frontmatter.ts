import { parse as parseYaml } from 'yaml';
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };

// smol-toml ships CommonJS for require() but only ESM typings; load the CJS build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml } = require('smol-toml') as typeof SmolToml;

/** The frontmatter block at the top of a post, located and parsed. */
export interface FrontmatterBlock {
  /** `yaml` for `---` fences, `toml` for `+++` fences. */
  readonly format: 'yaml' | 'toml';
  /** Parsed data; empty when the block does not parse or is not a mapping. */
  readonly data: Readonly<Record<string, unknown>>;
  /** Why the block did not parse, in words for the writer; undefined when it parsed. */
  readonly error?: string;
  /** Number of lines the block spans, fences included (the body starts on this line, 0-based). */
  readonly lineCount: number;
  /** Offset in the text where the body starts. */
  readonly bodyOffset: number;
}

const FENCES = { '---': 'yaml', '+++': 'toml' } as const;

/**
 * Finds the frontmatter at the start of `text` (YAML between `---` lines or TOML
 * between `+++` lines) and parses it. Returns undefined when the text has none.
 * An unterminated fence is treated as no frontmatter, the way site generators do.
 */
export function splitFrontmatter(text: string): FrontmatterBlock | undefined {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fence = text.slice(start, start + 3);
  if (fence !== '---' && fence !== '+++') return undefined;
  const firstEol = text.indexOf('\n', start);
  if (firstEol < 0 || text.slice(start, firstEol).trimEnd() !== fence) return undefined;

  let lineCount = 1;
  let pos = firstEol + 1;
  while (pos <= text.length) {
    const eol = text.indexOf('\n', pos);
    const end = eol < 0 ? text.length : eol;
    lineCount++;
    if (text.slice(pos, end).trimEnd() === fence) {
      const raw = text.slice(firstEol + 1, pos);
      const bodyOffset = eol < 0 ? text.length : eol + 1;
      return { format: FENCES[fence], lineCount, bodyOffset, ...parseData(FENCES[fence], raw) };
    }
    if (eol < 0) break;
    pos = eol + 1;
  }
  return undefined;
}

function parseData(format: 'yaml' | 'toml', raw: string): { data: Record<string, unknown>; error?: string } {
  try {
    const data: unknown = format === 'yaml' ? parseYaml(raw) : parseToml(raw);
    if (data == null) return { data: {} };
    if (typeof data !== 'object' || Array.isArray(data)) return { data: {}, error: 'The frontmatter is not a list of keys and values.' };
    return { data: data as Record<string, unknown> };
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { data: {}, error: `The ${format.toUpperCase()} frontmatter does not parse: ${message}` };
  }
}

/**
 * Replaces the frontmatter with as many empty lines as it spans, so that Markdown
 * parsed from the result reports the same line numbers as the editor (scroll sync).
 */
export function blankFrontmatter(text: string, block: FrontmatterBlock | undefined): string {
  if (!block) return text;
  return '\n'.repeat(block.lineCount) + text.slice(block.bodyOffset);
}
