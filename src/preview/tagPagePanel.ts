import * as vscode from 'vscode';
import type { ArticleRenderer } from '../core/render/engine';
import { buildTagTree, TagTreePost } from '../core/render/tagTree';
import { resolveImageSource } from '../core/render/urlPolicy';
import { debounce } from '../util/debounce';
import { DisposableStore } from '../util/dispose';
import { makeNonce } from '../util/nonce';
import { buildPreviewHtml } from './html';
import { isWebviewToHost, WebviewToHost } from './protocol';
import { imagePolicyFor, previewWebviewOptions } from './resources';
import type { RenderedPreview } from './articlePreview';

/** What a tag page needs from the extension. */
export interface TagPageDeps {
  readonly extensionUri: vscode.Uri;
  readonly renderer: () => Promise<ArticleRenderer>;
  readonly posts: () => readonly TagTreePost[];
  readonly onPostsChanged: vscode.Event<unknown>;
}

/**
 * The "Posts tagged X" page: a webview of cards (image, title, date, description),
 * newest first, refreshed when the post index changes. One panel, reused.
 */
export class TagPagePanel implements vscode.Disposable {
  static readonly viewType = 'inkwell.tagPreview';
  private readonly store = new DisposableStore();
  private tagName: string;
  private version = 0;
  private disposed = false;
  private last: RenderedPreview | undefined;
  private readonly didDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.didDispose.event;
  private readonly refreshSoon = debounce(() => void this.render(), () => 200);

  constructor(private readonly panel: vscode.WebviewPanel, tag: string, private readonly deps: TagPageDeps) {
    this.tagName = tag;
    this.store.add(this.refreshSoon);
    this.store.add(panel.onDidDispose(() => this.dispose()));
    this.store.add(panel.webview.onDidReceiveMessage((m: unknown) => {
      if (isWebviewToHost(m)) void this.onMessage(m);
    }));
    this.store.add(deps.onPostsChanged(() => this.refreshSoon()));
    let wasVisible = panel.visible;
    this.store.add(panel.onDidChangeViewState(() => {
      if (panel.visible && !wasVisible) void this.render();
      wasVisible = panel.visible;
    }));
    void this.render();
  }

  get tag(): string {
    return this.tagName;
  }

  get lastRendered(): RenderedPreview | undefined {
    return this.last;
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
      if (this.disposed || version !== this.version) return;
      const message = (err instanceof Error ? err.message : String(err)).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
      this.panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p>Inkwell could not show the tag page: ${message}</p></body></html>`;
    }
  }

  private async renderVersion(version: number): Promise<void> {
    const renderer = await this.deps.renderer();
    if (this.disposed || version !== this.version) return;
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
      allowHttpsImages: vscode.workspace.getConfiguration('inkwell.preview').get<boolean>('allowHttpsImages', false),
      title: `Posts tagged ${tag}`,
      headerHtml: '',
      bodyHtml: html,
      kind: 'tag',
      state: { tag, version },
    });
  }

  private async onMessage(message: WebviewToHost): Promise<void> {
    if (message.type === 'rendered') {
      this.last = { uri: `tag:${this.tagName}`, version: message.version, title: message.title, tags: message.tags, text: message.text };
    } else if (message.type === 'openPost') {
      const known = this.deps.posts().some((p) => p.id === message.uri);
      if (known) await vscode.commands.executeCommand('vscode.open', vscode.Uri.parse(message.uri, true), { viewColumn: vscode.ViewColumn.One });
    } else if (message.type === 'previewTag') {
      this.show(message.tag);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.store.dispose();
    this.panel.dispose();
    this.didDispose.fire();
    this.didDispose.dispose();
  }

  /** Creates the panel beside the editor. */
  static create(tag: string, deps: TagPageDeps): TagPagePanel {
    const panel = vscode.window.createWebviewPanel(TagPagePanel.viewType, `Posts tagged ${tag}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, previewWebviewOptions(deps.extensionUri));
    return new TagPagePanel(panel, tag, deps);
  }
}
