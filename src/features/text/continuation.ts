import * as vscode from 'vscode';
import { continueText, describeContinuation } from '../../generation/continueText';
import { moveAnchorThrough } from '../../generation/streamAnchor';
import { TextBackendError, type TextBackend, type TextBackendErrorCode, type TextBackendResult } from '../../generation/textBackend';
import type { SamplingOptions } from '../../generation/textRequest';
import { readGenerationSettings } from '../../util/config';
import { setContext } from '../../util/contextKeys';
import type { Logger } from '../../util/logger';
import type { Views } from '../../util/views';
import type { ModelStatusBar } from '../../views/modelStatusBar';

/** Optional arguments of `inkwell.generateContinuation` (keybindings, tests). */
export interface ContinuationArgs {
  /** Model name or folder instead of `inkwell.models.text`. */
  model?: string;
  maxTokens?: number;
  /** Overrides of `inkwell.generation.*` sampling settings; temperature 0 is greedy. */
  sampling?: Partial<SamplingOptions>;
  /** Stop sequences (plain text) instead of `inkwell.generation.stop`. */
  stop?: string[];
}

/** What the command resolves with, so callers can tell how it went. */
export type ContinuationOutcome =
  | { ok: true; result: TextBackendResult }
  | { ok: false; error: { code: TextBackendErrorCode | 'no-editor' | 'busy' | 'edit-failed'; message: string } };

/** How often streamed text is written into the document. */
const flushIntervalMs = 50;

/**
 * Streams text into a document at an anchor that follows the user's edits.
 * The first edit opens an undo group and later ones join it (no undo stops), so
 * one Undo removes the whole continuation.
 *
 * A save closes VS Code's open undo group (auto save after a delay is the
 * default in VS Code for the Web). When that split the stream and nothing else
 * touched the document, `consolidate` undoes the pieces and inserts the text
 * again as one edit, so one Undo still removes all of it.
 */
class DocumentStream implements vscode.Disposable {
  private anchor: number;
  private readonly start: number;
  private readonly textBefore: string;
  private pending = '';
  private first = true;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private readonly listeners: vscode.Disposable[];
  /** The edit in flight, to tell our own change events from the user's. */
  private expected: { offset: number; text: string } | undefined;
  private savedSinceEdit = false;
  private stopped = false;
  /** Text written so far. */
  written = '';
  /** How the text went in: what `consolidate` needs, and a line for the log. */
  readonly stats = { editorEdits: 0, workspaceEdits: 0, retries: 0, undoGroups: 0, foreignChanges: 0, consolidated: false };

  constructor(
    private readonly document: vscode.TextDocument,
    private preferredEditor: vscode.TextEditor,
    offset: number,
  ) {
    this.anchor = offset;
    this.start = offset;
    this.textBefore = document.getText();
    this.listeners = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document !== this.document || e.contentChanges.length === 0) return;
        const [only] = e.contentChanges;
        const ours =
          e.contentChanges.length === 1 &&
          this.expected &&
          only.rangeLength === 0 &&
          only.rangeOffset === this.expected.offset &&
          only.text === this.expected.text;
        if (ours) this.expected = undefined;
        else this.stats.foreignChanges++;
        // Our own inserts arrive here too: an insert at the anchor advances it.
        this.anchor = moveAnchorThrough(
          this.anchor,
          e.contentChanges.map((c) => ({ offset: c.rangeOffset, removed: c.rangeLength, inserted: c.text.length })),
        );
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (doc === this.document && !this.first) this.savedSinceEdit = true;
      }),
    ];
  }

  push(text: string): void {
    if (!text || this.stopped) return;
    this.pending += text;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, flushIntervalMs);
  }

  /**
   * Takes no more text: what is pending is dropped. Resolves once the edit in flight, if any,
   * has landed, so nothing reaches the document after that.
   */
  stop(): Promise<void> {
    this.stopped = true;
    this.pending = '';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.chain;
  }

  /** Writes everything pending; rejects if the document could not be edited. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      while (this.pending) {
        const text = this.pending;
        this.pending = '';
        try {
          await this.insert(text);
          this.written += text;
        } catch (err) {
          this.failure = err as Error;
          return;
        }
      }
    });
    return this.chain.then(() => {
      if (this.failure) throw this.failure;
    });
  }

  private editorFor(): vscode.TextEditor | undefined {
    if (vscode.window.visibleTextEditors.includes(this.preferredEditor)) return this.preferredEditor;
    const other = vscode.window.visibleTextEditors.find((e) => e.document === this.document);
    if (other) this.preferredEditor = other;
    return other;
  }

  private async insert(text: string): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      if (this.document.isClosed) throw new Error('The document was closed while the continuation was streaming.');
      const position = this.document.positionAt(this.anchor);
      const editor = this.editorFor();
      this.expected = { offset: this.anchor, text };
      let applied: boolean;
      if (editor) {
        // A version mismatch (the user typed, the event is still in flight) returns false: retry at the moved anchor.
        applied = await editor.edit((b) => b.insert(position, text), { undoStopBefore: this.first, undoStopAfter: false });
      } else {
        // The editor is hidden: still write, though VS Code then records a separate undo step.
        const edit = new vscode.WorkspaceEdit();
        edit.insert(this.document.uri, position, text);
        applied = await vscode.workspace.applyEdit(edit);
      }
      if (applied) {
        if (this.first || this.savedSinceEdit || !editor) this.stats.undoGroups++;
        this.first = false;
        this.savedSinceEdit = false;
        if (editor) this.stats.editorEdits++;
        else this.stats.workspaceEdits++;
        return;
      }
      this.expected = undefined;
      this.stats.retries++;
      // Let pending document events arrive before the next try.
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error('Could not insert the generated text: the document kept changing.');
  }

  /**
   * Makes the continuation one undo step again after saves split it. Only when
   * the document holds exactly the original text plus the stream (no other
   * edits), and its editor is active so that Undo applies to it; otherwise the
   * pieces stay as they are.
   */
  async consolidate(): Promise<void> {
    if (this.stats.undoGroups <= 1 || this.stats.foreignChanges > 0 || this.stats.workspaceEdits > 0 || !this.written) return;
    const expectedNow = this.textBefore.slice(0, this.start) + this.written + this.textBefore.slice(this.start);
    const editor = vscode.window.activeTextEditor;
    if (editor?.document !== this.document || this.document.getText() !== expectedNow) return;
    this.listeners.forEach((l) => l.dispose());
    for (let i = 0; i < this.stats.undoGroups; i++) await vscode.commands.executeCommand('undo');
    if (this.document.getText() !== this.textBefore) {
      // Not what we expected to undo: put everything back.
      for (let i = 0; i < this.stats.undoGroups; i++) await vscode.commands.executeCommand('redo');
      return;
    }
    const position = this.document.positionAt(this.start);
    this.stats.consolidated = await editor.edit((b) => b.insert(position, this.written), { undoStopBefore: true, undoStopAfter: true });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.listeners.forEach((l) => l.dispose());
  }
}

interface Running {
  document: vscode.TextDocument;
  /** The one cancellation of this continuation: Cancel in the notification, the command, closing the document. */
  cancellation: AbortController;
  stream: DocumentStream;
}

/**
 * "Inkwell: Generate Continuation": streams the model's continuation of the
 * post into the document at the cursor, with a cancellable progress
 * notification. One generation runs at a time; a cancelled one keeps what
 * streamed, and one Undo removes it.
 */
export class ContinuationController implements vscode.Disposable {
  private running: Running | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly backend: TextBackend,
    private readonly statusBar: ModelStatusBar,
    private readonly log: Logger,
    private readonly views: Views,
    /**
     * Told of each continuation that went through, with the model it asked for (`undefined`: the
     * configured one). The shipped model's first continuation says what it is.
     */
    private readonly onContinued?: (model: string | undefined) => void,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (this.running?.document === doc) void this.cancel();
      }),
    );
  }

  /** True while a continuation streams. */
  get isRunning(): boolean {
    return !!this.running;
  }

  /**
   * Stops the continuation at once: nothing more is inserted (text the model sends while it
   * stops is dropped) and the status bar says so. Resolves once the edit in flight has landed.
   */
  async cancel(): Promise<void> {
    const running = this.running;
    if (!running || running.cancellation.signal.aborted) return;
    running.cancellation.abort();
    this.statusBar.stopped();
    await running.stream.stop();
  }

  async run(args: ContinuationArgs): Promise<ContinuationOutcome> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return this.fail('no-editor', 'Open a post and put the cursor where the text should continue.');
    if (this.running) return this.fail('busy', 'A continuation is already being generated. Cancel it first.');
    const document = editor.document;
    const offset = document.offsetAt(editor.selection.active);
    const input = { text: document.getText(), offset, settings: readGenerationSettings(document.uri), overrides: args };

    const cancellation = new AbortController();
    const stream = new DocumentStream(document, editor, offset);
    this.running = { document, cancellation, stream };
    setContext('inkwell.generating', true);
    let streamedTokens = 0;
    try {
      const result = await this.views.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Inkwell: generating continuation', cancellable: true },
        (progress, progressToken) => {
          progressToken.onCancellationRequested(() => void this.cancel());
          progress.report({ message: 'loading the model…' });
          return continueText(this.backend, input, {
            signal: cancellation.signal,
            onPhase: (phase) => {
              if (!cancellation.signal.aborted) this.statusBar.setPhase(phase);
            },
            onText: (text, generatedTokens) => {
              // After Cancel nothing more goes in, whatever the backend still sends.
              if (cancellation.signal.aborted) return;
              streamedTokens = generatedTokens;
              progress.report({ message: `${generatedTokens} tokens` });
              stream.push(text);
            },
          });
        },
      );
      try {
        await stream.flush();
        await stream.consolidate();
      } catch (err) {
        return this.fail('edit-failed', (err as Error).message);
      }
      this.statusBar.finished(result.timing?.tokensPerSecond ?? 0);
      this.onContinued?.(args.model);
      this.log.info(describeContinuation(result));
      this.logHowItWentIn(stream);
      if (result.promptTokensDropped)
        this.log.info(`The prompt was cut by ${result.promptTokensDropped} tokens to fit the model's context.`);
      return { ok: true, result };
    } catch (err) {
      // Keep what already streamed: it is in the document and one Undo removes it.
      await stream.flush().catch(() => undefined);
      await stream.consolidate().catch(() => undefined);
      const error = TextBackendError.from(err);
      // Stopped on request (even when the runtime had to be killed for it): the status bar says so.
      if (!cancellation.signal.aborted) this.statusBar.finished(0);
      if (error.code === 'cancelled') {
        this.log.info(`Continuation cancelled after ${streamedTokens} tokens; the text streamed so far stays in the document.`);
        this.logHowItWentIn(stream);
        return { ok: false, error: { code: 'cancelled', message: 'Cancelled.' } };
      }
      if (error.detail) this.log.error(`${error.message}\n${error.detail}`);
      return this.fail(error.code, error.message);
    } finally {
      stream.dispose();
      this.running = undefined;
      setContext('inkwell.generating', false);
    }
  }

  /** Notes in the log how the text went into the document (edits, undo steps). */
  private logHowItWentIn(stream: DocumentStream): void {
    const { editorEdits, workspaceEdits, retries, undoGroups, consolidated } = stream.stats;
    this.log.trace(
      `Continuation edits: ${editorEdits} in the editor, ${workspaceEdits} without it, ${retries} retried, ${undoGroups} undo step(s).`,
    );
    if (consolidated) this.log.info('Saves split the continuation into several undo steps; it was rejoined into one.');
  }

  /** Tells the user what went wrong (with a way to the log) and returns the failed outcome. */
  private fail(code: Extract<ContinuationOutcome, { ok: false }>['error']['code'], message: string): ContinuationOutcome {
    void vscode.window.showErrorMessage(`Inkwell: ${message}`, 'Show Log').then((choice) => {
      if (choice) this.log.show();
    });
    this.log.warn(`Continuation failed (${code}): ${message}`);
    return { ok: false, error: { code, message } };
  }

  dispose(): void {
    void this.cancel();
    for (const d of this.subscriptions) d.dispose();
  }
}
