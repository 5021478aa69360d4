import * as path from 'path';
import * as vscode from 'vscode';
import { listModels, resolveModel, type ModelEntry, type ModelKind, type ModelRoot } from '../generation/modelRegistry';
import { readConfig } from '../util/config';

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

  constructor(private readonly extensionPath: string) {
    this.subscriptions = [
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('inkwell.models')) this.changed.fire();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
    ];
  }

  /** The shipped models folder (`<extension>/models`). */
  get shippedDir(): string {
    return path.join(this.extensionPath, 'models');
  }

  /** Search roots in precedence order. */
  roots(): ModelRoot[] {
    const roots: ModelRoot[] = [];
    if (vscode.workspace.isTrusted) {
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        if (folder.uri.scheme === 'file') roots.push({ dir: path.join(folder.uri.fsPath, '.inkwell', 'models'), source: 'workspace' });
      }
      // User folders may be set per workspace; untrusted workspaces cannot set them (restrictedConfigurations).
      for (const dir of readConfig('models').paths) roots.push({ dir: this.absolute(dir), source: 'user' });
    } else {
      const inspected = vscode.workspace.getConfiguration('inkwell.models').inspect<string[]>('paths');
      for (const dir of inspected?.globalValue ?? []) roots.push({ dir: this.absolute(dir), source: 'user' });
    }
    roots.push({ dir: this.shippedDir, source: 'shipped' });
    return roots;
  }

  list(kind?: ModelKind): ModelEntry[] {
    return listModels(this.roots(), kind);
  }

  /**
   * The model a setting names (`inkwell.models.text` or `.image` unless `name`
   * is given). Throws an error that says what was looked for and where.
   */
  resolve(kind: ModelKind, name?: string): ModelEntry {
    const value = name ?? (kind === 'text' ? readConfig('models').text : readConfig('models').image);
    const roots = this.roots();
    const found = resolveModel(value, roots, kind, this.workspaceDir());
    if (found) return found;
    const available = listModels(roots, kind).map((m) => m.name);
    const where = roots.map((r) => r.dir).join(', ');
    throw new Error(
      `No ${kind} model named "${value}" was found (searched ${where}). ` +
        (available.length ? `Available: ${available.join(', ')}. ` : '') +
        'Run "Inkwell: Select Model" to choose one.',
    );
  }

  private workspaceDir(): string | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
  }

  private absolute(dir: string): string {
    if (dir.startsWith('~')) return path.join(process.env.HOME ?? process.env.USERPROFILE ?? '', dir.slice(1));
    return path.isAbsolute(dir) ? dir : path.resolve(this.workspaceDir() ?? this.extensionPath, dir);
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
  }
}
