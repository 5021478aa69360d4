/**
 * Reading a hub's file listings. Two APIs answer "which files does this
 * revision have": the model info (`/api/models/{repo}/revision/{rev}?blobs=true`,
 * files under `siblings`) and the tree (`/api/models/{repo}/tree/{rev}?recursive=true`,
 * a paged array of entries). Both carry, for files stored in Git LFS (the big
 * ones), `lfs: { sha256 | oid, size }`, which is what a download is checked against.
 */

/** One file of a repository revision. */
export interface HubFile {
  /** Path inside the repository, `/`-separated. */
  path: string;
  /** Size in bytes, when the listing says. */
  size?: number;
  /** SHA-256 of the content (lowercase hex), for files stored in LFS. */
  sha256?: string;
}

/** What a listing tells about a revision. */
export interface HubListing {
  /** The commit the revision points at, when the listing says (the tree API does not). */
  commit?: string;
  files: HubFile[];
}

const SHA256 = /^[0-9a-f]{64}$/;
const COMMIT = /^[0-9a-f]{40}$/;

/** A listing that does not have the expected shape. */
export class ListingError extends Error {
  override readonly name = 'ListingError';
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** True for a path that is safe to name a file inside a folder: relative, no `.`/`..`/empty segments, no backslashes. */
export function isSafeRepoPath(p: string): boolean {
  // eslint-disable-next-line no-control-regex
  return p.length > 0 && p.length <= 1024 && !/[\\\u0000-\u001f]/.test(p) && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

function size(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

function sha256Of(lfs: unknown): string | undefined {
  if (!isObject(lfs)) return undefined;
  const value = typeof lfs.sha256 === 'string' ? lfs.sha256 : typeof lfs.oid === 'string' ? lfs.oid : undefined;
  const hex = value?.replace(/^sha256:/, '').toLowerCase();
  return hex && SHA256.test(hex) ? hex : undefined;
}

function file(path: unknown, entry: Json): HubFile | undefined {
  if (typeof path !== 'string' || !isSafeRepoPath(path)) return undefined;
  const lfs = isObject(entry.lfs) ? entry.lfs : undefined;
  return { path, size: size(lfs?.size) ?? size(entry.size), sha256: sha256Of(lfs) };
}

/** Parses the model info answer (`siblings: [{ rfilename, size?, lfs? }]`, `sha`). */
export function parseRevisionListing(body: unknown): HubListing {
  if (!isObject(body) || !Array.isArray(body.siblings)) throw new ListingError('the model info has no "siblings" list');
  const files: HubFile[] = [];
  for (const s of body.siblings) {
    const f = isObject(s) ? file(s.rfilename, s) : undefined;
    if (f) files.push(f);
  }
  const commit = typeof body.sha === 'string' && COMMIT.test(body.sha) ? body.sha : undefined;
  return { commit, files };
}

/** Parses one page of the tree answer (`[{ type, path, size, lfs? }]`); folders are skipped. */
export function parseTreePage(body: unknown): HubFile[] {
  if (!Array.isArray(body)) throw new ListingError('the file tree is not a list');
  const files: HubFile[] = [];
  for (const e of body) {
    if (!isObject(e) || e.type !== 'file') continue;
    const f = file(e.path, e);
    if (f) files.push(f);
  }
  return files;
}

/** The `rel="next"` URL of a `Link` header (the tree API pages with it), resolved against `base`. */
export function nextPageUrl(link: string | undefined, base: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (m && /\brel="?next"?/.test(m[2])) {
      try {
        return new URL(m[1], base).toString();
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The SHA-256 in an `X-Linked-Etag` / `ETag` header value, when it is one (`"<64 hex>"`, maybe weak). */
export function sha256FromEtag(etag: string | undefined): string | undefined {
  const hex = etag?.trim().replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
  return hex && SHA256.test(hex) ? hex : undefined;
}
