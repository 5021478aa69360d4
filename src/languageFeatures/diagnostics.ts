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
  const diagnostics = store.add(new LiveDiagnostics(validation));
  store.add(vscode.workspace.onDidOpenTextDocument((doc) => diagnostics.schedule(doc, 0)));
  store.add(vscode.workspace.onDidChangeTextDocument((e) => diagnostics.changed(e)));
  store.add(vscode.window.onDidChangeTextEditorSelection((e) => diagnostics.selectionChanged(e)));
  store.add(vscode.workspace.onDidCloseTextDocument((doc) => diagnostics.closed(doc)));
  store.add(
    validation.posts.onDidChange((change) => {
      // Another post's tags changed: tag spelling problems of open posts may have changed too.
      if (change.tagsChanged) diagnostics.recheckOpen(300);
    }),
  );
  store.add(validation.onDidChangeSettings(() => diagnostics.recheckOpen(0)));
  diagnostics.recheckOpen(0);
  return store;
}

/** One timer per open post and the run it starts: the problems of the post, less those of the held line. */
class LiveDiagnostics implements vscode.Disposable {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly validation: PostValidation) {}

  private get posts() {
    return this.validation.posts;
  }

  /** The line whose problems are held back now, if any: typed on just now, cursor still there. */
  private heldLine(doc: vscode.TextDocument): number | undefined {
    const t = this.validation.heldLine(doc.uri);
    if (!t || (!t.untilLeft && Date.now() - t.at >= TYPING_HOLD_MS)) return undefined;
    const editor =
      vscode.window.activeTextEditor?.document === doc
        ? vscode.window.activeTextEditor
        : vscode.window.visibleTextEditors.find((e) => e.document === doc);
    // A line to fill in (New Post) is held until the cursor has been on it and left it.
    if (t.untilLeft && !t.visited) return t.line;
    if (editor?.selection.active.line !== t.line) return undefined;
    return t.line;
  }

  private async run(doc: vscode.TextDocument): Promise<void> {
    const validation = this.validation;
    if (doc.isClosed) return;
    if (!this.posts.isPost(doc.uri) || !validation.settings(doc.uri).enabled) {
      if (!validation.checkedWorkspace || !validation.settings(doc.uri).enabled) validation.unpublish(doc.uri);
      return;
    }
    // The post's own tags must be current before tag spellings are compared.
    this.posts.flush(doc);
    const version = doc.version;
    const result = await validation.problems(doc, true);
    if (doc.isClosed || doc.version !== version) return; // a newer run follows
    const held = this.heldLine(doc);
    const shown = held === undefined ? result.problems : result.problems.filter((p) => doc.positionAt(p.start).line !== held);
    validation.publish(doc.uri, shown, result.text, doc);
    if (shown.length !== result.problems.length && !validation.heldLine(doc.uri)?.untilLeft) {
      // Show them once the writer pauses (leaving the line shows them sooner).
      this.schedule(doc, TYPING_HOLD_MS - (Date.now() - validation.heldLine(doc.uri)!.at) + 10);
    }
  }

  schedule(doc: vscode.TextDocument, delayMs: number): void {
    const key = doc.uri.toString();
    this.cancel(key);
    if (delayMs <= 0) {
      void this.run(doc);
      return;
    }
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.run(doc);
      }, delayMs),
    );
  }

  private cancel(key: string): void {
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.delete(key);
  }

  recheckOpen(delayMs: number): void {
    for (const doc of vscode.workspace.textDocuments) if (this.posts.isPost(doc.uri)) this.schedule(doc, delayMs);
  }

  changed(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) return;
    const validation = this.validation;
    // One change in the active editor, not an undo or redo: the writer is typing. It ends on this line.
    const change = e.contentChanges[0];
    const typed = e.reason === undefined && vscode.window.activeTextEditor?.document === e.document && e.contentChanges.length === 1;
    if (typed) validation.holdLine(e.document.uri, change.range.start.line + (change.text.match(/\n/g)?.length ?? 0));
    // Other changes end typing; a line to fill in (New Post writing the file) stays held until left.
    else if (!validation.heldLine(e.document.uri)?.untilLeft) validation.releaseLine(e.document.uri);
    this.schedule(e.document, validation.settings(e.document.uri).debounceMs);
  }

  selectionChanged(e: vscode.TextEditorSelectionChangeEvent): void {
    const uri = e.textEditor.document.uri;
    const t = this.validation.heldLine(uri);
    if (t && e.selections[0]?.active.line === t.line) this.validation.visitHeldLine(uri);
    else if (t && (!t.untilLeft || t.visited)) {
      // The writer left the line: what they typed there is finished.
      this.validation.releaseLine(uri);
      this.schedule(e.textEditor.document, 0);
    }
  }

  closed(doc: vscode.TextDocument): void {
    const validation = this.validation;
    this.cancel(doc.uri.toString());
    // A new post's line to fill in survives the close and reopen VS Code does when it settles the document's language.
    const t = validation.heldLine(doc.uri);
    if (!t?.untilLeft || t.visited) validation.releaseLine(doc.uri);
    // After "Check All Posts" the Problems panel lists every post; keep closed ones current from disk.
    // Only posts: a closed README or settings file is not a post and never gets post problems.
    if (validation.checkedWorkspace && this.posts.isPost(doc.uri) && validation.settings(doc.uri).enabled)
      void validation.checkFile(doc.uri);
    else validation.unpublish(doc.uri);
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.timers.clear();
  }
}
