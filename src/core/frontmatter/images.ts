import * as path from 'path';

/** Where a post lives and where its site-root paths point. Paths use forward slashes. */
export interface ImageLocation {
  /** Absolute path of the post file. */
  postPath?: string;
  /** Absolute path of the site (the workspace folder, or the CLI's root). */
  siteRoot?: string;
  /** Folders, relative to `siteRoot`, that site-root paths resolve against, in order. */
  staticFolders?: readonly string[];
}

const posix = path.posix;

/** Forward slashes, so Windows paths work with path.posix. */
export function toSlash(p: string): string {
  return p.replace(/\\/g, '/');
}

/** True for values that are not local files: URLs, protocol-relative and data URIs. */
export function isRemoteImage(value: string): boolean {
  return (/^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[a-z]:[\\/]/i.test(value)) || value.startsWith('//');
}

/**
 * The files an image value may name, in the order a site generator tries
 * them: a site-root path (`/uploads/x.png`) under each static folder; a
 * relative path next to the post. Query strings and fragments are dropped.
 */
export function imageCandidatesFor(value: string, loc: ImageLocation): string[] {
  let v = value.trim().replace(/[?#].*$/, '');
  try {
    v = decodeURI(v);
  } catch {
    // Keep the raw text when it is not valid percent-encoding.
  }
  v = toSlash(v);
  if (!v) return [];
  if (v.startsWith('/')) {
    if (!loc.siteRoot) return [];
    const root = toSlash(loc.siteRoot);
    return (loc.staticFolders?.length ? loc.staticFolders : ['.']).map((f) => posix.join(root, toSlash(f), v));
  }
  if (!loc.postPath) return [];
  return [posix.join(posix.dirname(toSlash(loc.postPath)), v)];
}

/**
 * How `file` should be written in this post's frontmatter: site-root when the
 * original value was site-root and the file is in a static folder, else
 * relative to the post.
 */
export function imageValueFor(file: string, original: string, loc: ImageLocation): string {
  const abs = toSlash(file);
  if (original.trim().startsWith('/') && loc.siteRoot) {
    const root = toSlash(loc.siteRoot);
    for (const f of loc.staticFolders?.length ? loc.staticFolders : ['.']) {
      const dir = posix.join(root, toSlash(f));
      const rel = posix.relative(dir, abs);
      if (rel && !rel.startsWith('..') && !posix.isAbsolute(rel)) return '/' + rel;
    }
  }
  if (loc.postPath) return posix.relative(posix.dirname(toSlash(loc.postPath)), abs);
  return abs;
}

/** Levenshtein distance, bounded work for long strings. */
function distance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length > 200 || b.length > 200) return Math.max(a.length, b.length);
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** Similarity in [0, 1] of two file names (case-insensitive, extension ignored). */
function nameSimilarity(a: string, b: string): number {
  const strip = (s: string) =>
    posix
      .basename(s)
      .toLowerCase()
      .replace(/\.[a-z0-9]+$/, '');
  const x = strip(a),
    y = strip(b);
  const longest = Math.max(x.length, y.length);
  return longest === 0 ? 1 : 1 - distance(x, y) / longest;
}

/** An existing image close to a missing one, with how sure we are. */
export interface ImageMatch {
  file: string;
  /** 0 (nothing alike) to 1 (same name). */
  similarity: number;
}

/**
 * The existing images closest to a missing path: by file name, then by how
 * much of the folder path they share. Best first, at most `limit`.
 */
export function closestImages(missing: string, files: readonly string[], limit = 3): ImageMatch[] {
  const target = toSlash(missing);
  const dirs = posix.dirname(target).split('/').filter(Boolean);
  const scored = files.map((f) => {
    const file = toSlash(f);
    const shared = posix
      .dirname(file)
      .split('/')
      .filter((d) => dirs.includes(d)).length;
    return { file: f, similarity: nameSimilarity(target, file), shared };
  });
  scored.sort((a, b) => b.similarity - a.similarity || b.shared - a.shared || (a.file < b.file ? -1 : 1));
  return scored.slice(0, limit).map(({ file, similarity }) => ({ file, similarity }));
}
