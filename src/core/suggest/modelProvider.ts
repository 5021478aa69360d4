/**
 * Tags from an instruct model: it reads the start of the post and chooses among the workspace's
 * own tags only (the model side keeps its answer to them: src/generation/choiceConstraint.ts).
 * Its tags come first, labelled `model`; the workspace ranking follows, as without a model.
 * No model code here: the caller hands in a {@link ChoiceModel}.
 */
import { preferredOf, tagKey } from '../frontmatter/tags';
import { parseFrontmatter } from '../frontmatter/parse';
import { summarize } from '../posts/summary';
import { postBody } from './plainText';
import { TAG_SEPARATOR, tagPrompt, withModelCandidates, type SuggestPrompt } from './prompts';
import { fallbackSuggestions, type SuggestContext, type SuggestionProvider, type SuggestPost } from './suggest';
import { MAX_TAG_SUGGESTIONS, MAX_TAGS_PER_POST } from './tags';
import type { Suggestion, SuggestionKind, Suggestions } from './types';

/** What the model is asked: the prompt, answered with at most `max` of `allowed`. */
export interface ChoiceRequest {
  prompt: SuggestPrompt;
  allowed: readonly string[];
  separator: string;
  max: number;
}

/** A model that answers a {@link ChoiceRequest}; it may cut the prompt's post to fit its context (`cutChars` characters from its end). */
export interface ChoiceModel {
  choose(request: ChoiceRequest): Promise<{ choices: string[]; cutChars: number }>;
}

/** The workspace's tags in their most used spelling, without the post's own (in any spelling). */
export function workspaceTaxonomy(post: SuggestPost, context: SuggestContext): string[] {
  const own = new Set(summarize(post.path, parseFrontmatter(post.text)).tags.map(tagKey));
  const spellings = new Map<string, Map<string, number>>();
  for (const p of context.workspace?.() ?? []) {
    if (p.id === post.path) continue;
    for (const tag of p.tags.slice(0, MAX_TAGS_PER_POST)) {
      const key = tagKey(tag);
      if (!key || own.has(key)) continue;
      const forKey = spellings.get(key) ?? new Map<string, number>();
      spellings.set(key, forKey.set(tag, (forKey.get(tag) ?? 0) + 1));
    }
  }
  return [...spellings.values()].map((s) => preferredOf([...s].map(([tag, count]) => ({ tag, count })))!.tag);
}

/** Says how much of the post the model did not read, if any. */
function leftOutNote(total: number, used: number): string | undefined {
  if (used >= total) return undefined;
  return `The model read the first ${used} of the post's ${total} characters; the rest was left out.`;
}

/** The provider of model tags; it answers only for tags, and nothing where the workspace has no tags. */
export function modelTagProvider(model: ChoiceModel): SuggestionProvider {
  return {
    name: 'model',
    async suggest(kind: SuggestionKind, post: SuggestPost, context: SuggestContext): Promise<Suggestions | undefined> {
      if (kind !== 'tags') return undefined;
      const allowed = workspaceTaxonomy(post, context);
      if (!allowed.length) return undefined;
      const body = postBody(post.text).trim();
      const prompt = tagPrompt(body, allowed, MAX_TAG_SUGGESTIONS);
      const { choices, cutChars } = await model.choose({ prompt, allowed, separator: TAG_SEPARATOR, max: MAX_TAG_SUGGESTIONS });
      const fromModel: Suggestion[] = choices.map((text) => ({ text, source: 'model' }));
      const fallback = fallbackSuggestions('tags', post, context);
      const candidates = withModelCandidates(fromModel, fallback.candidates, 'tags');
      const total = prompt.postChars + prompt.omittedChars;
      const note = [leftOutNote(total, prompt.postChars - cutChars), fallback.note].filter(Boolean).join(' ');
      return { kind: 'tags', candidates, ...(note ? { note } : {}) };
    },
  };
}
