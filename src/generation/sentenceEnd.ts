/**
 * Where a sentence ends, for continuations that should not stop mid-sentence at
 * their token limit. Pure and cheap: a few rules, no language model.
 *
 * A sentence ends after `.`, `!` or `?` (a run such as `?!` counts once, and
 * closing quotes, brackets and Markdown emphasis after it belong to the
 * sentence) followed by whitespace, or at a paragraph end (a blank line).
 * Not sentence ends: an ellipsis, a period after a known abbreviation
 * ("e.g.", "Dr."), an initial ("J. Smith") or a list number at the start of a
 * line ("1. "); a decimal point ("3.14") is not followed by whitespace anyway.
 */

/** Share of the token budget, at its end, in which a continuation stops at the next sentence end. */
export const SENTENCE_END_WINDOW = 0.2;

/** The number of generated tokens from which sentence ends count: 80% of the budget. */
export function sentenceWindowStart(maxTokens: number): number {
  return Math.max(1, Math.ceil(maxTokens * (1 - SENTENCE_END_WINDOW)));
}

/** Abbreviations whose period does not end a sentence (lower case, without the period). */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'vs',
  'cf',
  'fig',
  'figs',
  'no',
  'nos',
  'vol',
  'pp',
  'approx',
  'ca',
  'inc',
  'ltd',
  'co',
  'corp',
  'dept',
  'est',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
]);

/** Terminal punctuation with what may close the sentence after it, or a paragraph end after some text. */
const CANDIDATE = /([.!?]+)[)\]"'”’»*_]*(?=(\s|$))|\S(?=[^\S\n]*\n[^\S\n]*\n)/g;

/** How far before `from` the search starts, so punctuation just before it is seen with what follows. */
const LOOK_BEHIND = 16;

/**
 * The index just after the first sentence end in `text` whose cut point is at
 * or after `from` (the text is cut there), or -1 when there is none. Punctuation
 * at the very end of the text counts only when `atEnd` says no more text follows.
 */
export function findSentenceEnd(text: string, from: number, atEnd = false): number {
  CANDIDATE.lastIndex = Math.max(0, from - LOOK_BEHIND);
  for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
    const cut = m.index + m[0].length;
    if (cut < from) continue;
    const punctuation = m[1];
    if (punctuation === undefined) return cut; // a paragraph end
    if (cut === text.length && !atEnd) continue; // nothing after it yet: it may still be "3.14" or "e.g."
    if (!punctuation.includes('.') || endsSentence(text, m.index, punctuation)) return cut;
    if (PARAGRAPH_AFTER.test(text.slice(cut))) return cut; // "e.g." that ends a paragraph anyway
  }
  return -1;
}

/** A blank line right at the start of the text. */
const PARAGRAPH_AFTER = /^[^\S\n]*\n[^\S\n]*\n/;

/** Whether the period(s) at `at` end a sentence, judged by the word before them. */
function endsSentence(text: string, at: number, punctuation: string): boolean {
  if (/^\.{2,}$/.test(punctuation)) return false; // an ellipsis
  if (punctuation !== '.') return true; // "?!." and the like
  const before = text.slice(0, at);
  const word = /[^\s([{"'“‘*_]*$/.exec(before)?.[0] ?? '';
  if (!word) return true;
  if (/^[A-Za-z]$/.test(word)) return false; // an initial, or "a." of "e.g." written apart
  if (word.includes('.')) return false; // "e.g", "U.S"
  if (ABBREVIATIONS.has(word.toLowerCase())) return false;
  if (/^\d+$/.test(word) && /(^|\n)[^\S\n]*$/.test(before.slice(0, before.length - word.length))) return false; // "1. " of a list
  return true;
}
