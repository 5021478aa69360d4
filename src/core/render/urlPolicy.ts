/**
 * Decides what the article preview may load or link to. Posts contain raw HTML
 * pasted from anywhere, so every URL is classified here before it reaches the page.
 */

/** How the preview treats images; built by the caller for one post. */
export interface ImagePolicy {
  /**
   * Maps a local reference (relative to the post, or site-root such as `/uploads/x.png`),
   * already stripped of `?query`/`#hash` and percent-decoded, to a URL the page can
   * load; undefined when no such file exists.
   */
  resolveLocal(path: string): string | undefined;
  /** Whether `https:` images may load (`inkwell.preview.allowHttpsImages`). */
  readonly allowHttpsImages: boolean;
}

/** The outcome of resolving an image reference. */
export type ImageSource =
  | { readonly kind: 'ok'; readonly src: string }
  | { readonly kind: 'missing'; readonly path: string }
  | { readonly kind: 'blocked'; readonly reason: string };

/** Data URLs of raster images are allowed: they load nothing and cannot run script. */
const SAFE_DATA_IMAGE = /^data:image\/(?:png|gif|jpeg|webp|avif);base64,[a-z0-9+/=]+$/i;

/**
 * The scheme of a URL as a browser would see it: browsers drop ASCII control
 * characters and whitespace inside the scheme (`java\tscript:` is `javascript:`).
 */
export function schemeOf(url: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const squeezed = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  if (squeezed.startsWith('//') || squeezed.startsWith('\\\\') || squeezed.startsWith('/\\') || squeezed.startsWith('\\/')) return '//';
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(squeezed);
  return m ? m[1].toLowerCase() : undefined;
}

/** Resolves an `<img src>` (or the `image` frontmatter field) under `policy`. */
export function resolveImageSource(src: string, policy: ImagePolicy): ImageSource {
  const trimmed = src.trim();
  if (!trimmed) return { kind: 'blocked', reason: 'The image has no source.' };
  const scheme = schemeOf(trimmed);
  if (scheme === 'https') {
    return policy.allowHttpsImages
      ? { kind: 'ok', src: trimmed }
      : { kind: 'blocked', reason: `Remote image not loaded (enable inkwell.preview.allowHttpsImages): ${trimmed}` };
  }
  if (scheme === 'data') {
    const compact = trimmed.replace(/\s+/g, '');
    return SAFE_DATA_IMAGE.test(compact)
      ? { kind: 'ok', src: compact }
      : { kind: 'blocked', reason: 'Only PNG, GIF, JPEG, WebP and AVIF data images are shown.' };
  }
  if (scheme === '//' || scheme === 'http') return { kind: 'blocked', reason: `Remote image not loaded: ${trimmed}` };
  if (scheme) return { kind: 'blocked', reason: `Images with a ${scheme}: address are not shown.` };
  const path = localPath(trimmed);
  if (path === undefined) return { kind: 'blocked', reason: `Malformed image path: ${trimmed}` };
  const resolved = policy.resolveLocal(path);
  return resolved ? { kind: 'ok', src: resolved } : { kind: 'missing', path };
}

/** A local reference without query or fragment, percent-decoded; undefined if malformed. */
export function localPath(ref: string): string | undefined {
  const bare = ref.replace(/[?#].*$/s, '');
  try {
    return decodeURIComponent(bare);
  } catch {
    return undefined;
  }
}

/** What the preview does with a link target. */
export type LinkTarget =
  | { readonly kind: 'anchor'; readonly id: string }
  | { readonly kind: 'external'; readonly href: string }
  | { readonly kind: 'local'; readonly path: string; readonly fragment?: string }
  | { readonly kind: 'blocked' };

const EXTERNAL_SCHEMES = new Set(['http', 'https', 'mailto']);

/** Classifies an `<a href>`: only same-page anchors, http(s)/mailto and local files survive. */
export function classifyLink(href: string): LinkTarget {
  const trimmed = href.trim();
  if (trimmed.startsWith('#')) return { kind: 'anchor', id: safeDecode(trimmed.slice(1)) };
  const scheme = schemeOf(trimmed);
  if (scheme === '//') return { kind: 'blocked' };
  if (scheme) return EXTERNAL_SCHEMES.has(scheme) ? { kind: 'external', href: trimmed } : { kind: 'blocked' };
  const path = localPath(trimmed);
  if (path === undefined || !path) return { kind: 'blocked' };
  const hash = trimmed.indexOf('#');
  return { kind: 'local', path, fragment: hash >= 0 ? safeDecode(trimmed.slice(hash + 1)) : undefined };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
