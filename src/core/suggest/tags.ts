import { preferredOf, tagKey } from '../frontmatter/tags';
import { readableText } from '../posts/readingTime';
import { Suggestion, Suggestions } from './types';

/** A post of the workspace as the tag fallback reads it: its tags (from the post index) and its text. */
export interface WorkspacePost {
  readonly id: string;
  readonly tags: readonly string[];
  /** The post's body (frontmatter may be left in: it is read as words too, so callers strip it). */
  readonly body: string;
}

/** Most tags suggested. */
export const MAX_TAG_SUGGESTIONS = 5;
/** Characters of each body read. */
export const MAX_BODY_CHARS = 20_000;
/** Words (occurrences) of each post kept, from its start. */
export const MAX_WORDS_PER_POST = 2_000;
/** Tags of each post that count. */
export const MAX_TAGS_PER_POST = 20;
/** Words named for each suggested tag. */
const TOP_WORDS = 4;

/**
 * Bounds: each post costs at most MAX_BODY_CHARS characters of scanning and
 * MAX_WORDS_PER_POST words of counting, whatever its size, and the scoring below
 * visits each post's distinct words once, plus once more for each of the
 * MAX_TAG_SUGGESTIONS tags it carries. So the work grows linearly with the
 * number of posts: 5,000 posts of 50 KB cost what 5,000 posts of 20 KB do.
 *
 * Words: lower-cased runs of letters (and digits after a letter) of at least 3
 * characters, without the common English words below. A short hand-written list
 * rather than a dependency: IDF already weighs down words every post uses; the
 * list only keeps them out of small workspaces, where IDF cannot.
 */
const STOP_WORDS = new Set(
  (
    'the and for are but not you all any can had her was one our out has him his how its may new now old see two who did get ' +
    'let say she too use that with have this will your from they know want been good much some time very when come here just ' +
    'like long make many more most only over such take than them then well were what also into there their which would about ' +
    'could other these those being while where after before because through should between each both does doing done every ' +
    'few further itself just once same so than under until upon whom why yet own off again against above below above down ' +
    'during further more most nor onto per via using used uses lot lots thing things way ways even still though although ' +
    'really quite rather often always never sometimes something anything everything nothing someone everyone first second ' +
    "next last back little less least able can't don't won't it's i'm we're you're"
  ).split(' '),
);

const WORD = /\p{L}[\p{L}\p{M}\p{N}'’]*/gu;

/** The words of a body that count, in order, at most MAX_WORDS_PER_POST. */
export function countedWords(body: string): string[] {
  const text = readableText(body.length > MAX_BODY_CHARS ? body.slice(0, MAX_BODY_CHARS) : body);
  const out: string[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m && out.length < MAX_WORDS_PER_POST; m = WORD.exec(text)) {
    const w = m[0].toLowerCase().replace(/['’]s$/, '');
    if (w.length >= 3 && !STOP_WORDS.has(w)) out.push(w);
  }
  return out;
}

/** A post's distinct words (ids into the vocabulary) with their counts. */
interface TermCounts {
  ids: Int32Array;
  counts: Uint16Array;
}

/** The vocabulary of the workspace and how many posts use each word. */
class Vocabulary {
  private readonly ids = new Map<string, number>();
  readonly words: string[] = [];
  readonly postsWith: number[] = [];

  /** Counts a post's words and notes each distinct word once for document frequency. */
  add(words: readonly string[]): TermCounts {
    const counts = new Map<number, number>();
    for (const w of words) {
      let id = this.ids.get(w);
      if (id === undefined) {
        id = this.words.length;
        this.ids.set(w, id);
        this.words.push(w);
        this.postsWith.push(0);
      }
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const id of counts.keys()) this.postsWith[id]++;
    return { ids: Int32Array.from(counts.keys()), counts: Uint16Array.from(counts.values()) };
  }
}

/**
 * TF-IDF weights, L2-normalised: a word weighs more the more often this post
 * uses it (1 + ln count, so one word repeated cannot dominate) and the fewer
 * posts of the workspace use it (ln((1 + N) / (1 + posts with it)) + 1, the
 * smoothed IDF of scikit-learn). Returns weights aligned with `terms.ids`.
 */
function weights(terms: TermCounts, vocabulary: Vocabulary, postCount: number): Float64Array {
  const w = new Float64Array(terms.ids.length);
  let norm = 0;
  for (let i = 0; i < w.length; i++) {
    const idf = Math.log((1 + postCount) / (1 + vocabulary.postsWith[terms.ids[i]])) + 1;
    w[i] = (1 + Math.log(terms.counts[i])) * idf;
    norm += w[i] * w[i];
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < w.length; i++) w[i] /= norm;
  return w;
}

/** A tagged post of the workspace, reduced to what scoring needs. */
interface Tagged {
  keys: string[];
  terms: TermCounts;
}

/**
 * Tags already used in the workspace, ranked for this post. A tag's score is
 * the cosine similarity between this post's TF-IDF vector and the centroid of
 * the (normalised) vectors of the posts carrying it, without the centroid's
 * normalisation: the mean of the post's cosine similarity with each of them.
 * Dropping that normalisation keeps the work linear (the centroid's length
 * needs every pair of its posts) and ranks a broad tag below one whose posts
 * are all close to this one. The words named with a tag are those adding most
 * to its score. The post's own tags (in any spelling) are never suggested; a
 * tag spelt several ways is offered in the spelling most posts use.
 */
export function suggestTags(
  post: { readonly id?: string; readonly body: string; readonly tags: readonly string[] },
  workspace: Iterable<WorkspacePost>,
): Suggestions {
  const vocabulary = new Vocabulary();
  const ownWords = countedWords(post.body);
  if (!ownWords.length) return { kind: 'tags', candidates: [], note: noWordsNote(post.body) };
  const own = vocabulary.add(ownWords);
  const ownKeys = new Set(post.tags.map(tagKey));
  const tagged: Tagged[] = [];
  const spellings = new Map<string, Map<string, number>>();
  let postCount = 1;
  for (const p of workspace) {
    if (post.id !== undefined && p.id === post.id) continue;
    postCount++;
    const terms = vocabulary.add(countedWords(p.body));
    const keys = tagKeys(p.tags, spellings);
    if (keys.length) tagged.push({ keys, terms });
  }
  if (!tagged.length)
    return { kind: 'tags', candidates: [], note: 'No post of the workspace has tags yet: there is no taxonomy to suggest from.' };
  const ranked = rankTags(own, tagged, vocabulary, postCount, ownKeys);
  const candidates: Suggestion[] = ranked.slice(0, MAX_TAG_SUGGESTIONS).map(({ key, score }) => ({
    text: preferredOf([...spellings.get(key)!].map(([tag, count]) => ({ tag, count })))!.tag,
    source: 'workspace-tags',
    score: Math.round(score * 1000) / 1000,
    words: topWords(key, own, tagged, vocabulary, postCount),
  }));
  if (!candidates.length) return { kind: 'tags', candidates, note: 'No tag of the workspace shares distinctive words with this post.' };
  return { kind: 'tags', candidates };
}

function noWordsNote(body: string): string {
  return body.trim() ? 'This post has no words to suggest tags from.' : 'This post has no body to suggest from.';
}

/** The keys of a post's first MAX_TAGS_PER_POST tags, noting each spelling's use. */
function tagKeys(tags: readonly string[], spellings: Map<string, Map<string, number>>): string[] {
  const keys: string[] = [];
  for (const tag of tags.slice(0, MAX_TAGS_PER_POST)) {
    const key = tagKey(tag);
    if (!key || keys.includes(key)) continue;
    keys.push(key);
    let forKey = spellings.get(key);
    if (!forKey) spellings.set(key, (forKey = new Map()));
    forKey.set(tag, (forKey.get(tag) ?? 0) + 1);
  }
  return keys;
}

/** This post's weight by word id, for dot products with other posts. */
function ownVector(own: TermCounts, vocabulary: Vocabulary, postCount: number): Map<number, number> {
  const w = weights(own, vocabulary, postCount);
  return new Map(Array.from(own.ids, (id, i) => [id, w[i]]));
}

/** Cosine similarity of this post with `terms` (both normalised), and each shared word's share of it. */
function cosine(
  vector: Map<number, number>,
  terms: TermCounts,
  vocabulary: Vocabulary,
  postCount: number,
  perWord?: Map<number, number>,
): number {
  const w = weights(terms, vocabulary, postCount);
  let dot = 0;
  for (let i = 0; i < w.length; i++) {
    const mine = vector.get(terms.ids[i]);
    if (mine === undefined) continue;
    dot += mine * w[i];
    perWord?.set(terms.ids[i], (perWord.get(terms.ids[i]) ?? 0) + mine * w[i]);
  }
  return dot;
}

function rankTags(own: TermCounts, tagged: readonly Tagged[], vocabulary: Vocabulary, postCount: number, ownKeys: ReadonlySet<string>) {
  const vector = ownVector(own, vocabulary, postCount);
  const sums = new Map<string, { sum: number; posts: number }>();
  for (const p of tagged) {
    const similarity = cosine(vector, p.terms, vocabulary, postCount);
    for (const key of p.keys) {
      if (ownKeys.has(key)) continue;
      const s = sums.get(key) ?? { sum: 0, posts: 0 };
      s.sum += similarity;
      s.posts++;
      sums.set(key, s);
    }
  }
  return [...sums]
    .map(([key, s]) => ({ key, score: s.sum / s.posts }))
    .filter((t) => t.score > 0)
    .sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));
}

/** The words of this post adding most to a tag's score. */
function topWords(key: string, own: TermCounts, tagged: readonly Tagged[], vocabulary: Vocabulary, postCount: number): string[] {
  const vector = ownVector(own, vocabulary, postCount);
  const perWord = new Map<number, number>();
  for (const p of tagged) if (p.keys.includes(key)) cosine(vector, p.terms, vocabulary, postCount, perWord);
  return [...perWord]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_WORDS)
    .map(([id]) => vocabulary.words[id]);
}
