/**
 * YAML syntax errors in words a writer understands, pointing at the cause.
 *
 * The yaml parser reports where it noticed a problem, which is often a line after
 * the cause: an unclosed `[` is reported at the start of the next key, an unclosed
 * quote at the end of the block. These functions find the cause (the bracket or
 * quote that was opened, the indented line, the value with a colon in it) and say
 * what to do; the parser's own position and words stay available as related
 * information. Every search here is one linear pass over the frontmatter.
 */

/** The parts of yaml's `YAMLError` this module reads. */
export interface RawYamlError {
  readonly code: string;
  readonly message: string;
  readonly pos: readonly [number, number];
}

/** An explained error; offsets are relative to the frontmatter source. */
export interface ExplainedYamlError {
  readonly message: string;
  readonly start: number;
  readonly end: number;
}

/** Start of the line holding `pos`. */
function lineStart(source: string, pos: number): number {
  return source.lastIndexOf('\n', Math.max(0, pos - 1)) + 1;
}

/** End of the line holding `pos`, before its line break (and a `\r`). */
function lineEnd(source: string, pos: number): number {
  const lf = source.indexOf('\n', pos);
  let end = lf < 0 ? source.length : lf;
  if (end > pos && source[end - 1] === '\r') end--;
  return end;
}

/** `[from, to)` with trailing spaces left out (at least one character). */
function trimmed(source: string, from: number, to: number): [number, number] {
  let end = to;
  while (end > from + 1 && /\s/.test(source[end - 1])) end--;
  return [from, Math.max(end, from + 1)];
}

interface OpenThings {
  /** Offsets of the `[` / `{` still open at the position, innermost last. */
  brackets: number[];
  /** Offset of the quote still open at the position, or -1. */
  quote: number;
}

/**
 * What is open (flow brackets, a quoted scalar) at `pos`, scanning from the start.
 * Quotes are read the way YAML reads them: `"` with backslash escapes, `'` with
 * `''` for a quote, and only where a scalar starts (an apostrophe in a word is text);
 * a `#` after a space starts a comment to the end of the line.
 */
function openAt(source: string, pos: number): OpenThings {
  const brackets: number[] = [];
  let quote = -1;
  for (let i = 0; i < pos && i < source.length; i++) {
    const c = source[i];
    if (quote >= 0) {
      const q = source[quote];
      if (q === '"' && c === '\\') i++;
      else if (c === q) {
        if (q === "'" && source[i + 1] === "'") i++;
        else quote = -1;
      }
    } else if (c === '"' || c === "'") {
      const prev = source[i - 1];
      if (prev === undefined || /[\s[{,:-]/.test(prev)) quote = i;
    } else if (c === '#' && (i === 0 || /\s/.test(source[i - 1]))) {
      const eol = source.indexOf('\n', i);
      i = eol < 0 ? source.length : eol - 1;
    } else if (c === '[' || c === '{') {
      brackets.push(i);
    } else if (c === ']' || c === '}') {
      brackets.pop();
    }
  }
  return { brackets, quote };
}

/** The next line after the one holding `pos` that is not blank, as [start, end), or undefined. */
function nextLine(source: string, pos: number): [number, number] | undefined {
  let from = source.indexOf('\n', pos);
  while (from >= 0) {
    const start = from + 1;
    const end = lineEnd(source, start);
    if (source.slice(start, end).trim()) return [start, end];
    from = source.indexOf('\n', start);
  }
  return undefined;
}

/** Explains one parser error; undefined when this module has nothing better than the parser's words. */
export function explainYamlError(source: string, error: RawYamlError): ExplainedYamlError | undefined {
  const at = Math.min(error.pos[0], source.length);
  const raw = error.message;

  if (/must be sufficiently indented and end with a [\]}]/.test(raw)) {
    const open = openAt(source, at).brackets.at(-1);
    const isList = raw.includes(']');
    if (open === undefined) return undefined;
    const [start, end] = trimmed(source, open, lineEnd(source, open));
    return {
      message: isList
        ? 'This list is opened with `[` but never closed: end it with `]` on the same line, or put the value in quotes if the `[` is part of the text.'
        : 'This map is opened with `{` but never closed: end it with `}` on the same line, or put the value in quotes if the `{` is part of the text.',
      start,
      end,
    };
  }

  if (/^Missing closing ["']quote/.test(raw)) {
    const open = openAt(source, at).quote;
    if (open < 0) return undefined;
    const q = source[open];
    const [start, end] = trimmed(source, open, lineEnd(source, open));
    return {
      message: `This value opens a quote (${q}) that is never closed: add a closing ${q} at the end of the value.`,
      start,
      end,
    };
  }

  switch (error.code) {
    case 'TAB_AS_INDENT':
      return {
        message: 'This line is indented with a tab; YAML indents only with spaces. Replace the tab with spaces.',
        start: at,
        end: at + 1,
      };
    case 'BLOCK_AS_IMPLICIT_KEY':
      if (/compact mappings/.test(raw)) {
        const lineStop = lineEnd(source, at);
        const value = source.slice(at, lineStop);
        if (/:(\s|$)/.test(value)) {
          const [start, end] = trimmed(source, at, lineStop);
          return {
            message:
              'This value contains `: `, which YAML reads as the start of another key. Put the whole value in quotes, for example `title: "Hello: world"`.',
            start,
            end,
          };
        }
        const next = nextLine(source, at);
        if (next) {
          const indent = source.slice(next[0], next[1]).search(/\S/);
          return {
            message:
              'This line is indented, so YAML reads it as part of the value on the line above. Remove the spaces at its start (or, if it continues that value, put the whole value in quotes).',
            start: next[0],
            end: next[0] + Math.max(indent, 1),
          };
        }
      }
      return misaligned(source, at);
    case 'BAD_INDENT':
      return misaligned(source, at);
    case 'MULTILINE_IMPLICIT_KEY': {
      const line = source.slice(lineStart(source, at), lineEnd(source, at));
      const glued = /^\s*([^\s:#][^:]*):(\S)/.exec(line);
      if (glued && !/:\s/.test(line)) {
        const start = lineStart(source, at) + line.indexOf(':');
        return {
          message: `There is no space after the colon of \`${glued[1]}:\`, so YAML does not read it as a key. Write \`${glued[1]}: …\` with a space.`,
          start,
          end: start + 1,
        };
      }
      return misaligned(source, at);
    }
    case 'UNEXPECTED_TOKEN':
      if (/at node end/.test(raw)) {
        const [start, end] = trimmed(source, at, lineEnd(source, at));
        return {
          message:
            'Text follows the end of the value (after a closing quote or bracket). Put the whole value inside the quotes, or remove the extra text.',
          start,
          end,
        };
      }
      return undefined;
    case 'BAD_SCALAR_START': {
      const c = source[at] ?? '';
      return {
        message: `A YAML value cannot start with \`${c}\`. Put the value in quotes, for example \`"${c}…"\`.`,
        start: at,
        end: at + 1,
      };
    }
    case 'BAD_DQ_ESCAPE': {
      const escape = source.slice(at, at + 2);
      return {
        message: `\`${escape}\` is not an escape YAML knows inside double quotes. Write \`\\\\\` for a backslash, or use single quotes.`,
        start: at,
        end: Math.min(at + 2, source.length),
      };
    }
    default:
      return undefined;
  }
}

/** A line whose indentation does not line up with its neighbours. */
function misaligned(source: string, at: number): ExplainedYamlError {
  const start = lineStart(source, at);
  const end = lineEnd(source, start);
  const indent = source.slice(start, end).search(/\S/);
  return {
    message:
      'This line is not lined up with the lines around it: the keys of one map, and the `-` items of one list, start in the same column.',
    start,
    end: start + Math.max(indent, 1),
  };
}
