import * as vscode from 'vscode';
import { lineColAt, lineStarts, stripBom } from '../core/posts/lines';
import { renameTagEdits } from '../core/tags/renameTag';
import type { PostIndexService } from '../services/postIndexService';

/** What a rename or merge would change, before it is applied. */
export interface TagEditPlan {
  edit: vscode.WorkspaceEdit;
  files: number;
  renamed: number;
  removed: number;
  skipped: string[];
}

/**
 * Builds one WorkspaceEdit that renames the tags `from` to `to` in every post
 * that has one of them. With `preview`, each change needs confirmation, so VS Code
 * shows it in the refactor preview first; applied either way, it is one undoable
 * operation across files.
 */
export async function planTagRename(posts: PostIndexService, from: readonly string[], to: string, preview = false): Promise<TagEditPlan> {
  await posts.ready();
  const ids = new Set<string>();
  for (const tag of from) for (const p of posts.index.postsByTag(tag)) ids.add(p.id);
  const edit = new vscode.WorkspaceEdit();
  const plan: TagEditPlan = { edit, files: 0, renamed: 0, removed: 0, skipped: [] };
  const label =
    from.length === 1 ? `Rename tag “${from[0]}” to “${to}”` : `Merge tags ${from.map((t) => `“${t}”`).join(', ')} into “${to}”`;
  const metadata: vscode.WorkspaceEditEntryMetadata = {
    label,
    needsConfirmation: preview,
    description: 'Inkwell',
    iconPath: new vscode.ThemeIcon('tag'),
  };
  for (const id of [...ids].sort()) {
    const uri = vscode.Uri.parse(id);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === id);
    let text: string;
    let positionAt: (offset: number) => vscode.Position;
    if (open) {
      text = open.getText();
      positionAt = (o) => open.positionAt(o);
    } else {
      try {
        const raw = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
        // Offsets are into the text without a BOM; the file's positions do not count it either.
        text = stripBom(raw);
      } catch {
        plan.skipped.push(`${vscode.workspace.asRelativePath(uri)}: cannot be read`);
        continue;
      }
      const starts = lineStarts(text);
      positionAt = (o) => {
        const { line, character } = lineColAt(starts, o);
        return new vscode.Position(line, character);
      };
    }
    const result = renameTagEdits(text, from, to);
    if (result.skipped) plan.skipped.push(`${vscode.workspace.asRelativePath(uri)}: ${result.skipped}`);
    if (!result.edits.length) continue;
    for (const e of result.edits) edit.replace(uri, new vscode.Range(positionAt(e.start), positionAt(e.end)), e.newText, metadata);
    plan.files++;
    plan.renamed += result.renamed;
    plan.removed += result.removed;
  }
  return plan;
}

/** A tag from a command argument: a Posts by Tag node or a plain string. */
function tagOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && (arg as { kind?: unknown }).kind === 'tag' && typeof (arg as { tag?: unknown }).tag === 'string')
    return (arg as { tag: string }).tag;
  return undefined;
}

/**
 * How a tag command confirms: `apply` changes the posts at once, `preview` opens VS Code's
 * refactor preview; without it the command asks. (Command arguments for scripts and tests.)
 */
export interface TagRefactorOptions {
  confirm?: 'apply' | 'preview';
}

function optionsOf(arg: unknown): TagRefactorOptions {
  const confirm = arg && typeof arg === 'object' ? (arg as { confirm?: unknown }).confirm : undefined;
  return confirm === 'apply' || confirm === 'preview' ? { confirm } : {};
}

/** `Inkwell: Rename Tag…` and `Inkwell: Merge Tags…`, from the palette and the Posts by Tag view. */
export function registerTagRefactor(posts: PostIndexService): vscode.Disposable {
  const pickTags = async (title: string, many: boolean, preselect?: string): Promise<string[] | undefined> => {
    await posts.ready();
    const items = posts.index
      .tags()
      .map((t) => ({ label: t.tag, description: `${t.count} post${t.count === 1 ? '' : 's'}`, picked: t.tag === preselect }));
    if (!items.length) {
      void vscode.window.showInformationMessage('No post has tags yet.');
      return undefined;
    }
    if (many) {
      const picked = await vscode.window.showQuickPick(items, { title, canPickMany: true, placeHolder: 'The tags to merge' });
      return picked?.map((p) => p.label);
    }
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'The tag to rename' });
    return picked ? [picked.label] : undefined;
  };

  const run = async (from: string[], to: string | undefined, title: string, options: TagRefactorOptions) => {
    if (!to?.trim()) return;
    const dry = await planTagRename(posts, from, to.trim());
    for (const s of dry.skipped) void vscode.window.showWarningMessage(`${title}: skipped ${s}`);
    if (!dry.files) {
      void vscode.window.showInformationMessage(`${title}: no post needs a change.`);
      return;
    }
    // Ask first, saying how much changes. "Preview Changes…" marks every change as needing
    // confirmation, which opens VS Code's refactor preview (where such changes start unticked:
    // tick them, or the group, and Apply).
    let mode = options.confirm;
    if (!mode) {
      const what =
        from.length === 1
          ? `Rename tag “${from[0]}” to “${to.trim()}”`
          : `Merge ${from.map((t) => `“${t}”`).join(', ')} into “${to.trim()}”`;
      const apply = from.length === 1 ? 'Rename' : 'Merge';
      const answer = await vscode.window.showInformationMessage(
        `${what} in ${dry.files} post${dry.files === 1 ? '' : 's'}?`,
        { modal: true, detail: 'Only frontmatter tags change. One Undo reverts every file.' },
        apply,
        'Preview Changes…',
      );
      if (!answer) return;
      mode = answer === apply ? 'apply' : 'preview';
    }
    const plan = mode === 'preview' ? await planTagRename(posts, from, to.trim(), true) : dry;
    const applied = await vscode.workspace.applyEdit(plan.edit, { isRefactoring: true });
    if (applied) void vscode.window.setStatusBarMessage(`${title}: ${plan.files} post${plan.files === 1 ? '' : 's'} changed`, 5000);
  };

  const store: vscode.Disposable[] = [
    vscode.commands.registerCommand('inkwell.renameTag', async (arg?: unknown, newName?: unknown, options?: unknown) => {
      const from = tagOf(arg) ?? (await pickTags('Rename Tag', false))?.[0];
      if (!from) return;
      const to =
        typeof newName === 'string'
          ? newName
          : await vscode.window.showInputBox({
              title: `Rename Tag “${from}”`,
              prompt: 'The new name, in every post (a post that already has it keeps one)',
              value: from,
              validateInput: (v) => (!v.trim() ? 'A tag needs a name.' : v.trim() === from ? 'That is the current name.' : undefined),
            });
      await run([from], to, 'Rename Tag', optionsOf(options));
    }),
    vscode.commands.registerCommand('inkwell.mergeTags', async (arg?: unknown, into?: unknown, more?: unknown, options?: unknown) => {
      const first = tagOf(arg);
      const from = Array.isArray(more)
        ? [first, ...more].filter((t): t is string => typeof t === 'string')
        : await pickTags('Merge Tags', true, first);
      if (!from?.length) return;
      const to =
        typeof into === 'string'
          ? into
          : (
              await vscode.window.showQuickPick(
                [
                  ...from,
                  ...posts.index
                    .tags()
                    .map((t) => t.tag)
                    .filter((t) => !from.includes(t)),
                ].map((label) => ({ label })),
                { title: 'Merge Tags', placeHolder: 'The tag to keep (the others become it)' },
              )
            )?.label;
      await run(from, to, 'Merge Tags', optionsOf(options));
    }),
  ];
  return vscode.Disposable.from(...store);
}
