import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ImagePolicy } from '../core/render/urlPolicy';
import { readConfig } from '../util/config';
import { confineToRoots } from '../util/workspacePaths';

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
  return inside.find((c) => fs.existsSync(c.fsPath) && isInsideWorkspaceRealPath(c));
}

/**
 * The folders Inkwell reads and writes post files in, by real path: the
 * workspace folders and, in a trusted workspace, the real folders its static
 * folders lead to (a `static` folder may be a link to a shared one). An
 * untrusted workspace gets no such exception: a link committed to a repository
 * must not make the preview read, or an image save write, outside it.
 */
export function workspaceRealRoots(): string[] {
  const roots: string[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    roots.push(folder.uri.fsPath);
    if (!vscode.workspace.isTrusted) continue;
    for (const dir of readConfig('posts', folder.uri).staticFolders) {
      const staticDir = path.resolve(folder.uri.fsPath, dir);
      if (fs.existsSync(staticDir)) roots.push(staticDir);
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
export function isInsideWorkspaceRealPath(uri: vscode.Uri, base?: vscode.Uri): boolean {
  if (uri.scheme !== 'file') return true;
  const roots = workspaceRealRoots();
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
