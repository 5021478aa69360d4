import * as vscode from 'vscode';
import { PostIndex, PostIndexChange, PostSummary } from '../core/posts/postIndex';
import { createPostMatcher, IMAGE_EXTENSIONS } from '../core/posts/postGlobs';
import { onConfigChange, readConfig } from '../util/config';
import { DisposableStore } from '../util/dispose';
import { mapLimit } from '../util/mapLimit';
import type { Logger } from '../util/logger';
import type { SiteService } from './siteService';

export type { PostIndexChange, PostSummary } from '../core/posts/postIndex';

/** Files read at once during the initial scan: enough to hide latency, few enough to stay gentle. */
const SCAN_CONCURRENCY = 16;

/**
 * The workspace's post index, kept current: a scan of every file matching
 * `inkwell.posts.include` / `exclude` after activation, then file system
 * events and edits to open documents, one post at a time. Features read the
 * pure `index` and listen to `onDidChange`.
 */
export class PostIndexService implements vscode.Disposable {
  /** The pure index; ids are `uri.toString()`. */
  readonly index = new PostIndex();
  private readonly emitter = new vscode.EventEmitter<PostIndexChange>();
  /** Fires after the index changed (in bulk during the initial scan). */
  readonly onDidChange = this.emitter.event;
  private readonly store = new DisposableStore();
  private readonly watchers = new DisposableStore();
  private matchers = new Map<string, (relative: string) => boolean>();
  private scan: Promise<void> | undefined;
  private scanGeneration = 0;
  private images: Promise<vscode.Uri[]> | undefined;
  private readonly pendingDocs = new Map<string, NodeJS.Timeout>();

  /** `site`: the site generator conventions, which supply default post globs (and validation reads). */
  constructor(
    private readonly log?: Logger,
    readonly site?: SiteService,
  ) {
    this.store.add(this.emitter);
    this.store.add(this.watchers);
    this.store.add(this.index.onDidChange((c) => this.emitter.fire(c)));
    this.store.add(vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e.document)));
    this.store.add(vscode.workspace.onDidOpenTextDocument((d) => this.onEdit(d, 0)));
    this.store.add(
      vscode.workspace.onDidCloseTextDocument((d) => {
        // A closed document with unsaved edits falls back to what is on disk.
        if (d.isDirty && this.isPost(d.uri)) void this.readAndUpsert(d.uri);
      }),
    );
    this.store.add(onConfigChange('posts', () => void this.rebuild()));
    if (site) this.store.add(site.onDidChange(() => void this.rebuild()));
    this.store.add(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rebuild()));
    const imageWatcher = vscode.workspace.createFileSystemWatcher(`**/*.{${IMAGE_EXTENSIONS.join(',')}}`, false, true, false);
    const forget = () => (this.images = undefined);
    this.store.add(imageWatcher);
    this.store.add(imageWatcher.onDidCreate(forget));
    this.store.add(imageWatcher.onDidDelete(forget));
    this.store.add({ dispose: () => this.pendingDocs.forEach((t) => clearTimeout(t)) });
  }

  /**
   * Starts the initial scan (or returns the one in flight). Activation calls
   * this without awaiting so it never blocks; features await it when they need
   * the whole workspace.
   */
  ready(): Promise<void> {
    return (this.scan ??= this.build());
  }

  /** Drops everything and scans again (settings or folders changed). */
  rebuild(): Promise<void> {
    this.matchers.clear();
    this.scan = this.build();
    return this.scan;
  }

  /** True when the settings make this file a post. */
  isPost(uri: vscode.Uri): boolean {
    if (uri.scheme !== 'file' && uri.scheme !== 'untitled' && uri.scheme !== 'vscode-remote') return false;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return /\.(md|markdown)$/i.test(uri.path);
    return this.matcherFor(folder)(relativeTo(folder.uri, uri));
  }

  /** The index entry of a file, if it is an indexed post. */
  get(uri: vscode.Uri): PostSummary | undefined {
    return this.index.get(uri.toString());
  }

  /** The URI of an index entry. */
  uriOf(post: PostSummary): vscode.Uri {
    return vscode.Uri.parse(post.id);
  }

  /** Image files in the workspace (for `image:` completions and fixes), cached until one is added or deleted. */
  imageFiles(): Promise<vscode.Uri[]> {
    if (!this.images) {
      const attempt = Promise.resolve(
        vscode.workspace.findFiles(`**/*.{${IMAGE_EXTENSIONS.join(',')}}`, '{**/node_modules/**,**/.git/**}', 5000),
      );
      this.images = attempt;
      attempt.then(undefined, () => {
        if (this.images === attempt) this.images = undefined;
      });
    }
    return this.images;
  }

  dispose(): void {
    this.scanGeneration++;
    this.store.dispose();
  }

  /** Post globs of a folder: the site generator's defaults unless the user set `inkwell.posts.include`. */
  private globsOf(folder: vscode.WorkspaceFolder): { include: readonly string[]; exclude: readonly string[] } {
    return this.site?.cached(folder) ?? readConfig('posts', folder);
  }

  private matcherFor(folder: vscode.WorkspaceFolder): (relative: string) => boolean {
    const key = folder.uri.toString();
    let m = this.matchers.get(key);
    if (!m) {
      const cfg = this.globsOf(folder);
      m = createPostMatcher(cfg.include, cfg.exclude);
      this.matchers.set(key, m);
    }
    return m;
  }

  private async build(): Promise<void> {
    const generation = ++this.scanGeneration;
    const started = performance.now();
    this.watchers.clear();
    const files: vscode.Uri[] = [];
    if (this.site) {
      await this.site.ready();
      // Matchers made while the conventions loaded used the plain settings.
      this.matchers.clear();
    }
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const cfg = this.globsOf(folder);
      for (const glob of cfg.include) {
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, glob));
        this.watchers.add(watcher);
        this.watchers.add(watcher.onDidCreate((u) => this.onFileEvent(u)));
        this.watchers.add(watcher.onDidChange((u) => this.onFileEvent(u)));
        this.watchers.add(watcher.onDidDelete((u) => this.onFileDeleted(u)));
      }
      if (!cfg.include.length) continue;
      const include = new vscode.RelativePattern(folder, cfg.include.length === 1 ? cfg.include[0] : `{${cfg.include.join(',')}}`);
      const exclude = cfg.exclude.length ? `{${cfg.exclude.join(',')}}` : null;
      const found = await vscode.workspace.findFiles(include, exclude);
      const matcher = this.matcherFor(folder);
      for (const uri of found) if (matcher(relativeTo(folder.uri, uri))) files.push(uri);
    }
    if (generation !== this.scanGeneration) return;
    // Read in parallel, index in one transaction per chunk so listeners see few bulk events.
    const seen = new Set<string>();
    for (let i = 0; i < files.length; i += 256) {
      const chunk = files.slice(i, i + 256);
      const texts = await mapLimit(chunk, SCAN_CONCURRENCY, (uri) => this.textOf(uri));
      if (generation !== this.scanGeneration) return;
      this.index.transaction(() => {
        chunk.forEach((uri, n) => {
          const text = texts[n];
          if (text === undefined) return;
          seen.add(uri.toString());
          this.index.upsert(uri.toString(), text);
        });
      });
    }
    // Posts that no longer match (settings changed) leave the index.
    this.index.transaction(() => {
      for (const post of this.index.all()) if (!seen.has(post.id)) this.index.remove(post.id);
    });
    this.log?.info(`Indexed ${this.index.size} posts in ${(performance.now() - started).toFixed(0)} ms`);
  }

  /** An open document's text (it may be unsaved), else the file's; undefined when unreadable. */
  async textOf(uri: vscode.Uri): Promise<string | undefined> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return open.getText();
    try {
      return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
    } catch (err) {
      this.log?.warn(`Could not read ${uri.fsPath}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }

  private async readAndUpsert(uri: vscode.Uri): Promise<void> {
    const text = await this.textOf(uri);
    if (text !== undefined && this.isPost(uri)) this.index.upsert(uri.toString(), text);
  }

  private onFileEvent(uri: vscode.Uri): void {
    // Open documents are tracked through their edits; the file event would be stale.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open?.isDirty) return;
    if (this.isPost(uri)) void this.readAndUpsert(uri);
  }

  private onFileDeleted(uri: vscode.Uri): void {
    const id = uri.toString();
    // A deleted folder reports only itself: drop every post under it.
    const prefix = id.endsWith('/') ? id : id + '/';
    this.index.transaction(() => {
      this.index.remove(id);
      for (const post of this.index.all()) if (post.id.startsWith(prefix)) this.index.remove(post.id);
    });
  }

  private onEdit(doc: vscode.TextDocument, delayMs = 100): void {
    if (!this.isPost(doc.uri)) return;
    const id = doc.uri.toString();
    const pending = this.pendingDocs.get(id);
    if (pending) clearTimeout(pending);
    const run = () => {
      this.pendingDocs.delete(id);
      if (!doc.isClosed) this.index.upsert(id, doc.getText());
    };
    if (delayMs === 0) run();
    else this.pendingDocs.set(id, setTimeout(run, delayMs));
  }

  /** Applies a document's pending edit now (validation wants its tags current before it runs). */
  flush(doc: vscode.TextDocument): void {
    const id = doc.uri.toString();
    const pending = this.pendingDocs.get(id);
    if (pending) clearTimeout(pending);
    this.pendingDocs.delete(id);
    if ((pending || !this.index.has(id)) && !doc.isClosed && this.isPost(doc.uri)) this.index.upsert(id, doc.getText());
  }
}

function relativeTo(folder: vscode.Uri, uri: vscode.Uri): string {
  const base = folder.path.endsWith('/') ? folder.path : folder.path + '/';
  return uri.path.startsWith(base) ? uri.path.slice(base.length) : uri.path.replace(/^\//, '');
}
