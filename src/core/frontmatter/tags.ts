/**
 * Tag spelling: two tags that differ only in case, accents or separators
 * (`Machine Learning`, `machine-learning`, `machine_learning`) name the same
 * topic and would split a tag page in two.
 */

const keyCache = new Map<string, string>();

/** The key two spellings of one tag share: lower case, no accents, no separators. */
export function tagKey(tag: string): string {
  // Sites reuse a few hundred tags thousands of times; Unicode normalisation is the costly part.
  let key = keyCache.get(tag);
  if (key === undefined) {
    if (keyCache.size > 50_000) keyCache.clear();
    key = computeTagKey(tag);
    keyCache.set(tag, key);
  }
  return key;
}

function computeTagKey(tag: string): string {
  return tag
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s_\-./]+/g, '');
}

/** True when a spelling already looks like a URL slug (`machine-learning`). */
export function isSlugLike(tag: string): boolean {
  return /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(tag);
}

/** How often one spelling of a tag is used. */
export interface TagSpelling {
  tag: string;
  /** Posts that use this exact spelling. */
  count: number;
}

/**
 * The spelling a workspace prefers among variants of one tag: the most used;
 * on a tie the slug-like one, then the alphabetically first, so the choice
 * never flips between two posts.
 */
export function preferredOf(spellings: readonly TagSpelling[]): TagSpelling | undefined {
  let best: TagSpelling | undefined;
  for (const s of spellings) {
    if (!best || s.count > best.count || (s.count === best.count && rank(s.tag, best.tag) < 0)) best = s;
  }
  return best;
}

function rank(a: string, b: string): number {
  const sa = isSlugLike(a),
    sb = isSlugLike(b);
  if (sa !== sb) return sa ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
