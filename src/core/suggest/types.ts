/** What a suggestion fills in. */
export type SuggestionKind = 'title' | 'description' | 'tags';

export const SUGGESTION_KINDS: readonly SuggestionKind[] = ['title', 'description', 'tags'];

/**
 * Where a candidate comes from. The built-in sources are what the site
 * generator itself would use; a model-backed source adds its own name.
 */
export type SuggestionSource =
  | 'hugo-summary'
  | 'jekyll-excerpt'
  | 'first-paragraph'
  | 'first-heading'
  | 'first-sentence'
  | 'file-name'
  | 'workspace-tags'
  /** A chat model's answer; `model` names the model. */
  | 'model';

/** One candidate the editor offers (and `inkwell suggest` prints). */
export interface Suggestion {
  text: string;
  source: SuggestionSource;
  /** For a model's candidate: the model's name, as the candidate's label says it. */
  model?: string;
  /** For tags: how close the post is to the posts carrying the tag (cosine similarity, 0–1). */
  score?: number;
  /** For tags: the post's words that count most toward the score. */
  words?: readonly string[];
}

/** The candidates for one kind; `note` says why there are none (or fewer than usual). */
export interface Suggestions {
  kind: SuggestionKind;
  candidates: Suggestion[];
  note?: string;
}

/** Said when a post has nothing after its frontmatter. */
export const NO_BODY = 'This post has no body to suggest from.';
