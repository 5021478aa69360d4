import * as vscode from 'vscode';
import { isoDate, newPostText, postFileName, PostNaming, slugify } from '../../core/slug';
import { readConfig } from '../../util/config';
import { uriExists } from '../../util/uriExists';
import type { PostValidation } from '../../services/postValidation';

/** Arguments accepted by `inkwell.newPost` when called from code (tests, other commands). */
export interface NewPostArgs {
  title?: string;
  /** Folder to create the post in; defaults to the active post's folder or the first workspace folder. */
  folder?: vscode.Uri;
  /** With a title given, these are not asked for either (empty when absent). */
  description?: string;
  tags?: string[];
}

/** The questions New Post asks. Undefined means the writer cancelled. */
export interface NewPostPrompts {
  title(): Thenable<string | undefined>;
  /** An empty answer skips the description. */
  description(): Thenable<string | undefined>;
  /** The workspace's tags, most used first; resolves with the chosen ones (new ones included). */
  tags(known: readonly { tag: string; count: number }[]): Thenable<string[] | undefined>;
}

/** New Post's questions as input boxes and a quick pick of tags. */
export const windowPrompts: NewPostPrompts = {
  title: () =>
    vscode.window.showInputBox({
      title: 'New Post (1/3): title',
      prompt: 'Title of the new post',
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : 'The title cannot be empty.'),
    }),
  description: () =>
    vscode.window.showInputBox({
      title: 'New Post (2/3): description (optional)',
      prompt: 'A 50–160 character summary for listings and search results. Leave empty to write it later.',
      ignoreFocusOut: true,
    }),
  tags: (known) => pickTags(known),
};

/** A multi-select of the workspace's tags that also takes new ones typed into its box. */
function pickTags(known: readonly { tag: string; count: number }[]): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
    pick.title = 'New Post (3/3): tags (optional)';
    pick.placeholder = 'Choose tags, or type a new one; Enter when done';
    pick.canSelectMany = true;
    pick.ignoreFocusOut = true;
    const existing = known.map((t) => ({ label: t.tag, description: `${t.count} post${t.count === 1 ? '' : 's'}` }));
    let added: vscode.QuickPickItem[] = [];
    pick.items = existing;
    pick.onDidChangeValue((value) => {
      const tag = value.trim();
      const selected = pick.selectedItems;
      const fresh =
        tag && !existing.some((i) => i.label === tag) && !added.some((i) => i.label === tag)
          ? [{ label: tag, description: 'new tag' }]
          : [];
      pick.items = [...fresh, ...added, ...existing];
      pick.selectedItems = pick.items.filter((i) => selected.some((s) => s.label === i.label));
    });
    pick.onDidChangeSelection((selection) => {
      added = [...added, ...selection.filter((i) => i.description === 'new tag' && !added.includes(i))];
    });
    let done = false;
    pick.onDidAccept(() => {
      done = true;
      resolve(pick.selectedItems.map((i) => i.label));
      pick.hide();
    });
    pick.onDidHide(() => {
      if (!done) resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

/**
 * "Inkwell: New Post": asks for a title, a description (optional) and tags
 * (from the workspace's), creates the post named the way the site names its
 * posts, marks it a draft (`inkwell.newPost.draft`) and opens it where the
 * writer continues: the description when it was skipped, else the body.
 */
export async function newPost(validation: PostValidation, prompts: NewPostPrompts, args?: NewPostArgs): Promise<vscode.Uri | undefined> {
  const posts = validation.posts;
  const title = args?.title ?? (await prompts.title());
  if (!title?.trim()) return undefined;
  const folder = args?.folder ?? defaultFolder();
  if (!folder) {
    void vscode.window.showErrorMessage('Inkwell: open a folder to create a post in.');
    return undefined;
  }
  const scripted = args?.title !== undefined;
  const description = scripted ? (args.description ?? '') : await prompts.description();
  if (description === undefined) return undefined;
  await posts.ready();
  const tags = scripted ? (args.tags ?? []) : await prompts.tags(posts.index.tags());
  if (tags === undefined) return undefined;
  const now = new Date();
  const uri = await freeUri(folder, slugify(title), await namingIn(folder), now);
  const draft = readConfig('newPost', folder).draft;
  const text = newPostText(title.trim(), now, { description: description.trim(), tags, draft });
  const descriptionLine = text.split('\n').findIndex((l) => l.startsWith('description:'));
  // An empty description is the next thing to write: its warning waits until the cursor leaves the line.
  // Set before the file opens, so that the first check already holds it.
  if (!description.trim() && descriptionLine >= 0) validation.holdLine(uri, descriptionLine, true);
  const edit = new vscode.WorkspaceEdit();
  edit.createFile(uri, { ignoreIfExists: false });
  edit.insert(uri, new vscode.Position(0, 0), text);
  if (!(await vscode.workspace.applyEdit(edit))) {
    validation.releaseLine(uri);
    void vscode.window.showErrorMessage(`Inkwell: could not create ${vscode.workspace.asRelativePath(uri)}.`);
    return undefined;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  await doc.save();
  const lines = doc.getText().split('\n');
  const pos =
    !description.trim() && descriptionLine >= 0
      ? new vscode.Position(descriptionLine, 'description: "'.length)
      : new vscode.Position(lines.length - 1, 0);
  // Open with the cursor already in place: a cursor elsewhere first would count as leaving the line.
  const editor = await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
  editor.selection = new vscode.Selection(pos, pos);
  // The cursor is on the line now; moving off it shows the line's problems.
  if (validation.heldLine(uri)?.untilLeft) validation.visitHeldLine(uri);
  return uri;
}

function defaultFolder(): vscode.Uri | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.scheme === 'file' && vscode.workspace.getWorkspaceFolder(active)) {
    return vscode.Uri.joinPath(active, '..');
  }
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

/** How the posts already in `folder` are named: date-prefixed (`2024-05-01-slug.md`), page bundles (`slug/index.md`) or plain. */
async function namingIn(folder: vscode.Uri): Promise<PostNaming> {
  let entries: [string, vscode.FileType][] = [];
  try {
    entries = await vscode.workspace.fs.readDirectory(folder);
  } catch {
    return 'plain';
  }
  const files = entries.filter(([n, t]) => t === vscode.FileType.File && /\.(md|markdown)$/i.test(n)).map(([n]) => n);
  const dated = files.filter((n) => /^\d{4}-\d{2}-\d{2}-/.test(n)).length;
  let bundles = 0;
  for (const [name, type] of entries.slice(0, 200)) {
    // A folder with an index.md is a page bundle.
    if (type === vscode.FileType.Directory && (await uriExists(vscode.Uri.joinPath(folder, name, 'index.md')))) bundles++;
  }
  if (bundles > files.length) return 'bundle';
  return dated > 0 && dated * 2 >= files.length ? 'dated' : 'plain';
}

/** The new post's file, numbered (`-2`, `-3`, …) when taken: a new post never overwrites one. */
async function freeUri(folder: vscode.Uri, slug: string, naming: PostNaming, now: Date): Promise<vscode.Uri> {
  for (let i = 1; ; i++) {
    const uri = vscode.Uri.joinPath(folder, postFileName(i === 1 ? slug : `${slug}-${i}`, naming, isoDate(now)));
    if (!(await uriExists(naming === 'bundle' ? vscode.Uri.joinPath(uri, '..') : uri))) return uri;
  }
}
