import * as vscode from 'vscode';
import { newPostText, slugify } from '../core/slug';

/** Arguments accepted by `inkwell.newPost` when called from code (tests, other commands). */
export interface NewPostArgs {
  title?: string;
  /** Folder to create the post in; defaults to the active post's folder or the first workspace folder. */
  folder?: vscode.Uri;
}

/** "Inkwell: New Post": asks for a title, creates `<slug>.md` with frontmatter and opens it. */
export function registerNewPost(): vscode.Disposable {
  return vscode.commands.registerCommand('inkwell.newPost', async (args?: NewPostArgs) => {
    const title = args?.title ?? (await vscode.window.showInputBox({
      title: 'New Post',
      prompt: 'Title of the new post',
      validateInput: (value) => (value.trim() ? undefined : 'The title cannot be empty.'),
    }));
    if (!title?.trim()) return undefined;
    const folder = args?.folder ?? defaultFolder();
    if (!folder) {
      void vscode.window.showErrorMessage('Inkwell: open a folder to create a post in.');
      return undefined;
    }
    const uri = await freeUri(folder, slugify(title));
    const edit = new vscode.WorkspaceEdit();
    edit.createFile(uri, { ignoreIfExists: false });
    edit.insert(uri, new vscode.Position(0, 0), newPostText(title.trim(), new Date()));
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage(`Inkwell: could not create ${vscode.workspace.asRelativePath(uri)}.`);
      return undefined;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    await doc.save();
    const editor = await vscode.window.showTextDocument(doc);
    // Put the cursor on the empty description value, the next thing to write.
    const line = doc.getText().split('\n').findIndex((l) => l.startsWith('description:'));
    if (line >= 0) {
      const pos = new vscode.Position(line, 'description: "'.length);
      editor.selection = new vscode.Selection(pos, pos);
    }
    return uri;
  });
}

function defaultFolder(): vscode.Uri | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.scheme === 'file' && vscode.workspace.getWorkspaceFolder(active)) {
    return vscode.Uri.joinPath(active, '..');
  }
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/** `<slug>.md`, or `<slug>-2.md`, … when taken: a new post never overwrites one. */
async function freeUri(folder: vscode.Uri, slug: string): Promise<vscode.Uri> {
  for (let i = 1; ; i++) {
    const uri = vscode.Uri.joinPath(folder, i === 1 ? `${slug}.md` : `${slug}-${i}.md`);
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      return uri;
    }
  }
}
