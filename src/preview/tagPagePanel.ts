import * as vscode from 'vscode';
import type { ArticleRenderer } from '../core/render/engine';
import { buildTagTree, TagTreePost } from '../core/render/tagTree';
import { resolveImageSource } from '../core/render/urlPolicy';
import { debounce } from '../util/debounce';
import { makeNonce } from '../util/nonce';
import type { Views } from '../util/views';
import { buildPreviewHtml } from './html';
import { errorPage } from './page';
import { PanelLifetime } from './panelLifetime';
import { isWebviewToHost, WebviewToHost } from './previewMessages';
import { imagePolicyFor, previewWebviewOptions } from './resources';
import { readConfig } from '../util/config';

/** What a tag page needs from the extension. */
export interface TagPageDeps {
  readonly extensionUri: vscode.Uri;
  readonly renderer: () => Promise<ArticleRenderer>;
  readonly posts: () => readonly TagTreePost[];
  readonly onPostsChanged: vscode.Event<unknown>;
  readonly views: Views;
}

/**
 * The "Posts tagged X" page: a webview of cards (image, title, date, description),
 * newest first, refreshed when the post index changes. One panel, reused.
 */
export class TagPagePanel implements vscode.Disposable {
  static readonly viewType = 'inkwell.tagPreview';
  private readonly lifetime: PanelLifetime;
  /** Fires once the panel is closed or disposed. */
  readonly onDidDispose: vscode.Event<void>;
  private tagName: string;
  private version = 0;
  private readonly refreshSoon = debounce(
    () => void this.render(),
    () => 200,
  );

  constructor(
    private readonly panel: vscode.WebviewPanel,
    tag: string,
    private readonly deps: TagPageDeps,
  ) {
    this.tagName = tag;
    this.lifetime = new PanelLifetime(panel);
    this.onDidDispose = this.lifetime.onDidDispose;
    this.lifetime.add(this.refreshSoon);
    this.lifetime.add(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isWebviewToHost(m)) void this.onMessage(m);
      }),
    );
    this.lifetime.add(deps.onPostsChanged(() => this.refreshSoon()));
    this.lifetime.onDidBecomeVisible(() => void this.render());
    void this.render();
  }

  show(tag: string): void {
    this.tagName = tag;
    this.panel.reveal();
    void this.render();
  }

  private async render(): Promise<void> {
    const version = ++this.version;
    try {
      await this.renderVersion(version);
    } catch (err) {
      if (this.lifetime.isDisposed || version !== this.version) return;
      this.panel.webview.html = errorPage(`Inkwell could not show the tag page: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async renderVersion(version: number): Promise<void> {
    const renderer = await this.deps.renderer();
    if (this.lifetime.isDisposed || version !== this.version) return;
    const tag = this.tagName;
    const group = buildTagTree(this.deps.posts()).find((g) => g.tag === tag);
    const webview = this.panel.webview;
    const html = renderer.renderTagPage(tag, group?.posts ?? [], {
      locale: vscode.env.language,
      image: (post) => (post.image ? resolveImageSource(post.image, imagePolicyFor(vscode.Uri.parse(post.id), webview)) : undefined),
    });
    this.panel.title = `Posts tagged ${tag}`;
    webview.html = buildPreviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'webview', 'preview.js')).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'preview.css')).toString()],
      allowHttpsImages: readConfig('preview').allowHttpsImages,
      title: `Posts tagged ${tag}`,
      headerHtml: '',
      bodyHtml: html,
      kind: 'tag',
      state: { tag, version, reporttext: this.deps.views.pagesReportText || undefined },
    });
  }

  private async onMessage(message: WebviewToHost): Promise<void> {
    if (message.type === 'openPost') {
      const known = this.deps.posts().some((p) => p.id === message.uri);
      if (known)
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.parse(message.uri, true), { viewColumn: vscode.ViewColumn.One });
    } else if (message.type === 'previewTag') {
      this.show(message.tag);
    }
  }

  dispose(): void {
    this.lifetime.dispose();
  }

  /** Creates the panel beside the editor. */
  static create(tag: string, deps: TagPageDeps): TagPagePanel {
    const panel = deps.views.createWebviewPanel(
      TagPagePanel.viewType,
      `Posts tagged ${tag}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      previewWebviewOptions(deps.extensionUri),
    );
    return new TagPagePanel(panel, tag, deps);
  }
}
