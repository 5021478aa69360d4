import * as vscode from 'vscode';

/** Whether anything (a file or a folder) is at `uri`. */
export async function uriExists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
