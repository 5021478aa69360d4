import { parseFrontmatter } from '../frontmatter/parse';
import { summarize } from '../posts/summary';
import { suggestDescription } from './description';
import { postBody, textBlocks } from './plainText';
import type { DescriptionBounds, SummarySettings } from './siteSettings';
import { suggestTags, WorkspacePost } from './tags';
import { suggestTitle } from './title';
import type { SuggestionKind, Suggestions } from './types';

/** The post suggestions are for. */
export interface SuggestPost {
  /** Its full text, frontmatter included. */
  readonly text: string;
  /** Its path (the file-name title comes from it); also its id in the workspace, to leave it out there. */
  readonly path: string;
}

/** What the built-in sources read besides the post. */
export interface SuggestContext {
  /** The site generator's summary settings (`summarySettings`); none: first paragraph only. */
  readonly site?: SummarySettings;
  /** Description length (`descriptionBounds`); default the validator's. */
  readonly descriptionBounds?: DescriptionBounds;
  /** The workspace's posts, for tags (read lazily, once, and only for tags). */
  readonly workspace?: () => Iterable<WorkspacePost>;
}

/**
 * A source of suggestions tried before the built-in ones (a model, later).
 * It answers undefined (or no candidates) to let the next source try.
 */
export interface SuggestionProvider {
  readonly name: string;
  suggest(kind: SuggestionKind, post: SuggestPost, context: SuggestContext): Promise<Suggestions | undefined>;
}

/**
 * The candidates for `kind`: from the first provider that has some, else from
 * what the site generator itself would use (`fallbackSuggestions`).
 */
export async function suggest(
  kind: SuggestionKind,
  post: SuggestPost,
  context: SuggestContext,
  providers: readonly SuggestionProvider[] = [],
): Promise<Suggestions> {
  for (const provider of providers) {
    const result = await provider.suggest(kind, post, context);
    if (result?.candidates.length) return result;
  }
  return fallbackSuggestions(kind, post, context);
}

/** Suggestions that need no model: the post's own headings, paragraphs and file name, and the workspace's tags. */
export function fallbackSuggestions(kind: SuggestionKind, post: SuggestPost, context: SuggestContext = {}): Suggestions {
  const parsed = parseFrontmatter(post.text);
  // Line breaks as the generators see them once read: Jekyll's separator "\n\n" must match CRLF files too.
  const body = postBody(post.text).replace(/\r\n?/g, '\n');
  switch (kind) {
    case 'title':
      return suggestTitle(textBlocks(body), post.path);
    case 'description':
      return suggestDescription(body, { site: context.site, bounds: context.descriptionBounds, data: parsed.data });
    case 'tags':
      return suggestTags({ id: post.path, body, tags: summarize(post.path, parsed).tags }, context.workspace?.() ?? []);
  }
}
