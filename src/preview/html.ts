import { escapeHtml } from '../core/render/escape';
import { pageHead, requireStrongNonce, webviewCsp } from './page';

/** Everything the page needs; no vscode types, so tests build the real page in a browser. */
export interface PreviewPageOptions {
  /** `webview.cspSource`: the origin of local resources. */
  readonly cspSource: string;
  /** A fresh nonce for this page; the only script allowed to run carries it. */
  readonly nonce: string;
  /** URL of the bundled webview script (media/webview/preview.js). */
  readonly scriptUri: string;
  /** Stylesheets in order: built-in first, then the user's. */
  readonly styleUris: readonly string[];
  /** Adds `https:` to img-src (`inkwell.preview.allowHttpsImages`). */
  readonly allowHttpsImages: boolean;
  /** Window title inside the page (the post title). */
  readonly title: string;
  /** Sanitized header and body HTML. */
  readonly headerHtml: string;
  readonly bodyHtml: string;
  /**
   * `article` for a post, `tag` for a tag page; styles and script behaviour differ.
   * <body> gets `inkwell-page-<kind>`, never a class of the page's own content (such as a tag chip's).
   */
  readonly kind: 'article' | 'tag';
  /** Initial state, written as escaped `data-*` attributes on <body>, never as script. */
  readonly state: Readonly<Record<string, string | number | boolean | undefined>>;
}

/**
 * The Content-Security-Policy of a preview page: nothing by default; images and
 * styles from the extension/workspace; scripts only with this page's nonce.
 */
export function previewCsp(cspSource: string, nonce: string, allowHttpsImages: boolean): string {
  return webviewCsp({ img: `${cspSource} data:${allowHttpsImages ? ' https:' : ''}`, style: cspSource, font: cspSource, nonce });
}

/** Builds the whole HTML document of a preview page. */
export function buildPreviewHtml(o: PreviewPageOptions): string {
  requireStrongNonce(o.nonce, 'preview');
  const data = Object.entries(o.state)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` data-${k.replace(/[^a-z0-9-]/gi, '').toLowerCase()}="${escapeHtml(String(v))}"`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
${pageHead({ csp: previewCsp(o.cspSource, o.nonce, o.allowHttpsImages), styleUris: o.styleUris, title: o.title })}
<body class="inkwell-page-${o.kind}" data-kind="${o.kind}"${data}>
<main class="inkwell-page">
<div class="inkwell-header-slot">${o.headerHtml}</div>
<div class="inkwell-body">${o.bodyHtml}</div>
</main>
<script nonce="${o.nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>`;
}
