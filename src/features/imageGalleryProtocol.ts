/**
 * The typed protocol between the extension and the image gallery webview, and
 * the gallery page's HTML. Free of the vscode API: the webview script imports
 * the types, and tests can build the page in a browser.
 */
import { escapeHtml } from '../core/render/escape';

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
  return [
    "default-src 'none'",
    'img-src data:',
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** The gallery page; initial state goes in escaped `data-*` attributes, never in inline script. */
export function buildGalleryHtml(o: GalleryPageOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(o.nonce)) throw new Error('The gallery nonce must be at least 16 base64 characters.');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(galleryCsp(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="referrer" content="no-referrer">
<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">
<title>${escapeHtml(o.title)}</title>
</head>
<body data-can-vary="${o.canVary}" data-upscale="${o.upscale}">
<header class="gallery-header">
  <h1>${escapeHtml(o.title)}</h1>
  <p class="gallery-subtitle">${escapeHtml(o.subtitle)}</p>
  <label class="gallery-alt">Alt text <input id="alt" type="text" value="${escapeHtml(o.alt)}" spellcheck="true" aria-describedby="alt-help"></label>
  <p id="alt-help" class="gallery-help">Describes the image for readers who cannot see it; inserted as <code>![alt](…)</code>.</p>
  <label class="gallery-hero"><input id="hero" type="checkbox"${o.hero ? ' checked' : ''}> Use as hero image (<code>image:</code> in the frontmatter) instead of inserting it at the cursor</label>
</header>
<p id="status" class="gallery-status" role="status" aria-live="polite"></p>
<ul id="grid" class="gallery-grid" aria-label="Candidates"></ul>
<footer class="gallery-footer"><button id="more" type="button">More</button></footer>
<script nonce="${o.nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>`;
}
