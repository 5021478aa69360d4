/**
 * The typed protocol between the extension and the image gallery webview, and
 * the gallery page's HTML. Free of the vscode API: the webview script imports
 * the types, and tests can build the page in a browser.
 */
import { escapeHtml } from '../core/render/escape';
import { pageHead, requireStrongNonce, webviewCsp } from './page';

/** One candidate as the gallery shows it. */
export interface GalleryItem {
  /** Stable id within one gallery. */
  readonly id: number;
  /** A `data:image/png;base64,...` URL of the thumbnail (the model's own size). */
  readonly src: string;
  /** Short caption: the seed, and the label or blend weight when there is one. */
  readonly caption: string;
}

/** Messages the extension posts to the gallery. */
export type GalleryHostMessage =
  /** New candidates; `replace` clears the grid first. */
  | { readonly type: 'items'; readonly items: readonly GalleryItem[]; readonly replace: boolean }
  /** The line under the heading: which model made the candidates and what they are. */
  | { readonly type: 'subtitle'; readonly text: string }
  /** Work in progress (generating, saving) or done (`busy` false). */
  | { readonly type: 'status'; readonly busy: boolean; readonly text: string }
  | { readonly type: 'error'; readonly message: string }
  /** A candidate was saved and linked into the post. */
  | { readonly type: 'used'; readonly id: number; readonly link: string };

/** Messages the gallery posts to the extension. */
export type GalleryWebviewMessage =
  | { readonly type: 'ready' }
  /** Generate the next batch. */
  | { readonly type: 'more' }
  /** Save candidate `id` and insert it with this alt text, as the hero image or at the cursor. */
  | { readonly type: 'use'; readonly id: number; readonly alt: string; readonly hero?: boolean }
  /** Show variations of candidate `id` instead of new samples. */
  | { readonly type: 'vary'; readonly id: number };

/** The longest alt text the gallery sends (far more than any alt text needs). */
export const MAX_ALT_LENGTH = 2000;

/** A candidate id as the gallery numbers them: a whole number from 1. */
function isCandidateId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

/**
 * Runtime check for messages coming from the gallery page (its content is
 * untrusted): the type, and each field's type and range.
 */
export function isGalleryWebviewMessage(value: unknown): value is GalleryWebviewMessage {
  if (!value || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'more':
      return true;
    case 'use':
      return (
        isCandidateId(m.id) &&
        typeof m.alt === 'string' &&
        m.alt.length <= MAX_ALT_LENGTH &&
        (m.hero === undefined || typeof m.hero === 'boolean')
      );
    case 'vary':
      return isCandidateId(m.id);
    default:
      return false;
  }
}

/** What the gallery page is built from. */
export interface GalleryPageOptions {
  readonly cspSource: string;
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  /** Heading, e.g. "Images for “Training a GAN in One Afternoon”". */
  readonly title: string;
  /** A line under the heading: model name, licence, what the batch is. */
  readonly subtitle: string;
  /** Pre-filled alt text. */
  readonly alt: string;
  /** Whether "Use as hero image" starts checked. */
  readonly hero?: boolean;
  /** Whether candidates can be varied (any model can vary its own latents). */
  readonly canVary: boolean;
  /** Pixel-art models look best scaled with `nearest`; the setting picks the CSS rendering. */
  readonly upscale: 'nearest' | 'smooth';
}

/**
 * The gallery's Content-Security-Policy: nothing by default; generated images
 * arrive as `data:` URLs (never from disk or the network); styles from the
 * extension; the one script carries this page's nonce.
 */
export function galleryCsp(cspSource: string, nonce: string): string {
  return webviewCsp({ img: 'data:', style: cspSource, nonce });
}

/** The gallery page; initial state goes in escaped `data-*` attributes, never in inline script. */
export function buildGalleryHtml(o: GalleryPageOptions): string {
  requireStrongNonce(o.nonce, 'gallery');
  return `<!DOCTYPE html>
<html lang="en">
${pageHead({ csp: galleryCsp(o.cspSource, o.nonce), styleUris: [o.styleUri], title: o.title })}
<body data-can-vary="${o.canVary}" data-upscale="${o.upscale}">
<header class="gallery-header">
  <h1>${escapeHtml(o.title)}</h1>
  <p class="gallery-subtitle">${escapeHtml(o.subtitle)}</p>
  <label class="gallery-alt">Alt text <input id="alt" type="text" maxlength="${MAX_ALT_LENGTH}" value="${escapeHtml(o.alt)}" spellcheck="true" aria-describedby="alt-help"></label>
  <p id="alt-help" class="gallery-help">Describes the image for readers who cannot see it; inserted as <code>![alt](…)</code>.</p>
  <label class="gallery-hero"><input id="hero" type="checkbox"${o.hero ? ' checked' : ''}><span>Use as hero image (<code>image:</code> in the frontmatter) instead of inserting it at the cursor</span></label>
</header>
<p id="status" class="gallery-status" role="status" aria-live="polite"></p>
<ul id="grid" class="gallery-grid" aria-label="Candidates"></ul>
<footer class="gallery-footer"><button id="more" type="button">More</button></footer>
<script nonce="${o.nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>`;
}
