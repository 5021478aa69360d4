/**
 * What the tag tree and tag pages need to know about a post. The post index
 * provides these; `uri` is an opaque string the caller turns back into a URI.
 */
export interface PostSummary {
  readonly uri: string;
  readonly title?: string;
  /** Calendar date `YYYY-MM-DD`, when the post has one. */
  readonly date?: string;
  readonly description?: string;
  /** The `image` field as written. */
  readonly image?: string;
  readonly tags: readonly string[];
  readonly draft?: boolean;
}

/** One tag with its posts, newest first. */
export interface TagGroup {
  readonly tag: string;
  readonly posts: readonly PostSummary[];
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** Newest first; undated posts last; ties by title, then by URI so the order is stable. */
export function compareNewestFirst(a: PostSummary, b: PostSummary): number {
  if (a.date !== b.date) {
    if (!a.date) return 1;
    if (!b.date) return -1;
    return a.date < b.date ? 1 : -1;
  }
  return collator.compare(a.title ?? '', b.title ?? '') || (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0);
}

/**
 * Groups posts by tag: tags sorted by name (case-insensitive, numbers in numeric
 * order), each tag's posts newest first. With `filter`, keeps the tags whose name
 * contains it, ignoring case. A tag repeated in one post counts that post once.
 */
export function buildTagTree(posts: Iterable<PostSummary>, filter?: string): TagGroup[] {
  const needle = filter?.trim().toLowerCase() || undefined;
  const byTag = new Map<string, PostSummary[]>();
  for (const post of posts) {
    for (const tag of new Set(post.tags)) {
      if (needle && !tag.toLowerCase().includes(needle)) continue;
      let list = byTag.get(tag);
      if (!list) byTag.set(tag, (list = []));
      list.push(post);
    }
  }
  const groups: TagGroup[] = [];
  for (const [tag, list] of byTag) groups.push({ tag, posts: list.sort(compareNewestFirst) });
  return groups.sort((a, b) => collator.compare(a.tag, b.tag) || (a.tag < b.tag ? -1 : 1));
}
