/**
 * What a chat model is asked for suggestions, and how its answer becomes candidates. One
 * function per kind builds its prompt; they share the post excerpt and the answer's parsing.
 * Plain data in and out: the editor sends the messages to whatever chat backend it has.
 */
import { TITLE_MAX } from '../frontmatter/schema';
import { tagKey } from '../frontmatter/tags';
import { boundedPrefix, charLength, cutAtWord } from './plainText';
import { DEFAULT_DESCRIPTION_BOUNDS, type DescriptionBounds } from './siteSettings';
import type { Suggestion, SuggestionKind } from './types';

/**
 * Characters of the post a prompt carries. A small instruct model's context is a few thousand
 * tokens, and the opening of a post says what it is about; the rest would only slow the answer.
 */
export const PROMPT_POST_CHARS = 6000;

/** Most candidates taken from one answer. */
export const MAX_MODEL_CANDIDATES = 5;

/** One message of the conversation (the shape every chat backend takes). */
export interface PromptMessage {
  role: 'system' | 'user';
  content: string;
}

/** A conversation to send, and how much of the post it left out (for a note to the writer). */
export interface SuggestPrompt {
  messages: PromptMessage[];
  /** Characters of the post's body in the prompt. */
  postChars: number;
  /** Characters of the post's body left out after them (0: the whole post went in). */
  omittedChars: number;
  /**
   * Where the post's text sits in the conversation (message index, character offset): a model
   * whose context is too small for it all cuts it from its end, and says by how much.
   */
  cuttable: { message: number; from: number };
}

/**
 * The post's body as the prompt quotes it: at most `max` characters, cut at a line break in the
 * second half of them, else (a long line of HTML) at white space, so the prompt carries close to
 * its share.
 */
export function postExcerpt(body: string, max = PROMPT_POST_CHARS): { text: string; omittedChars: number } {
  const trimmed = body.trim();
  let text = boundedPrefix(trimmed, max).trimEnd();
  if (trimmed.length > max && text.length < max / 2) {
    const space = trimmed.slice(0, max).search(/\s\S*$/);
    text = trimmed.slice(0, space > max / 2 ? space : max).trimEnd();
  }
  return { text, omittedChars: charLength(trimmed) - charLength(text) };
}

/** The answer format every prompt asks for, so that one parser reads every answer. */
const ANSWER_FORMAT =
  'Write them in the language the post is written in. Answer with the candidates only, one per line: ' +
  'no numbering, no quotes, no Markdown, no other text.';

/** The user message: the request, then the post (saying when only its beginning is there). */
function conversation(system: string, ask: string, body: string, format = ANSWER_FORMAT): SuggestPrompt {
  const excerpt = postExcerpt(body);
  const which = excerpt.omittedChars > 0 ? 'The beginning of the blog post' : 'The blog post';
  const lead = `${ask} ${format}\n\n${which}:\n\n`;
  return {
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: lead + excerpt.text },
    ],
    postChars: charLength(excerpt.text),
    omittedChars: excerpt.omittedChars,
    cuttable: { message: 1, from: lead.length },
  };
}

/** Asks for 3–5 titles for the post whose body (frontmatter left out) is `body`. */
export function titlePrompt(body: string): SuggestPrompt {
  return conversation(
    'You are an editor who writes titles for blog posts: short, specific, and true to the post.',
    `Suggest 3 to 5 titles for the blog post below, each at most ${TITLE_MAX} characters.`,
    body,
  );
}

/** Asks for 3–5 descriptions (the summary search engines and link previews show) within `bounds`. */
export function descriptionPrompt(body: string, bounds: DescriptionBounds = DEFAULT_DESCRIPTION_BOUNDS): SuggestPrompt {
  return conversation(
    'You are an editor who writes the descriptions of blog posts that search engines and link previews show.',
    `Suggest 3 to 5 descriptions for the blog post below: each one or two plain sentences of ${bounds.min} to ${bounds.max} characters that say what the reader will get from the post.`,
    body,
  );
}

/** A list marker or numbering at the start of a line: "1.", "2)", "-", "*", "•", "#". */
const MARKER = /^(?:[-*•+]\s+|\(?\d{1,2}[.):]\s*|#{1,6}\s+)/u;
/** A label the model may put before each candidate ("Title 2:", "Description:"). */
const LABEL = /^(?:title|description|option|candidate)\s*\d*\s*[:：-]\s*/iu;
/** Quotes around a whole candidate. */
const QUOTES = /^["'“”‘’«»„]+|["'“”‘’«»„]+$/gu;

/** One line of an answer as plain text: markers, labels, quotes and Markdown emphasis taken off. */
function cleanLine(line: string): string {
  let text = line.trim().replace(MARKER, '').replace(LABEL, '');
  // Emphasis and code marks around words: the candidate goes into a plain frontmatter string.
  text = text.replace(/(\*\*|__|\*|_|`)(.+?)\1/gu, '$2').replace(/^[*_`]+|[*_`]+$/gu, '');
  return text.replace(QUOTES, '').replace(/\s+/g, ' ').trim();
}

/** The candidates of an answer, one a line, cleaned; empty lines and repeats (in any case) dropped. */
export function parseCandidateLines(answer: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of answer.split(/\r\n|\r|\n/)) {
    const text = cleanLine(line);
    const key = text.toLocaleLowerCase();
    if (!text || seen.has(key)) continue;
    seen.add(key);
    out.push(text);
  }
  return out;
}

/** A model's answer as title candidates: each cut on a word to TITLE_MAX, as the other titles are. */
export function modelTitles(answer: string, model: string): Suggestion[] {
  const titles = parseCandidateLines(answer).map((line) => cutAtWord(line, TITLE_MAX));
  return [...new Set(titles)].slice(0, MAX_MODEL_CANDIDATES).map((text) => ({ text, source: 'model', model }));
}

/** A model's answer as description candidates: only those within the site's bounds. */
export function modelDescriptions(answer: string, model: string, bounds: DescriptionBounds = DEFAULT_DESCRIPTION_BOUNDS): Suggestion[] {
  return parseCandidateLines(answer)
    .filter((line) => charLength(line) >= bounds.min && charLength(line) <= bounds.max)
    .slice(0, MAX_MODEL_CANDIDATES)
    .map((text) => ({ text, source: 'model', model }));
}

/**
 * The model's candidates first, then the other sources' ones that say something else: for tags,
 * another tag as the validator tells tags apart (tagKey: case and separators aside); for titles and
 * descriptions, another text in any case.
 */
export function withModelCandidates(model: readonly Suggestion[], others: readonly Suggestion[], kind: SuggestionKind): Suggestion[] {
  const key = kind === 'tags' ? (text: string) => tagKey(text) : (text: string) => text.toLocaleLowerCase();
  const taken = new Set(model.map((c) => key(c.text)));
  return [...model, ...others.filter((c) => !taken.has(key(c.text)))];
}

/** Separates the tags the model writes (the choice constraint allows nothing else between them). */
export const TAG_SEPARATOR = ', ';

/**
 * Asks for tags for the post whose body is `body`, chosen from the blog's own: the choice
 * constraint (generation/choiceConstraint.ts) keeps the answer to `taxonomy`, separated by
 * {@link TAG_SEPARATOR}, so no answer format is asked for.
 */
export function tagPrompt(body: string, taxonomy: readonly string[], max: number): SuggestPrompt {
  const excerpt = postExcerpt(body);
  const lead =
    `Choose up to ${max} tags for this blog post, most fitting first, only from this list: ${taxonomy.join(TAG_SEPARATOR)}.\n` +
    `Write them separated by "${TAG_SEPARATOR}".\n\nPost:\n`;
  return {
    messages: [
      { role: 'system', content: 'You are an editor who tags blog posts with the tags the blog already uses.' },
      { role: 'user', content: lead + excerpt.text },
    ],
    postChars: charLength(excerpt.text),
    omittedChars: excerpt.omittedChars,
    cuttable: { message: 1, from: lead.length },
  };
}

/**
 * A model's tag answer as candidates, in the taxonomy's spelling: only tags of `taxonomy` (matched
 * as the validator matches tags, whatever the case or separators), none twice, at most `max`. A
 * constrained local answer passes whole; a server's free answer (commas, lines, `#`) is read the
 * same way, and whatever is not in the taxonomy is dropped.
 */
export function modelTags(answer: string, taxonomy: readonly string[], model: string, max: number): Suggestion[] {
  const byKey = new Map(taxonomy.map((tag) => [tagKey(tag), tag]));
  const out: string[] = [];
  for (const piece of answer.split(/[,\n;]/)) {
    const tag = byKey.get(tagKey(piece.trim().replace(/^#/, '')));
    if (tag !== undefined && !out.includes(tag)) out.push(tag);
  }
  return out.slice(0, max).map((text) => ({ text, source: 'model', model }));
}

/** The rewrites offered by name; `instruction` is the writer's own words. */
export type RewriteStyle = 'shorter' | 'clearer' | 'friendlier' | 'grammar' | 'instruction';

/** What the model is asked for each named rewrite. */
export const REWRITE_ASKS: Readonly<Record<Exclude<RewriteStyle, 'instruction'>, string>> = {
  shorter: 'Rewrite the text below to be shorter: keep every point it makes and drop the filler.',
  clearer: 'Rewrite the text below to be clearer and easier to follow, keeping its meaning.',
  friendlier: 'Rewrite the text below in a friendlier, warmer tone, keeping its meaning.',
  grammar: 'Fix the spelling, grammar and punctuation of the text below. Change nothing else.',
};

/**
 * Characters of a selection Rewrite Selection takes: what a small instruct model's context holds
 * with room for an answer as long again. A longer selection is refused with this number.
 */
export const MAX_REWRITE_CHARS = 4000;

const KEEP_FORM =
  'Keep its Markdown and HTML as they are (links, emphasis, code, tags) and write in the language the text is written in. ' +
  'Answer with the rewritten text only: no introduction, no quotes, no notes.';

/** Asks for `text` rewritten in `style`, or by the writer's `instruction`. */
export function rewritePrompt(text: string, style: RewriteStyle, instruction?: string): PromptMessage[] {
  const ask =
    style === 'instruction'
      ? `Rewrite the text below as follows: ${(instruction ?? '').trim().replace(/[.\s]*$/, '')}.`
      : REWRITE_ASKS[style];
  return [
    { role: 'system', content: 'You are an editor who rewrites passages of blog posts as asked, and adds nothing of your own.' },
    { role: 'user', content: `${ask} ${KEEP_FORM}\n\nText:\n\n${text}` },
  ];
}

/** Asks for a TL;DR of the post whose body is `body` (cut to the prompt's share, as the other prompts do). */
export function summaryPrompt(body: string): SuggestPrompt {
  return conversation(
    'You are an editor who writes the TL;DR at the top of blog posts: what the reader will learn, in plain words.',
    'Summarize the blog post below in two or three sentences.',
    body,
    'Write it in the language the post is written in. Answer with the summary only: plain sentences, no heading, no list, no label.',
  );
}
