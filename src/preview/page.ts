/**
 * What every Inkwell webview page starts with: its Content-Security-Policy and
 * its <head>. Free of the vscode API, so tests build real pages in a browser.
 */
import { escapeHtml } from '../core/render/escape';

/** Where a page may load things from; everything else is refused (`default-src 'none'`). */
export interface PagePolicy {
  /** Sources of images, e.g. `${cspSource} data:` or just `data:`. */
  readonly img: string;
  /** Sources of stylesheets. */
  readonly style: string;
  /** Sources of fonts; none when absent. */
  readonly font?: string;
  /** This page's nonce: the only script allowed to run carries it. */
  readonly nonce: string;
}

/**
 * The Content-Security-Policy of a webview page: nothing by default, the given
 * sources for images, styles and fonts, scripts only with the page's nonce, and
 * no base URL, forms, frames or plugins.
 */
export function webviewCsp(p: PagePolicy): string {
  return [
    "default-src 'none'",
    `img-src ${p.img}`,
    `style-src ${p.style}`,
    ...(p.font ? [`font-src ${p.font}`] : []),
    `script-src 'nonce-${p.nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** What goes in a page's <head>. */
export interface PageHeadOptions {
  /** The page's policy (see {@link webviewCsp}). */
  readonly csp: string;
  /** Stylesheets in order. */
  readonly styleUris: readonly string[];
  readonly title: string;
}

/** The <head> element of a webview page: charset, CSP, viewport, no referrer, stylesheets, title. */
export function pageHead(o: PageHeadOptions): string {
  const styles = o.styleUris.map((u) => `<link rel="stylesheet" href="${escapeHtml(u)}">`).join('\n');
  return `<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(o.csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="referrer" content="no-referrer">
${styles}
<title>${escapeHtml(o.title)}</title>
</head>`;
}

/** Throws unless `nonce` is at least 16 base64 characters (`what` names the page in the message). */
export function requireStrongNonce(nonce: string, what: string): void {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error(`The ${what} nonce must be at least 16 base64 characters.`);
}

/** A page that only says `message` (escaped), with nothing allowed to load or run. */
export function errorPage(message: string): string {
  return `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p>${escapeHtml(message)}</p></body></html>`;
}
