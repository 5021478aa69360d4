import type { DateStyle } from '../frontmatter/dates';
import { preferredOf, tagKey, TagSpelling } from '../frontmatter/tags';
import { PostSummary, summarizeText } from './summary';

export type { PostSummary } from './summary';

/** A tag and the number of posts that use that exact spelling. */
export interface TagCount {
  tag: string;
  count: number;
}

/** What changed in the index; listeners use `tagsChanged` to skip needless work. */
export type PostIndexChange =
  { kind: 'upsert' | 'remove'; id: string; tagsChanged: boolean } | { kind: 'bulk'; ids: readonly string[]; tagsChanged: boolean };

/** Something a listener registration returns (matches vscode.Disposable). */
export interface Unsubscribe {
  dispose(): void;
}

/**
 * The workspace's posts and tags, kept up to date one file at a time.
 * Pure: it knows nothing of files or editors; callers feed it text (or
 * summaries) under an id of their choosing and remove ids that go away.
 */
export class PostIndex {
  private readonly posts = new Map<string, PostSummary>();
  /** Exact tag spelling -> ids of posts using it. */
  private readonly tagPosts = new Map<string, Set<string>>();
  /** Tag key (case/separator-insensitive) -> spellings seen. */
  private readonly keySpellings = new Map<string, Set<string>>();
  private readonly dateStyles = new Map<DateStyle, number>();
  private readonly listeners = new Set<(change: PostIndexChange) => void>();
  private batch: { ids: string[]; tagsChanged: boolean } | undefined;
  private versionNumber = 0;

  /** Increases on every change; lets callers drop stale work. */
  get version(): number {
    return this.versionNumber;
  }

  get size(): number {
    return this.posts.size;
  }

  has(id: string): boolean {
    return this.posts.has(id);
  }

  get(id: string): PostSummary | undefined {
    return this.posts.get(id);
  }

  /** Every post, in no particular order. */
  all(): PostSummary[] {
    return [...this.posts.values()];
  }

  /** Parses `text` and stores the post under `id`, replacing what was there. */
  upsert(id: string, text: string): PostSummary {
    const summary = summarizeText(id, text);
    this.upsertSummary(summary);
    return summary;
  }

  /** Stores an already summarised post (callers that parsed it for other reasons). */
  upsertSummary(summary: PostSummary): void {
    const old = this.posts.get(summary.id);
    if (old) this.unlink(old);
    this.posts.set(summary.id, summary);
    this.link(summary);
    this.changed({ kind: 'upsert', id: summary.id, tagsChanged: !old || !sameTags(old.tags, summary.tags) });
  }

  /** Forgets a post; returns false when it was not indexed. */
  remove(id: string): boolean {
    const old = this.posts.get(id);
    if (!old) return false;
    this.unlink(old);
    this.posts.delete(id);
    this.changed({ kind: 'remove', id, tagsChanged: old.tags.length > 0 });
    return true;
  }

  /** Forgets every post (one change event). */
  clear(): void {
    this.transaction(() => {
      for (const id of [...this.posts.keys()]) this.remove(id);
    });
  }

  /** Runs `fn` and reports all its changes as one `bulk` change (for the initial scan). */
  transaction(fn: () => void): void {
    if (this.batch) {
      fn();
      return;
    }
    this.batch = { ids: [], tagsChanged: false };
    try {
      fn();
    } finally {
      const batch = this.batch;
      this.batch = undefined;
      if (batch.ids.length) this.emit({ kind: 'bulk', ids: batch.ids, tagsChanged: batch.tagsChanged });
    }
  }

  /** Every tag spelling with its post count, most used first, then alphabetically. */
  tags(): TagCount[] {
    const out: TagCount[] = [];
    for (const [tag, ids] of this.tagPosts) out.push({ tag, count: ids.size });
    return out.sort((a, b) => b.count - a.count || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  }

  /** Posts using this exact tag spelling, newest first. */
  postsByTag(tag: string): PostSummary[] {
    const ids = this.tagPosts.get(tag);
    if (!ids) return [];
    const out: PostSummary[] = [];
    for (const id of ids) {
      const p = this.posts.get(id);
      if (p) out.push(p);
    }
    return out.sort((a, b) => (b.time ?? -Infinity) - (a.time ?? -Infinity) || (a.id < b.id ? -1 : 1));
  }

  /** How many posts use this exact spelling. */
  tagCount(tag: string): number {
    return this.tagPosts.get(tag)?.size ?? 0;
  }

  /** All spellings of the same tag (differing in case or separators), with counts. */
  spellingsOf(tag: string): TagSpelling[] {
    const spellings = this.keySpellings.get(tagKey(tag));
    if (!spellings) return [];
    return [...spellings].map((s) => ({ tag: s, count: this.tagCount(s) }));
  }

  /**
   * The spelling the workspace prefers for `tag`, when it differs from `tag`
   * and is used by some post other than `exceptId`. Undefined means "fine".
   */
  preferredSpelling(tag: string, exceptId?: string): string | undefined {
    const best = preferredOf(this.spellingsOf(tag));
    if (!best || best.tag === tag) return undefined;
    const users = this.tagPosts.get(best.tag);
    if (!users || (users.size === 1 && exceptId !== undefined && users.has(exceptId))) return undefined;
    return best.tag;
  }

  /** The date style most posts use, or undefined when no post has a valid date. */
  preferredDateStyle(): DateStyle | undefined {
    let best: DateStyle | undefined;
    let bestCount = 0;
    for (const [style, count] of this.dateStyles) {
      if (count > bestCount) {
        best = style;
        bestCount = count;
      }
    }
    return best;
  }

  /** Subscribes to changes. */
  onDidChange(listener: (change: PostIndexChange) => void): Unsubscribe {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  private link(p: PostSummary): void {
    for (const tag of p.tags) {
      let ids = this.tagPosts.get(tag);
      if (!ids) this.tagPosts.set(tag, (ids = new Set()));
      ids.add(p.id);
      const key = tagKey(tag);
      let spellings = this.keySpellings.get(key);
      if (!spellings) this.keySpellings.set(key, (spellings = new Set()));
      spellings.add(tag);
    }
    if (p.dateStyle) this.dateStyles.set(p.dateStyle, (this.dateStyles.get(p.dateStyle) ?? 0) + 1);
  }

  private unlink(p: PostSummary): void {
    for (const tag of p.tags) {
      const ids = this.tagPosts.get(tag);
      if (!ids) continue;
      ids.delete(p.id);
      if (ids.size === 0) {
        this.tagPosts.delete(tag);
        const key = tagKey(tag);
        const spellings = this.keySpellings.get(key);
        spellings?.delete(tag);
        if (spellings?.size === 0) this.keySpellings.delete(key);
      }
    }
    if (p.dateStyle) {
      const n = (this.dateStyles.get(p.dateStyle) ?? 1) - 1;
      if (n > 0) this.dateStyles.set(p.dateStyle, n);
      else this.dateStyles.delete(p.dateStyle);
    }
  }

  private changed(change: { kind: 'upsert' | 'remove'; id: string; tagsChanged: boolean }): void {
    this.versionNumber++;
    if (this.batch) {
      this.batch.ids.push(change.id);
      this.batch.tagsChanged ||= change.tagsChanged;
      return;
    }
    this.emit(change);
  }

  private emit(change: PostIndexChange): void {
    for (const l of [...this.listeners]) {
      try {
        l(change);
      } catch {
        // One failing listener must not stop the others or the index.
      }
    }
  }
}

function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
