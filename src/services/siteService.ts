import * as vscode from 'vscode';
import { isConfigFile, SITE_ENTRIES, SiteListing } from '../core/site/detect';
import { GeneratorSetting, isGeneratorId } from '../core/site/generators';
import { ASTRO_CONTENT_CONFIGS, AstroFacts, describeSite, loadSite, Site } from '../core/site/site';
import { isUserSet, readConfig } from '../util/config';
import { DisposableStore } from '../util/dispose';
import type { Logger } from '../util/logger';

/** Largest config file detection reads. */
const MAX_CONFIG_BYTES = 256 * 1024;

/**
 * The site generator of each workspace folder (`inkwell.site.generator`, or
 * detected from its files), loaded once and again when its config files or
 * the settings change. The post index takes its globs from here and
 * validation its schema, checks and static folders.
 */
export class SiteService implements vscode.Disposable {
  private readonly sites = new Map<string, { site?: Site; pending: Promise<Site> }>();
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when a folder's conventions may have changed. */
  readonly onDidChange = this.emitter.event;
  private readonly store = new DisposableStore();

  constructor(private readonly log?: Logger) {
    this.store.add(this.emitter);
    this.store.add(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (
          e.affectsConfiguration('inkwell.site') ||
          e.affectsConfiguration('inkwell.posts') ||
          e.affectsConfiguration('inkwell.validation.severity')
        )
          this.reset();
      }),
    );
    this.store.add(vscode.workspace.onDidChangeWorkspaceFolders(() => this.reset()));
    const watcher = vscode.workspace.createFileSystemWatcher(
      '{*.{toml,yml,yaml,json,js,cjs,mjs,ts,mts,cts},.astro/collections/*.schema.json,src/content.config.*,src/content/config.*}',
    );
    this.store.add(watcher);
    const changed = (uri: vscode.Uri) => {
      const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
      if (isConfigFile(name) || uri.path.includes('/.astro/collections/') || /\/src\/content(\.config|\/config)\./.test(uri.path))
        this.reset();
    };
    this.store.add(watcher.onDidCreate(changed));
    this.store.add(watcher.onDidChange(changed));
    this.store.add(watcher.onDidDelete(changed));
  }

  dispose(): void {
    this.store.dispose();
  }

  private reset(): void {
    this.sites.clear();
    this.emitter.fire();
  }

  /** The conventions of a folder, loaded on first use. */
  site(folder: vscode.WorkspaceFolder): Promise<Site> {
    const key = folder.uri.toString();
    let entry = this.sites.get(key);
    if (!entry) {
      const pending = this.load(folder);
      const e: { site?: Site; pending: Promise<Site> } = { pending };
      entry = e;
      this.sites.set(key, e);
      pending.then(
        (s) => (e.site = s),
        () => this.sites.delete(key),
      );
    }
    return entry.pending;
  }

  /** The conventions of a folder if already loaded (synchronous callers); starts loading otherwise. */
  cached(folder: vscode.WorkspaceFolder): Site | undefined {
    const entry = this.sites.get(folder.uri.toString());
    if (!entry) void this.site(folder).catch(() => undefined);
    return entry?.site;
  }

  /** Loads every folder's conventions. */
  async ready(): Promise<void> {
    await Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => this.site(f).catch(() => undefined)));
  }

  /** "Hugo (detected from hugo.toml)" for each folder, for tooltips. */
  describe(folder: vscode.WorkspaceFolder): string | undefined {
    const site = this.cached(folder);
    return site ? describeSite(site) : undefined;
  }

  private async load(folder: vscode.WorkspaceFolder): Promise<Site> {
    const setting: string = readConfig('site', folder).generator;
    const generator: GeneratorSetting = setting === 'none' || setting === 'auto' || isGeneratorId(setting) ? setting : 'auto';
    const posts = readConfig('posts', folder);
    const userSet = (key: string) => isUserSet('posts', key, folder);
    const listing = await this.listing(folder.uri);
    const site = await loadSite(
      listing,
      {
        generator,
        include: userSet('include') ? posts.include : undefined,
        exclude: posts.exclude,
        staticFolders: userSet('staticFolders') ? posts.staticFolders : undefined,
      },
      await this.astroFacts(folder.uri),
    );
    for (const note of site.notes) this.log?.warn(`Site conventions of ${folder.name}: ${note}`);
    this.log?.info(`Site generator of ${folder.name}: ${describeSite(site)}`);
    return site;
  }

  /** The names at the root of a folder and the text of its configuration files, as detection reads them. */
  async listing(root: vscode.Uri): Promise<SiteListing> {
    const entries: string[] = [];
    const contents: Record<string, string> = {};
    let names: [string, vscode.FileType][] = [];
    try {
      names = await vscode.workspace.fs.readDirectory(root);
    } catch {
      return { entries, contents };
    }
    for (const [name, type] of names) {
      const dir = (type & vscode.FileType.Directory) !== 0;
      entries.push(dir ? `${name}/` : name);
      if (!dir && isConfigFile(name)) {
        const text = await this.readSmall(vscode.Uri.joinPath(root, name));
        if (text !== undefined) contents[name] = text;
      }
    }
    for (const sub of SITE_ENTRIES) {
      try {
        const stat = await vscode.workspace.fs.stat(vscode.Uri.joinPath(root, sub));
        if (stat.type & vscode.FileType.Directory) entries.push(sub);
      } catch {
        // Not there.
      }
    }
    return { entries, contents };
  }

  private async readSmall(uri: vscode.Uri): Promise<string | undefined> {
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_CONFIG_BYTES) return undefined;
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      return undefined;
    }
  }

  private async astroFacts(root: vscode.Uri): Promise<AstroFacts | undefined> {
    const schemas: Record<string, string> = {};
    const schemaTimes: Record<string, number> = {};
    const dir = vscode.Uri.joinPath(root, '.astro', 'collections');
    try {
      for (const [name] of await vscode.workspace.fs.readDirectory(dir)) {
        const m = /^(.+)\.schema\.json$/.exec(name);
        if (!m) continue;
        const uri = vscode.Uri.joinPath(dir, name);
        const text = await this.readSmall(uri);
        if (text === undefined) continue;
        schemas[m[1]] = text;
        schemaTimes[m[1]] = (await vscode.workspace.fs.stat(uri)).mtime;
      }
    } catch {
      // No generated schemas.
    }
    let contentConfig: AstroFacts['contentConfig'];
    for (const rel of ASTRO_CONTENT_CONFIGS) {
      const uri = vscode.Uri.joinPath(root, rel);
      const text = await this.readSmall(uri);
      if (text === undefined) continue;
      contentConfig = { path: rel, text, mtime: (await vscode.workspace.fs.stat(uri)).mtime };
      break;
    }
    return Object.keys(schemas).length || contentConfig ? { schemas, schemaTimes, contentConfig } : undefined;
  }
}
