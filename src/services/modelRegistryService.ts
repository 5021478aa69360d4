import * as path from 'path';
import * as vscode from 'vscode';
import {
  findModel,
  listModels,
  modelRoots,
  type ModelEntry,
  type ModelKind,
  type ModelLookup,
  type ModelRoot,
} from '../generation/modelRegistry';
import { readConfig, userLevelSetting } from '../util/config';

/**
 * Where models come from, in order: the workspace's `.inkwell/models` (only in
 * a trusted workspace: a model folder is code-like input to a native runtime),
 * the folders in `inkwell.models.paths`, then the models shipped with the extension.
 */
export class ModelRegistry implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the set of model folders may have changed (settings, trust). */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  /**
   * @param downloadsDir where Download Model puts models when no models folder
   *   is configured (in the extension's global storage); searched after the
   *   configured folders, before the shipped models.
   */
  constructor(
    private readonly extensionPath: string,
    readonly downloadsDir?: string,
  ) {
    this.subscriptions = [
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('inkwell.models')) this.changed.fire();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
    ];
  }

  /** Tells listeners that model folders were added or removed (a download finished). */
  refresh(): void {
    this.changed.fire();
  }

  /** The shipped models folder (`<extension>/models`). */
  get shippedDir(): string {
    return path.join(this.extensionPath, 'models');
  }

  /** Search roots in precedence order (see {@link modelRoots}: trust decides which count). */
  roots(): ModelRoot[] {
    // User folders may be set per workspace; untrusted workspaces cannot set them (restrictedConfigurations).
    const user = userLevelSetting<string[]>('models', 'paths') ?? [];
    const roots = modelRoots(this.lookup(), { effective: readConfig('models').paths, user }, this.shippedDir);
    if (this.downloadsDir) roots.splice(roots.length - 1, 0, { dir: this.downloadsDir, source: 'user' });
    return roots;
  }

  list(kind?: ModelKind): ModelEntry[] {
    const lookup = this.lookup();
    return listModels(this.roots(), kind, lookup.trusted ? [] : lookup.workspaceDirs);
  }

  /**
   * The model a setting names (`inkwell.models.text` or `.image` unless `name`
   * is given). In an untrusted workspace a relative path is refused and nothing
   * inside the workspace is returned. Throws an error that says what was looked
   * for and where, or why the value was refused.
   */
  resolve(kind: ModelKind, name?: string): ModelEntry {
    const value = name ?? (kind === 'text' ? readConfig('models').text : readConfig('models').image);
    const roots = this.roots();
    const found = findModel(value, roots, kind, this.lookup());
    if (found) return found;
    const available = this.list(kind).map((m) => m.name);
    const where = roots.map((r) => r.dir).join(', ');
    throw new Error(
      `No ${kind} model named "${value}" was found (searched ${where}). ` +
        (available.length ? `Available: ${available.join(', ')}. ` : '') +
        'Run "Inkwell: Select Model" to choose one.',
    );
  }

  /** The trust state and workspace folders every lookup depends on. */
  private lookup(): ModelLookup {
    const workspaceDirs = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    return { trusted: vscode.workspace.isTrusted, workspaceDirs };
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}
