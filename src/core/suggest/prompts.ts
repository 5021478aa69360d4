/**
 * What an instruct model is asked when it suggests for a post: one conversation per kind. Plain
 * data (no model here), so the editor and the CLI ask the same thing. Title and description are
 * defined for the model-backed sources that come next; tags are asked today (modelProvider.ts).
 */
import type { DescriptionBounds } from './siteSettings';

/** One turn of the conversation (the chat template's roles). */
export interface PromptMessage {
  role: 'system' | 'user';
  content: string;
}

/** Characters of the post a prompt holds at most: a model reads the start of a long post, and the note says so. */
export const MAX_PROMPT_POST_CHARS = 6_000;

/** Separates the tags the model writes (the choice constraint allows nothing else between them). */
export const TAG_SEPARATOR = ', ';

const SYSTEM = 'You are an editor for a blog. Answer with what is asked and nothing else.';

/** The post's text cut to `limit` characters at a word boundary, and how many characters were left out. */
export function cutPostText(text: string, limit = MAX_PROMPT_POST_CHARS): { text: string; leftOut: number } {
  const trimmed = text.trim();
  if (trimmed.length <= limit) return { text: trimmed, leftOut: 0 };
  const cut = trimmed.slice(0, limit);
  const space = cut.search(/\s\S*$/);
  const kept = (space > limit / 2 ? cut.slice(0, space) : cut).trimEnd();
  return { text: kept, leftOut: trimmed.length - kept.length };
}

/** Tags for a post, chosen from the blog's own (the constraint keeps the answer to them). */
export function tagMessages(post: string, taxonomy: readonly string[], max: number): PromptMessage[] {
  return [
    { role: 'system', content: SYSTEM },
    {
      role: 'user',
      content:
        `Choose up to ${max} tags for this blog post, most fitting first, only from this list: ${taxonomy.join(TAG_SEPARATOR)}.\n` +
        `Write them separated by "${TAG_SEPARATOR}".\n\nPost:\n${post}`,
    },
  ];
}

/** A title for a post. */
export function titleMessages(post: string): PromptMessage[] {
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `Write a short title for this blog post, without quotes.\n\nPost:\n${post}` },
  ];
}

/** A description (a meta description) for a post, within the site's bounds. */
export function descriptionMessages(post: string, bounds: DescriptionBounds): PromptMessage[] {
  return [
    { role: 'system', content: SYSTEM },
    {
      role: 'user',
      content: `Write a one-sentence description of this blog post for search results, between ${bounds.min} and ${bounds.max} characters.\n\nPost:\n${post}`,
    },
  ];
}
