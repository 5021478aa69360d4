import * as vscode from 'vscode';
import { lineColAt, lineStarts, stripBom } from '../../core/posts/lines';
import { renameTagEdits } from '../../core/tags/renameTag';
import type { PostIndexService } from '../../services/postIndexService';
import type { Logger } from '../../util/logger';
import type { Views } from '../../util/views';
import { editorSetting } from '../../util/config';

/** One post a rename or merge changes. */
export interface PlannedPost {
  readonly uri: vscode.Uri;
  /** Its text when the plan was made: the editor's when it is open, else the file's. */
  readonly before: string;
  /** Whether it had unsaved changes then: it is edited in place and left for its writer to save. */
  readonly dirty: boolean;
}

/** What a rename or merge would change, before it is applied. */
export interface TagEditPlan {
  edit: vscode.WorkspaceEdit;
  posts: PlannedPost[];
  files: number;
  renamed: number;
  removed: number;
  skipped: string[];
}

/**
 * Builds one WorkspaceEdit that renames the tags `from` to `to` in every post
 * that has one of them. With `preview`, VS Code shows it in the refactor preview
 * first, every change ticked; applied either way, it is one undoable operation
 * across files.
 */
export async function planTagRename(posts: PostIndexService, from: readonly string[], to: string, preview = false): Promise<TagEditPlan> {
  await posts.ready();
  const ids = new Set<string>();
  for (const tag of from) for (const p of posts.index.postsByTag(tag)) ids.add(p.id);
  const edit = new vscode.WorkspaceEdit();
  const plan: TagEditPlan = { edit, posts: [], files: 0, renamed: 0, removed: 0, skipped: [] };
  const label =
    from.length === 1 ? `Rename tag “${from[0]}” to “${to}”` : `Merge tags ${from.map((t) => `“${t}”`).join(', ')} into “${to}”`;
  const metadata: vscode.WorkspaceEditEntryMetadata = {
    label,
    needsConfirmation: false,
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
    plan.posts.push({ uri, before: text, dirty: open?.isDirty ?? false });
    plan.files++;
    plan.renamed += result.renamed;
    plan.removed += result.removed;
  }
  if (preview && plan.posts.length) {
    // The API has no "show the preview" flag: VS Code opens its refactor preview when an entry
    // needs confirmation, and such entries start unticked. So the tag changes need none (they
    // start ticked, Apply applies them) and one extra entry does: "create a post that exists,
    // ignoring it if it exists". The preview leaves out a creation that would be ignored, and
    // an unticked entry is never applied; were it shown, it would change nothing either way.
    edit.createFile(plan.posts[0].uri, { ignoreIfExists: true }, { label, needsConfirmation: true, description: 'Inkwell' });
  }
  return plan;
}

/** How applying a plan ended for its posts. */
export interface TagEditOutcome {
  /** Changed and saved: the file on disk has the change. */
  saved: vscode.Uri[];
  /** Changed in an editor that had unsaved changes before: left unsaved. */
  leftUnsaved: vscode.Uri[];
  /** Changed but not saved, with why. */
  failed: { uri: vscode.Uri; why: string }[];
  /** Left as they were (unticked in the refactor preview). */
  unchanged: vscode.Uri[];
}

/**
 * Saves the posts a plan changed, unless `save` is false. The edit is applied as a plain
 * edit, not as a refactoring that VS Code would save (`files.refactoring.autoSave`):
 * that save takes posts the writer had left unsaved along, and skips a single post.
 * Each changed post is saved here and the file on disk is read back to say what really
 * landed: on a busy machine VS Code aborts a save participant that answers after 1750 ms
 * and goes on saving, and a save can fail; a post that was closed must not stay modified
 * in memory with no tab. Posts that had unsaved changes before are left for their writer.
 */
export async function saveChangedPosts(plan: TagEditPlan, save = true): Promise<TagEditOutcome> {
  const outcome: TagEditOutcome = { saved: [], leftUnsaved: [], failed: [], unchanged: [] };
  const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
  // All at once: on a busy machine each save may wait for slow save participants.
  const ends = await Promise.all(
    plan.posts.map(async (post): Promise<[keyof TagEditOutcome, string?]> => {
      let doc: vscode.TextDocument;
      try {
        doc = await vscode.workspace.openTextDocument(post.uri);
      } catch (e) {
        return ['failed', why(e)];
      }
      if (doc.getText() === post.before) return ['unchanged'];
      if (post.dirty || !save) return ['leftUnsaved'];
      let error = '';
      // A save that loses a race with another one reports false: try once more.
      for (let attempt = 0; attempt < 2 && doc.isDirty; attempt++) {
        try {
          await doc.save();
        } catch (e) {
          error = why(e);
        }
      }
      try {
        const disk = stripBom(new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(post.uri)));
        if (disk === doc.getText() && !doc.isDirty) return ['saved'];
        return ['failed', error || 'the file on disk does not have the change'];
      } catch (e) {
        return ['failed', why(e)];
      }
    }),
  );
  plan.posts.forEach((post, i) => {
    const [end, reason] = ends[i];
    if (end === 'failed') outcome.failed.push({ uri: post.uri, why: reason ?? '' });
    else outcome[end].push(post.uri);
  });
  return outcome;
}

/** "3 posts" / "1 post". */
const postsCount = (n: number) => `${n} post${n === 1 ? '' : 's'}`;
const names = (uris: readonly vscode.Uri[]) => uris.map((u) => vscode.workspace.asRelativePath(u)).join(', ');

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
export function createTagRefactor(posts: PostIndexService, log: Logger, views: Views): TagRefactor {
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
    // Ask first, saying how much changes. "Preview Changes…" opens VS Code's refactor preview
    // with every change ticked: untick what should stay, then Apply.
    let mode = options.confirm;
    if (!mode) {
      const what =
        from.length === 1
          ? `Rename tag “${from[0]}” to “${to.trim()}”`
          : `Merge ${from.map((t) => `“${t}”`).join(', ')} into “${to.trim()}”`;
      const apply = from.length === 1 ? 'Rename' : 'Merge';
      const answer = await vscode.window.showInformationMessage(
        `${what} in ${postsCount(dry.files)}?`,
        { modal: true, detail: 'Only frontmatter tags change, and the changed posts are saved. One Undo reverts every file.' },
        apply,
        'Preview Changes…',
      );
      if (!answer) return;
      mode = answer === apply ? 'apply' : 'preview';
    }
    const plan = mode === 'preview' ? await planTagRename(posts, from, to.trim(), true) : dry;
    const applied = await vscode.workspace.applyEdit(plan.edit);
    if (!applied) {
      log.info(`${title}: not applied (discarded, or a post changed meanwhile)`);
      return;
    }
    // VS Code's setting for saving the files a refactoring changed; on unless the writer turned it off.
    const save = editorSetting('files', 'refactoring.autoSave', true);
    const outcome = await saveChangedPosts(plan, save);
    const changed = outcome.saved.length + outcome.leftUnsaved.length + outcome.failed.length;
    log.info(
      `${title}: ${postsCount(changed)} changed, ${outcome.saved.length} saved` +
        (outcome.leftUnsaved.length ? `; left unsaved (they had unsaved changes): ${names(outcome.leftUnsaved)}` : '') +
        (outcome.failed.length
          ? `; not saved: ${outcome.failed.map((f) => `${vscode.workspace.asRelativePath(f.uri)} (${f.why})`).join(', ')}`
          : '') +
        (outcome.unchanged.length ? `; left as they were: ${names(outcome.unchanged)}` : ''),
    );
    if (outcome.failed.length) {
      void views.showMessage(
        'warning',
        `${title}: ${postsCount(changed)} changed, but ${names(outcome.failed.map((f) => f.uri))} could not be saved ` +
          `(${outcome.failed[0].why}). The change is in the editor: save it with File › Save All.`,
      );
    } else if (!save) {
      void views.showMessage('info', `${title}: ${postsCount(changed)} changed, not saved (files.refactoring.autoSave is off).`);
    } else if (outcome.leftUnsaved.length) {
      void views.showMessage(
        'info',
        `${title}: ${postsCount(changed)} changed and saved, except ${names(outcome.leftUnsaved)}, which had unsaved changes: ` +
          'the tags changed in the editor, save when ready.',
      );
    } else {
      void views.showMessage('info', `${title}: ${postsCount(changed)} changed and saved.`);
    }
  };

  return {
    rename: async (arg, newName, options) => {
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
    },
    merge: async (arg, into, more, options) => {
      const first = tagOf(arg);
      const from = Array.isArray(more)
        ? [first, ...more].filter((t): t is string => typeof t === 'string')
        : await pickTags('Merge Tags', true, first);
      if (!from?.length) return;
      const to =
        typeof into === 'string'
          ? into
          : (
              await views.showQuickPick(
                from.map((label) => ({ label })),
                { title: 'Merge Tags', placeHolder: 'The tag to keep (the others become it)' },
              )
            )?.label;
      await run(from, to, 'Merge Tags', optionsOf(options));
    },
  };
}

/** "Rename Tag…" and "Merge Tags…". */
export interface TagRefactor {
  /** Renames the tag `arg` (a name or a tree node; asked when absent) to `newName` (asked when absent). */
  rename(arg?: unknown, newName?: unknown, options?: unknown): Promise<void>;
  /** Merges the tags `arg` and `more` (a list; without it, a quick pick asks) into `into` (asked when absent). */
  merge(arg?: unknown, into?: unknown, more?: unknown, options?: unknown): Promise<void>;
}
