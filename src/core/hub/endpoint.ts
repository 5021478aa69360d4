/**
 * Where a model hub lives and how its URLs are built. Inkwell talks to a
 * Hugging Face-style hub (the public one, a mirror or a company proxy) only when
 * the user asks for a download; everything here is pure string work.
 */

/** The public hub, used when neither the setting nor `HF_ENDPOINT` names another. */
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** The branch downloaded when no revision is given. */
export const DEFAULT_REVISION = 'main';

/** A repository id, revision or endpoint Inkwell will not use, with the reason. */
export class HubInputError extends Error {
  override readonly name = 'HubInputError';
}

/** Where the endpoint in use came from, for messages. */
export type EndpointSource = 'setting' | 'HF_ENDPOINT' | 'default' | 'option';

export interface ResolvedEndpoint {
  /** Scheme, host and optional path prefix, without a trailing slash. */
  url: string;
  source: EndpointSource;
}

/**
 * The endpoint to use: an explicit value (a command-line option, or a setting
 * the user changed) wins, then the `HF_ENDPOINT` environment variable (as the
 * Python client reads it), then the public hub. Throws {@link HubInputError}
 * for a value that is not an http(s) URL.
 */
export function resolveHubEndpoint(input: {
  explicit?: string;
  explicitSource?: 'setting' | 'option';
  env?: Readonly<Record<string, string | undefined>>;
}): ResolvedEndpoint {
  const explicit = input.explicit?.trim();
  if (explicit) return { url: normalizeEndpoint(explicit), source: input.explicitSource ?? 'setting' };
  const fromEnv = input.env?.HF_ENDPOINT?.trim();
  if (fromEnv) return { url: normalizeEndpoint(fromEnv), source: 'HF_ENDPOINT' };
  return { url: DEFAULT_HUB_ENDPOINT, source: 'default' };
}

/** Checks that `value` is an http(s) URL without query or fragment and strips trailing slashes. */
export function normalizeEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new HubInputError(`"${value}" is not a URL; the model hub endpoint looks like ${DEFAULT_HUB_ENDPOINT}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HubInputError(`The model hub endpoint must be an http or https URL, not ${url.protocol}.`);
  }
  if (url.search || url.hash) throw new HubInputError(`The model hub endpoint ${redactUrl(value)} must not have a query or fragment.`);
  return url.toString().replace(/\/+$/, '');
}

/** `url` without user name and password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

const REPO_PART = /^[A-Za-z0-9_.-]+$/;

/**
 * Checks a repository id (`owner/name`, or a bare legacy `name` such as
 * `distilgpt2`) by the rules the hub applies, so it can go into a URL path
 * and a folder name. Returns it trimmed.
 */
export function checkRepoId(value: string): string {
  const repo = value.trim();
  const parts = repo.split('/');
  const ok =
    repo.length > 0 &&
    repo.length <= 96 &&
    parts.length <= 2 &&
    parts.every((p) => REPO_PART.test(p) && !/^[.-]|[.-]$/.test(p)) &&
    !repo.includes('--') &&
    !repo.includes('..');
  if (!ok) {
    throw new HubInputError(
      `"${value}" is not a model repository id. Use owner/name as it appears on the hub, for example HuggingFaceTB/SmolLM2-135M-Instruct.`,
    );
  }
  return repo;
}

/** Checks a revision (branch, tag, commit or `refs/pr/N`); returns it trimmed. */
export function checkRevision(value: string | undefined): string {
  const revision = (value ?? '').trim() || DEFAULT_REVISION;
  if (
    revision.length > 255 ||
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f\\]/.test(revision) ||
    revision.split('/').some((p) => p === '.' || p === '..' || p === '')
  ) {
    throw new HubInputError(`"${value}" is not a revision; use a branch, a tag or a commit id.`);
  }
  return revision;
}

/** Percent-encodes each segment of a repository file path. */
export function encodeRepoPath(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

/** `{endpoint}/{repo}/resolve/{revision}/{path}`: a file's content (LFS files redirect to a CDN). */
export function resolveUrl(endpoint: string, repo: string, revision: string, file: string): string {
  return `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${encodeRepoPath(file)}`;
}

/** `{endpoint}/api/models/{repo}/revision/{revision}?blobs=true`: the commit and every file with size and LFS hash. */
export function revisionApiUrl(endpoint: string, repo: string, revision: string): string {
  return `${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
}

/** `{endpoint}/api/models/{repo}/tree/{revision}?recursive=true`: every file, paged. */
export function treeApiUrl(endpoint: string, repo: string, revision: string): string {
  return `${endpoint}/api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true`;
}
