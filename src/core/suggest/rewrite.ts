/**
 * Rewrite Selection and Summarize, as plain text work: which selections can be rewritten, how a
 * model's answer becomes the text that replaces the selection, and where a TL;DR goes in a post.
 * The prompts are in prompts.ts; the editor (src/features/text/rewrite.ts) streams the answer into a
 * diff and applies it on Accept.
 */
import { bomLength, detectEol, splitFrontmatter } from '../frontmatter/split';
import { MAX_REWRITE_CHARS } from './prompts';
import { charLength } from './plainText';

/** Why a selection cannot be rewritten. */
export type SelectionProblem = 'empty' | 'frontmatter' | 'too-long';

/** Where the body of `text` starts: after the frontmatter (a post without one: after a byte order mark). */
export function bodyStart(text: string): number {
  const block = splitFrontmatter(text);
  if (!block) return bomLength(text);
  return block.terminated ? block.bodyStart : text.length;
}

/**
 * What stops the selection `start`–`end` of `text` from being rewritten, or undefined: it must
 * hold more than white space, lie in the body (the frontmatter has its own commands), and fit
 * the prompt ({@link MAX_REWRITE_CHARS}).
 */
export function selectionProblem(text: string, start: number, end: number): SelectionProblem | undefined {
  const selected = text.slice(start, end);
  if (!selected.trim()) return 'empty';
  if (start < bodyStart(text)) return 'frontmatter';
  if (selected.length > MAX_REWRITE_CHARS && charLength(selected) > MAX_REWRITE_CHARS) return 'too-long';
  return undefined;
}

/** A first line that only announces the answer ("Here is the rewritten text:", "Sure!", "Revised version:"). */
const PREAMBLE =
  /^(?:(?:sure|certainly|of course)\b[^\n]*|here(?:'s| is| are)\b[^\n]*:|(?:the )?(?:rewritten|revised|corrected|edited|improved|shorter|clearer|friendlier)(?: version| text| passage)?\s*:?)\s*\n/iu;
/** The whole answer in one fenced code block. */
const FENCED = /^(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n?\1\s*$/u;
/** Quote pairs a model may put around its whole answer. */
const QUOTE_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['"', '"'],
  ['“', '”'],
  ['«', '»'],
  ["'", "'"],
];

/**
 * A model's answer (whole or streamed so far) as the text that replaces `original`: control
 * characters, the announcing first line, a code fence or quotes around the whole answer taken off, the
 * selection's own leading and trailing white space kept, line breaks in the post's style.
 */
export function rewriteAnswer(answer: string, original: string): string {
  let text = withoutControls(answer.replace(/\r\n?/g, '\n')).trim();
  const core = original.trim();
  const preamble = PREAMBLE.exec(text);
  // A first line is an announcement only where the selection does not start the same way ("Sure enough, …").
  const ownStart = preamble && core.slice(0, 12).toLocaleLowerCase() === text.slice(0, 12).toLocaleLowerCase();
  if (preamble && !ownStart && text.length > preamble[0].length) text = text.slice(preamble[0].length).trimStart();
  const fenced = FENCED.exec(text);
  if (fenced && !original.trimStart().startsWith(fenced[1])) text = fenced[2].trim();
  for (const [open, close] of QUOTE_PAIRS) {
    if (text.length > 1 && text.startsWith(open) && text.endsWith(close) && !core.startsWith(open)) {
      text = text.slice(open.length, -close.length).trim();
      break;
    }
  }
  const lead = /^\s*/u.exec(original)?.[0] ?? '';
  const trail = /\s*$/u.exec(original)?.[0] ?? '';
  return withEol(lead + text + trail, detectEol(original));
}

/** The bold label a TL;DR paragraph starts with. */
export const TLDR_LABEL = '**TL;DR:**';

/** A label the model may put first ("TL;DR:", "Summary:"), with its Markdown emphasis. */
const SUMMARY_LABEL = /^[*_#>\s]*(?:tl;?\s?dr|summary|in short)\s*[*_]*\s*[:：-]\s*[*_]*\s*/iu;

/** A model's summary (whole or streamed so far) as one paragraph of plain sentences, without a label of its own. */
export function summaryAnswer(answer: string): string {
  return withoutControls(answer)
    .replace(SUMMARY_LABEL, '')
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim().replace(/^(?:[-*•+]\s+|\d{1,2}[.)]\s+)/u, ''))
    .filter(Boolean)
    .join(' ')
    .trim();
}

/** Where Summarize puts the TL;DR. */
export type SummaryPlace = 'top' | 'cursor' | 'end';

/** An insertion into a post: `text` at `offset`. */
export interface Insertion {
  offset: number;
  text: string;
}

/**
 * The TL;DR paragraph for `summary`, and where it goes in `text`: at the top of the body (after a
 * first `# heading`), after the paragraph holding `cursor` (a cursor in the frontmatter: the
 * top), or at the end. Blank lines around it make it a paragraph of its own. A streamed summary
 * finds the place once ({@link summaryOffset}) and pads each version of it ({@link tldrParagraph}).
 */
export function summaryInsertion(text: string, summary: string, place: SummaryPlace, cursor = 0): Insertion {
  const offset = summaryOffset(text, place, cursor);
  return { offset, text: tldrParagraph(text, offset, summary) };
}

/** Where Summarize puts the TL;DR in `text` (see {@link summaryInsertion}). */
export function summaryOffset(text: string, place: SummaryPlace, cursor = 0): number {
  const start = bodyStart(text);
  if (place === 'end') return text.length;
  return place === 'cursor' && cursor >= start ? paragraphEnd(text, cursor) : topOfBody(text, start);
}

/** The TL;DR paragraph for `summary` at `offset` of `text`, with the line breaks that set it apart. */
export function tldrParagraph(text: string, offset: number, summary: string): string {
  return padded(text, offset, bodyStart(text), `${TLDR_LABEL} ${summary}`, detectEol(text));
}

/** Where a line starting at `from` ends (before its line break) and where the next one starts. */
function line(text: string, from: number): { end: number; next: number } {
  const lf = text.indexOf('\n', from);
  if (lf < 0) return { end: text.length, next: text.length };
  return { end: lf > from && text[lf - 1] === '\r' ? lf - 1 : lf, next: lf + 1 };
}

const isBlank = (text: string, from: number) => !text.slice(from, line(text, from).end).trim();

/** The first line of the body that is not blank, past a level-one ATX heading that opens it. */
function topOfBody(text: string, start: number): number {
  const skipBlank = (from: number) => {
    let at = from;
    while (at < text.length && isBlank(text, at)) at = line(text, at).next;
    return at;
  };
  let at = skipBlank(start);
  if (/^# \S/u.test(text.slice(at, line(text, at).end))) at = skipBlank(line(text, at).next);
  return at;
}

/** The start of the blank line that ends the paragraph holding `cursor` (the end of the text when none does). */
function paragraphEnd(text: string, cursor: number): number {
  let at = text.lastIndexOf('\n', cursor - 1) + 1;
  while (at < text.length && !isBlank(text, at)) at = line(text, at).next;
  return at;
}

/** `block` with the line breaks that set it apart from the text before and after `offset`. */
function padded(text: string, offset: number, start: number, block: string, eol: string): string {
  const breaksBefore = (/(?:\r?\n)*$/u.exec(text.slice(Math.max(0, offset - 8), offset))?.[0].match(/\n/g) ?? []).length;
  const breaksAfter = (/^(?:\r?\n)*/u.exec(text.slice(offset, offset + 8))?.[0].match(/\n/g) ?? []).length;
  const before = offset <= start ? '' : eol.repeat(Math.max(0, 2 - breaksBefore));
  const after = offset >= text.length ? eol : eol.repeat(Math.max(0, 2 - breaksAfter));
  return before + block + after;
}

/** Control characters a model may emit (a post has no use for them), line breaks and tabs kept. */
function withoutControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');
}

function withEol(text: string, eol: string): string {
  return eol === '\n' ? text : text.replace(/\r?\n/g, eol);
}
