import * as path from 'path';
import * as vscode from 'vscode';
import type { ArticleRenderer } from '../core/render/engine';
import { classifyLink } from '../core/render/urlPolicy';
import { readConfig } from '../util/config';
import { debounce } from '../util/debounce';
import type { Logger } from '../util/logger';
import type { Views } from '../util/views';
import { makeNonce } from '../util/nonce';
import { buildPreviewHtml } from './html';
import { errorPage } from './page';
import { PanelLifetime } from './panelLifetime';
import { HostToWebview, isWebviewToHost, PreviewPersistedState, WebviewToHost } from './previewMessages';
import { imagePolicyFor, onDidChangeAllowedExternalFolders, previewWebviewOptions, resolvePostResource, userStylesheet } from './resources';

/** What the article preview needs from the rest of the extension. */
export interface ArticlePreviewDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: Logger;
  /** Loads the renderer on first use (markdown-it and sanitize-html are heavy). */
  readonly renderer: () => Promise<ArticleRenderer>;
  readonly views: Pick<Views, 'pagesReportText'>;
}

/** Milliseconds during which a scroll we caused is not echoed back to its source. */
const ECHO_WINDOW_MS = 250;

/**
 * One article preview panel showing one post at a time. The first render sets
 * the page HTML (fresh nonce); edits re-render after `inkwell.preview.debounceMs`
 * and travel by postMessage, the body alone when the header did not change.
 * Every render has a version: a render overtaken by a newer one is dropped.
 */
export class ArticlePreview implements vscode.Disposable {
  static readonly viewType = 'inkwell.preview';

  private readonly lifetime: PanelLifetime;
  /** Fires once the panel is closed or the preview disposed. */
  readonly onDidDispose: vscode.Event<void>;

  private resourceUri: vscode.Uri;
  private lockedState: boolean;
  private version = 0;
  /** The document and header the page holds (header undefined: unknown, send it with the next update). */
  private page: { uri: string; header: string | undefined } | undefined;
  /**
   * The version of the HTML last set while its page has not reported loading it yet.
   * VS Code loses a message posted to a page whose script has not started (it hands
   * the page its queued messages 200 ms after the HTML, loaded or not), so updates
   * wait for the page's `loaded` report instead of being posted into the void.
   */
  private loadingVersion: number | undefined;
  /** A render happened while the page was loading: send the current state once it has loaded. */
  private updateAfterLoad = false;
  /** A settings change asked for a new page; a render that overtakes it must still rebuild the page. */
  private fullPageWanted = false;
  private pendingLine: number | undefined;
  private ignoreEditorScrollUntil = 0;
  private ignorePreviewScrollUntil = 0;
  private readonly scheduleRender = debounce(
    () => void this.render(false),
    () => readConfig('preview', this.resourceUri).debounceMs,
  );

  constructor(
    readonly panel: vscode.WebviewPanel,
    resource: vscode.Uri,
    options: { locked?: boolean; line?: number },
    private readonly deps: ArticlePreviewDeps,
  ) {
    this.resourceUri = resource;
    this.lockedState = !!options.locked;
    this.pendingLine = options.line;
    panel.webview.options = previewWebviewOptions(deps.extensionUri);
    this.lifetime = new PanelLifetime(panel);
    this.onDidDispose = this.lifetime.onDidDispose;
    this.lifetime.add(this.scheduleRender);
    this.lifetime.add(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isWebviewToHost(m)) void this.onMessage(m);
      }),
    );
    this.lifetime.onDidBecomeVisible(() => void this.render(true));
    this.lifetime.add(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.resourceUri.toString() && e.contentChanges.length) this.scheduleRender();
      }),
    );
    this.lifetime.add(
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
        if (e.textEditor.document.uri.toString() !== this.resourceUri.toString() || !e.visibleRanges.length) return;
        if (Date.now() < this.ignoreEditorScrollUntil) return;
        this.ignorePreviewScrollUntil = Date.now() + ECHO_WINDOW_MS;
        void panel.webview.postMessage({ type: 'scrollToLine', line: e.visibleRanges[0].start.line });
      }),
    );
    this.lifetime.add(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('inkwell.preview') || e.affectsConfiguration('inkwell.posts.staticFolders')) void this.render(true);
      }),
    );
    // The user allowed a linked folder outside the workspace: its images can show now.
    this.lifetime.add(onDidChangeAllowedExternalFolders(() => void this.render(true)));
    void this.render(true);
  }

  get resource(): vscode.Uri {
    return this.resourceUri;
  }

  get locked(): boolean {
    return this.lockedState;
  }

  /** Shows another post (the first render of a new post is immediate). */
  show(resource: vscode.Uri, line?: number): void {
    if (resource.toString() === this.resourceUri.toString()) return;
    this.resourceUri = resource;
    this.pendingLine = line;
    this.scheduleRender.dispose();
    void this.render(false);
  }

  setLocked(locked: boolean): void {
    this.lockedState = locked;
    void this.render(true);
  }

  /** Renders the current post now. `fullPage` rebuilds the HTML (new nonce, settings re-read). */
  async render(fullPage: boolean): Promise<void> {
    if (fullPage) this.fullPageWanted = true;
    const version = ++this.version;
    const uri = this.resourceUri;
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      const renderer = await this.deps.renderer();
      // A newer edit or another post arrived while we waited: that render wins.
      if (this.lifetime.isDisposed || version !== this.version) return;
      const webview = this.panel.webview;
      const article = renderer.render(doc.getText(), { locale: vscode.env.language, images: imagePolicyFor(uri, webview) });
      const name = article.meta.title ?? path.posix.basename(uri.path);
      this.panel.title = `${this.lockedState ? '[Locked] ' : ''}Preview ${name}`;
      if (this.fullPageWanted || !this.page) {
        const styles = [webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'preview.css')).toString()];
        const user = userStylesheet(uri, webview);
        if (user) styles.push(user);
        webview.html = buildPreviewHtml({
          cspSource: webview.cspSource,
          nonce: makeNonce(),
          scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'webview', 'preview.js')).toString(),
          styleUris: styles,
          allowHttpsImages: readConfig('preview', uri).allowHttpsImages,
          title: name,
          headerHtml: article.headerHtml,
          bodyHtml: article.bodyHtml,
          kind: 'article',
          state: {
            uri: uri.toString(),
            version,
            locked: this.lockedState,
            line: this.pendingLine,
            reporttext: this.deps.views.pagesReportText || undefined,
          },
        });
        this.pendingLine = undefined;
        this.fullPageWanted = false;
        this.loadingVersion = version;
        this.updateAfterLoad = false;
      } else if (this.loadingVersion !== undefined) {
        // The page has not loaded yet; it gets this state as soon as it has (see onMessage).
        this.updateAfterLoad = true;
        return;
      } else {
        // Edits and switches to another post go by message: no page reload, no flash.
        const samePost = this.page.uri === uri.toString();
        const headerHtml = samePost && article.headerHtml === this.page.header ? undefined : article.headerHtml;
        const message: HostToWebview = {
          type: 'update',
          version,
          uri: uri.toString(),
          line: samePost ? undefined : this.pendingLine,
          headerHtml,
          bodyHtml: article.bodyHtml,
        };
        this.pendingLine = undefined;
        void webview.postMessage(message);
      }
      this.page = { uri: uri.toString(), header: article.headerHtml };
    } catch (err) {
      if (this.lifetime.isDisposed || version !== this.version) return;
      const message = err instanceof Error ? err.message : String(err);
      this.deps.log.error(`Article preview of ${uri.toString(true)} failed: ${message}`);
      this.page = undefined;
      this.loadingVersion = undefined;
      this.panel.webview.html = errorPage(`Inkwell could not preview ${path.posix.basename(uri.path)}: ${message}`);
    }
  }

  private async onMessage(message: WebviewToHost): Promise<void> {
    switch (message.type) {
      case 'rendered':
        // The integration tests read what the page reports; the host only needs a page's first report.
        if (message.loaded) this.onPageLoaded(message.uri, message.version);
        break;
      case 'revealLine': {
        if (Date.now() < this.ignorePreviewScrollUntil) return;
        for (const editor of vscode.window.visibleTextEditors) {
          if (editor.document.uri.toString() !== this.resourceUri.toString()) continue;
          this.ignoreEditorScrollUntil = Date.now() + ECHO_WINDOW_MS;
          const line = Math.max(0, Math.min(message.line, editor.document.lineCount - 1));
          editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.AtTop);
        }
        break;
      }
      case 'openLink':
        await openLink(this.resourceUri, message.href);
        break;
      case 'previewTag':
        await vscode.commands.executeCommand('inkwell.previewTag', message.tag);
        break;
      case 'openPost':
        break;
    }
  }

  /**
   * A page reported its HTML loaded. Renders that waited for it are sent now; so is the
   * current state when the page is an older one (VS Code restores a webview from the
   * HTML last set, which later updates have moved past).
   */
  private onPageLoaded(uri: string, version: number): void {
    if (this.loadingVersion !== undefined && version < this.loadingVersion) return; // a page already replaced
    const waited = this.updateAfterLoad;
    this.loadingVersion = undefined;
    this.updateAfterLoad = false;
    if (!waited && version === this.version) return;
    if (this.page) this.page = { uri, header: undefined };
    void this.render(false);
  }

  /** State persisted by the serializer: what to show after a window reload. */
  persistedState(): PreviewPersistedState {
    return { uri: this.resourceUri.toString(), locked: this.lockedState };
  }

  dispose(): void {
    this.lifetime.dispose();
  }
}

/** Opens a link clicked in a preview: web and mail links outside, local files in the editor. */
export async function openLink(post: vscode.Uri, href: string): Promise<void> {
  const target = classifyLink(href);
  if (target.kind === 'external') {
    await vscode.env.openExternal(vscode.Uri.parse(target.href, true));
  } else if (target.kind === 'local') {
    const file = resolvePostResource(post, target.path);
    if (!file) {
      void vscode.window.showWarningMessage(`Inkwell: the link target ${target.path} does not exist.`);
      return;
    }
    await vscode.commands.executeCommand('vscode.open', file, { viewColumn: vscode.ViewColumn.One });
  }
}
