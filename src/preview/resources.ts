import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ImagePolicy } from '../core/render/urlPolicy';
import { readConfig } from '../util/config';
import { confineToRoots, isPathInside } from '../util/workspacePaths';

/**
 * Real folders outside the workspace that the user allowed the previews to show files
 * from, once, when a static folder of a trusted workspace links there (kept per
 * workspace by `features/preview/linkedFolders.ts`).
 */
let allowedExternalFolders: ReadonlySet<string> = new Set();

const allowedEmitter = new vscode.EventEmitter<void>();
/** Fires when the folders outside the workspace the previews may read change. */
export const onDidChangeAllowedExternalFolders = allowedEmitter.event;

/** Replaces the folders outside the workspace the previews may read (real paths). */
export function setAllowedExternalFolders(folders: Iterable<string>): void {
  allowedExternalFolders = new Set(folders);
  allowedEmitter.fire();
}

/** A file a preview wanted that lies in a linked folder outside the workspace the user has not allowed. */
export interface BlockedExternalFile {
  /** The static folder, as configured (`public`). */
  readonly staticFolder: string;
  /** Its real path outside the workspace. */
  readonly realFolder: string;
}

const blockedEmitter = new vscode.EventEmitter<BlockedExternalFile>();
/** Fires when a preview could not show a file because its folder leads out of the workspace and is not allowed. */
export const onDidBlockExternalFile = blockedEmitter.event;

/**
 * Finds the file a post refers to: a relative path against the post's folder, a
 * site-root path (`/uploads/x.png`) against each of `inkwell.posts.staticFolders`
 * in order. Only files inside a workspace folder count (the webview may load
 * nothing else), and symlinks must not lead out of it: see {@link isInsideWorkspaceRealPath}.
 * Undefined when no candidate exists.
 */
export function resolvePostResource(post: vscode.Uri, relative: string): vscode.Uri | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(post);
  let candidates: vscode.Uri[];
  if (relative.startsWith('/')) {
    if (!folder) return undefined;
    candidates = readConfig('posts', post).staticFolders.map((dir) => vscode.Uri.joinPath(folder.uri, dir, relative));
  } else {
    candidates = [vscode.Uri.joinPath(post, '..', relative)];
  }
  const inside = candidates.filter((c) => isInsideWorkspace(c));
  if (inside[0] && inside[0].scheme !== 'file') return inside[0];
  const existing = inside.filter((c) => fs.existsSync(c.fsPath));
  const found = existing.find((c) => isInsideWorkspaceRealPath(c));
  if (!found && folder && relative.startsWith('/')) reportBlocked(folder, existing);
  return found;
}

/** Tells the listeners which linked static folder kept the files in `existing` from the preview. */
function reportBlocked(folder: vscode.WorkspaceFolder, existing: readonly vscode.Uri[]): void {
  if (!vscode.workspace.isTrusted || !existing.length) return;
  for (const dir of readConfig('posts', folder.uri).staticFolders) {
    const staticDir = path.resolve(folder.uri.fsPath, dir);
    const realFolder = realFolderOutside(staticDir);
    if (realFolder && existing.some((c) => isPathInside(c.fsPath, staticDir))) {
      blockedEmitter.fire({ staticFolder: dir, realFolder });
      return;
    }
  }
}

/** The real path of a static folder that links out of every workspace folder, else undefined. */
function realFolderOutside(staticDir: string): string | undefined {
  let real: string;
  try {
    real = fs.realpathSync(staticDir);
  } catch {
    return undefined;
  }
  const inWorkspace = (vscode.workspace.workspaceFolders ?? []).some(
    (f) => f.uri.scheme === 'file' && confineToRoots(real, [f.uri.fsPath]) !== undefined,
  );
  return inWorkspace ? undefined : real;
}

/**
 * The folders Inkwell reads (`read`) or writes (`write`) post files in, by real
 * path: the workspace folders and, for reading in a trusted workspace, the real
 * folders outside it that a static folder links to (a `static` folder may be a
 * link to a shared one) once the user allowed each. Nothing is ever written
 * through a link out of the workspace: trusting a workspace means running its
 * code, not writing wherever its links point. An untrusted workspace gets no
 * exception at all: a link committed to a repository must not make the preview
 * read outside it.
 */
export function workspaceRealRoots(purpose: 'read' | 'write'): string[] {
  const roots: string[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    roots.push(folder.uri.fsPath);
    if (purpose === 'write' || !vscode.workspace.isTrusted) continue;
    for (const dir of readConfig('posts', folder.uri).staticFolders) {
      const real = realFolderOutside(path.resolve(folder.uri.fsPath, dir));
      if (real && allowedExternalFolders.has(real)) roots.push(real);
    }
  }
  return roots;
}

/**
 * True when `uri`, all symlinks followed, stays inside {@link workspaceRealRoots}
 * (or inside `base`, the folder of a post that is in no workspace folder).
 * A file that does not exist yet is judged by its deepest existing folder, which
 * is where writing it would land. Only `file:` URIs have links to follow.
 */
export function isInsideWorkspaceRealPath(uri: vscode.Uri, base?: vscode.Uri, purpose: 'read' | 'write' = 'read'): boolean {
  if (uri.scheme !== 'file') return true;
  const roots = workspaceRealRoots(purpose);
  if (base?.scheme === 'file' && !vscode.workspace.getWorkspaceFolder(base)) roots.push(base.fsPath);
  return confineToRoots(uri.fsPath, roots) !== undefined;
}

function isInsideWorkspace(uri: vscode.Uri): boolean {
  return (vscode.workspace.workspaceFolders ?? []).some((f) => {
    const base = f.uri.path.endsWith('/') ? f.uri.path : f.uri.path + '/';
    return f.uri.scheme === uri.scheme && f.uri.authority === uri.authority && (uri.path + '/').startsWith(base);
  });
}

/** The image policy for one post shown in `webview`, honouring the post's settings. */
export function imagePolicyFor(post: vscode.Uri, webview: vscode.Webview): ImagePolicy {
  return {
    allowHttpsImages: readConfig('preview', post).allowHttpsImages,
    resolveLocal: (path) => {
      const file = resolvePostResource(post, path);
      return file ? webview.asWebviewUri(file).toString() : undefined;
    },
  };
}

/** What a preview webview may load from disk: the extension's media/ and the workspace folders. */
export function previewResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'media'), ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri)];
}

/** Webview options shared by the article preview and tag pages. */
export function previewWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableForms: false, enableCommandUris: false, localResourceRoots: previewResourceRoots(extensionUri) };
}

/** The user's stylesheet (`inkwell.preview.stylesheet`) as a webview URL, when it exists in the workspace. */
export function userStylesheet(post: vscode.Uri | undefined, webview: vscode.Webview): string | undefined {
  const setting = readConfig('preview', post).stylesheet.trim();
  if (!setting) return undefined;
  const folder = (post && vscode.workspace.getWorkspaceFolder(post)) ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder) return undefined;
  const file = vscode.Uri.joinPath(folder.uri, setting);
  if (!isInsideWorkspace(file) || (file.scheme === 'file' && (!fs.existsSync(file.fsPath) || !isInsideWorkspaceRealPath(file))))
    return undefined;
  return webview.asWebviewUri(file).toString();
}
