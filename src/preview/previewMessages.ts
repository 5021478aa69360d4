/**
 * The typed protocol between the extension and the preview webviews (article
 * preview and tag pages). Types only: both the host and the webview script use it.
 */

/** Messages the extension posts to a preview webview. */
export type HostToWebview =
  | {
      readonly type: 'update';
      /** Render version; the webview ignores an update older than what it shows. */
      readonly version: number;
      /** The post shown; differs from the page's when the preview follows another post. */
      readonly uri: string;
      /** Editor line to scroll to (when switching posts). */
      readonly line?: number;
      /** The new header, or undefined when only the body changed. */
      readonly headerHtml?: string;
      readonly bodyHtml: string;
    }
  | { readonly type: 'scrollToLine'; readonly line: number };

/** Messages a preview webview posts to the extension. */
export type WebviewToHost =
  /**
   * The page finished applying `version`; `text` is what a reader sees when the page was built to
   * report it (under the integration tests, see `Views.pagesReportText`), else empty.
   */
  | {
      readonly type: 'rendered';
      readonly uri: string;
      readonly version: number;
      readonly text: string;
      readonly title: string;
      readonly tags: readonly string[];
      /**
       * True for the report a page sends once its HTML has loaded (`version` is the HTML's).
       * VS Code drops messages posted to a page whose script has not started yet, so the
       * extension posts no update between setting the HTML and this report.
       */
      readonly loaded?: boolean;
    }
  /** The reader scrolled; `line` is the editor line at the top of the preview. */
  | { readonly type: 'revealLine'; readonly line: number }
  /** A link in the post was clicked (never followed inside the webview). */
  | { readonly type: 'openLink'; readonly href: string }
  /** A card on a tag page was clicked. */
  | { readonly type: 'openPost'; readonly uri: string }
  /** A tag chip was clicked. */
  | { readonly type: 'previewTag'; readonly tag: string };

/** What the article preview persists for restoring after a window reload. */
export interface PreviewPersistedState {
  readonly uri: string;
  readonly line?: number;
  readonly locked?: boolean;
}

/** Runtime check for messages coming from the webview (its content is untrusted). */
export function isWebviewToHost(value: unknown): value is WebviewToHost {
  if (!value || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'rendered':
      return (
        typeof m.uri === 'string' &&
        typeof m.version === 'number' &&
        typeof m.text === 'string' &&
        typeof m.title === 'string' &&
        Array.isArray(m.tags) &&
        (m.loaded === undefined || typeof m.loaded === 'boolean')
      );
    case 'revealLine':
      return typeof m.line === 'number' && Number.isFinite(m.line);
    case 'openLink':
      return typeof m.href === 'string';
    case 'openPost':
      return typeof m.uri === 'string';
    case 'previewTag':
      return typeof m.tag === 'string';
    default:
      return false;
  }
}
