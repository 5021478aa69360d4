import * as vscode from 'vscode';
import { DisposableStore } from '../util/dispose';
import type { PostValidation } from '../services/postValidation';

/**
 * How long a problem on the line being typed waits for the writer to pause.
 * `draft: ` or a new `  - ` tag item is not wrong, just not finished yet.
 */
export const TYPING_HOLD_MS = 1500;

/**
 * Frontmatter diagnostics as you type: on open at once, on edits after
 * `inkwell.validation.debounceMs`, and again for open posts when another
 * post changes the workspace's tags or when settings change. Problems on the
 * line the writer is typing on wait until they pause or leave the line.
 */
export function registerDiagnostics(validation: PostValidation): vscode.Disposable {
  const store = new DisposableStore();
  const timers = new Map<string, NodeJS.Timeout>();
  const posts = validation.posts;

  /** The line whose problems are held back now, if any: typed on just now, cursor still there. */
  const heldLine = (doc: vscode.TextDocument): number | undefined => {
    const t = validation.heldLine(doc.uri);
    if (!t || (!t.untilLeft && Date.now() - t.at >= TYPING_HOLD_MS)) return undefined;
    const editor =
      vscode.window.activeTextEditor?.document === doc
        ? vscode.window.activeTextEditor
        : vscode.window.visibleTextEditors.find((e) => e.document === doc);
    // A line to fill in (New Post) is held until the cursor has been on it and left it.
    if (t.untilLeft && !t.visited) return t.line;
    if (editor?.selection.active.line !== t.line) return undefined;
    return t.line;
  };

  const run = async (doc: vscode.TextDocument) => {
    if (doc.isClosed) return;
    if (!posts.isPost(doc.uri) || !validation.settings(doc.uri).enabled) {
      if (!validation.checkedWorkspace || !validation.settings(doc.uri).enabled) validation.unpublish(doc.uri);
      return;
    }
    // The post's own tags must be current before tag spellings are compared.
    posts.flush(doc);
    const version = doc.version;
    const result = await validation.problems(doc, true);
    if (doc.isClosed || doc.version !== version) return; // a newer run follows
    const held = heldLine(doc);
    const shown = held === undefined ? result.problems : result.problems.filter((p) => doc.positionAt(p.start).line !== held);
    validation.publish(doc.uri, shown, result.text, doc);
    if (shown.length !== result.problems.length && !validation.heldLine(doc.uri)?.untilLeft) {
      // Show them once the writer pauses (leaving the line shows them sooner).
      schedule(doc, TYPING_HOLD_MS - (Date.now() - validation.heldLine(doc.uri)!.at) + 10);
    }
  };

  const schedule = (doc: vscode.TextDocument, delayMs: number) => {
    const key = doc.uri.toString();
    const pending = timers.get(key);
    if (pending) clearTimeout(pending);
    if (delayMs <= 0) {
      timers.delete(key);
      void run(doc);
      return;
    }
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        void run(doc);
      }, delayMs),
    );
  };

  const recheckOpen = (delayMs: number) => {
    for (const doc of vscode.workspace.textDocuments) if (posts.isPost(doc.uri)) schedule(doc, delayMs);
  };

  store.add(vscode.workspace.onDidOpenTextDocument((doc) => schedule(doc, 0)));
  store.add(
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0) return;
      // One change in the active editor, not an undo or redo: the writer is typing. It ends on this line.
      const change = e.contentChanges[0];
      const typed = e.reason === undefined && vscode.window.activeTextEditor?.document === e.document && e.contentChanges.length === 1;
      if (typed) validation.holdLine(e.document.uri, change.range.start.line + (change.text.match(/\n/g)?.length ?? 0));
      // Other changes end typing; a line to fill in (New Post writing the file) stays held until left.
      else if (!validation.heldLine(e.document.uri)?.untilLeft) validation.releaseLine(e.document.uri);
      schedule(e.document, validation.settings(e.document.uri).debounceMs);
    }),
  );
  store.add(
    vscode.window.onDidChangeTextEditorSelection((e) => {
      const uri = e.textEditor.document.uri;
      const t = validation.heldLine(uri);
      if (t && e.selections[0]?.active.line === t.line) validation.visitHeldLine(uri);
      else if (t && (!t.untilLeft || t.visited)) {
        // The writer left the line: what they typed there is finished.
        validation.releaseLine(uri);
        schedule(e.textEditor.document, 0);
      }
    }),
  );
  store.add(
    vscode.workspace.onDidCloseTextDocument((doc) => {
      const pending = timers.get(doc.uri.toString());
      if (pending) clearTimeout(pending);
      timers.delete(doc.uri.toString());
      // A new post's line to fill in survives the close and reopen VS Code does when it settles the document's language.
      const t = validation.heldLine(doc.uri);
      if (!t?.untilLeft || t.visited) validation.releaseLine(doc.uri);
      // After "Check All Posts" the Problems panel lists every post; keep closed ones current from disk.
      // Only posts: a closed README or settings file is not a post and never gets post problems.
      if (validation.checkedWorkspace && posts.isPost(doc.uri) && validation.settings(doc.uri).enabled) void validation.checkFile(doc.uri);
      else validation.unpublish(doc.uri);
    }),
  );
  store.add(
    posts.onDidChange((change) => {
      // Another post's tags changed: tag spelling problems of open posts may have changed too.
      if (change.tagsChanged) recheckOpen(300);
    }),
  );
  store.add(validation.onDidChangeSettings(() => recheckOpen(0)));
  store.add({ dispose: () => timers.forEach((t) => clearTimeout(t)) });
  recheckOpen(0);
  return store;
}
