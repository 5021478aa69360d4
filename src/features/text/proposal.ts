import * as path from 'path';
import * as vscode from 'vscode';
import { setContext } from '../../util/contextKeys';
import type { Logger } from '../../util/logger';
import type { Views } from '../../util/views';

/** The scheme of the two read-only sides of a proposal's diff. */
export const PROPOSAL_SCHEME = 'inkwell-proposal';

/** While the model writes, then once its answer is whole and can be accepted. */
export type ProposalState = 'streaming' | 'ready';

/** What a proposal replaces: the text of `doc` from `start` to `end` (offsets at the time it was asked for). */
export interface ProposalTarget {
  doc: vscode.TextDocument;
  start: number;
  end: number;
  /** The diff tab's title. */
  title: string;
}

/** How a proposal ended. */
export type ProposalEnd = 'accepted' | 'rejected' | 'cancelled' | 'failed';

/**
 * One change a model proposes to a post, shown as a diff of the post before and after until the
 * writer accepts or rejects it. The post itself is untouched until Accept.
 */
export class Proposal {
  state: ProposalState = 'streaming';
  /** The text that would replace the target, as streamed so far. */
  text = '';
  /** Aborted when the writer rejects the proposal or closes its diff: the model stops. */
  readonly controller = new AbortController();
  readonly original: string;
  readonly version: number;
  readonly uri: vscode.Uri;
  readonly originalUri: vscode.Uri;
  readonly proposedUri: vscode.Uri;
  private settle!: (end: ProposalEnd) => void;
  /** Resolves when the proposal is accepted, rejected, cancelled or failed. */
  readonly ended = new Promise<ProposalEnd>((resolve) => (this.settle = resolve));
  endedAs: ProposalEnd | undefined;

  constructor(
    id: number,
    readonly target: ProposalTarget,
  ) {
    this.uri = target.doc.uri;
    this.original = target.doc.getText();
    this.version = target.doc.version;
    // The file's own name ends both paths, so the diff highlights Markdown and its tab reads as the post.
    const name = path.posix.basename(target.doc.uri.path) || 'post.md';
    this.originalUri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${id}/original/${name}` });
    this.proposedUri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${id}/proposed/${name}` });
  }

  /** The post as it would read after Accept. */
  proposedText(): string {
    return this.original.slice(0, this.target.start) + this.text + this.original.slice(this.target.end);
  }

  end(how: ProposalEnd): void {
    if (this.endedAs) return;
    this.endedAs = how;
    this.controller.abort();
    this.settle(how);
  }
}

/** Milliseconds between two refreshes of a streaming diff: the editor redraws it at this pace, not per token. */
const REFRESH_MS = 60;

/**
 * The proposals' diffs: a read-only document provider for both sides, one proposal at a time (a
 * new one ends the last), Accept (one edit, one undo step) and Reject (also the cancel while
 * the model writes). Closing the diff rejects its proposal. The context key `inkwell.proposal`
 * says which buttons the diff's title bar shows.
 */
export class ProposalDiffs implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private current: Proposal | undefined;
  private nextId = 1;
  private refresh: NodeJS.Timeout | undefined;
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly log: Logger,
    private readonly views: Views,
  ) {
    this.disposables = [
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, this),
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        const p = this.current;
        if (p && e.closed.some((tab) => isDiffOf(tab, p))) this.finish(p, p.state === 'streaming' ? 'cancelled' : 'rejected');
      }),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const p = this.current;
    if (p?.originalUri.toString() === uri.toString()) return p.original;
    if (p?.proposedUri.toString() === uri.toString()) return p.proposedText();
    // A side of a proposal that ended (a diff reopened from history): nothing to show.
    return '';
  }

  /** Opens the diff of a new proposal for `target`, ending the one before. */
  async open(target: ProposalTarget): Promise<Proposal> {
    if (this.current) {
      this.log.info('A new proposal replaces the one still open; that one is rejected.');
      await this.finish(this.current, this.current.state === 'streaming' ? 'cancelled' : 'rejected');
    }
    const p = new Proposal(this.nextId++, target);
    this.current = p;
    setContext('inkwell.proposal', 'streaming');
    await vscode.commands.executeCommand('vscode.diff', p.originalUri, p.proposedUri, target.title, { preview: false });
    return p;
  }

  /** Shows `text` as the proposal's replacement (coalesced: the diff refreshes every REFRESH_MS at most). */
  update(p: Proposal, text: string): void {
    if (p !== this.current || p.text === text) return;
    p.text = text;
    this.refresh ??= setTimeout(() => {
      this.refresh = undefined;
      if (p === this.current) this.changed.fire(p.proposedUri);
    }, REFRESH_MS);
  }

  /**
   * The whole answer is in: resolves once the diff shows it (or after a second, when the diff is
   * not open), and Accept is offered from then on.
   */
  async ready(p: Proposal, text: string): Promise<void> {
    if (p !== this.current) return;
    p.text = text;
    const shown = this.shown(p);
    this.flush(p);
    await shown;
    if (p !== this.current) return;
    p.state = 'ready';
    setContext('inkwell.proposal', 'ready');
  }

  /** Resolves when the open proposed side holds the proposal's text (at most a second later). */
  private shown(p: Proposal): Promise<void> {
    const expected = p.proposedText();
    const showing = () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === p.proposedUri.toString());
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      };
      const sub = vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === p.proposedUri.toString() && e.document.getText() === expected) done();
      });
      const timer = setTimeout(done, 1000);
      const doc = showing();
      if (!doc || doc.getText() === expected) done();
    });
  }

  /**
   * Applies the current proposal to its post as one edit (one undo step), closes the diff and
   * shows the post with the new text selected. Refused, with the post untouched, while the model
   * still writes or when the replaced text changed since.
   */
  async accept(p = this.current): Promise<boolean> {
    if (!p || p !== this.current) return false;
    if (p.state !== 'ready') {
      void this.views.showMessage('info', 'The model is still writing; Accept is offered once its answer is whole.');
      return false;
    }
    const doc = await vscode.workspace.openTextDocument(p.uri);
    const now = doc.getText();
    const { start, end } = p.target;
    const replaced = p.original.slice(start, end);
    // Edits elsewhere that left the offsets alone are fine; anything that moved or changed the target is not.
    if (now !== p.original && (now.slice(0, start) !== p.original.slice(0, start) || now.slice(start, end) !== replaced)) {
      void this.views.showMessage(
        'warning',
        `${vscode.workspace.asRelativePath(p.uri, false)} changed above or inside the text this proposal replaces, so it was not applied. Run the command again on the post as it is now.`,
      );
      return false;
    }
    const edit = new vscode.WorkspaceEdit();
    const range = new vscode.Range(doc.positionAt(start), doc.positionAt(end));
    edit.replace(p.uri, range, p.text);
    if (!(await vscode.workspace.applyEdit(edit))) {
      void this.views.showMessage(
        'warning',
        `${vscode.workspace.asRelativePath(p.uri, false)} could not be changed; the proposal is still open.`,
      );
      return false;
    }
    await this.finish(p, 'accepted');
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(doc.positionAt(start), doc.positionAt(start + p.text.length));
    editor.revealRange(editor.selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return true;
  }

  /** Rejects the current proposal (cancelling the model while it writes) and closes its diff; the post is untouched. */
  async reject(p = this.current): Promise<void> {
    if (p && p === this.current) await this.finish(p, p.state === 'streaming' ? 'cancelled' : 'rejected');
  }

  /** Ends a proposal that failed (the model could not answer, or answered nothing). */
  async fail(p: Proposal): Promise<void> {
    if (p === this.current) await this.finish(p, 'failed');
  }

  private async finish(p: Proposal, how: ProposalEnd): Promise<void> {
    if (p !== this.current) return;
    this.current = undefined;
    clearTimeout(this.refresh);
    this.refresh = undefined;
    p.end(how);
    setContext('inkwell.proposal', undefined);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((tab) => isDiffOf(tab, p));
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
  }

  private flush(p: Proposal): void {
    clearTimeout(this.refresh);
    this.refresh = undefined;
    this.changed.fire(p.proposedUri);
  }

  dispose(): void {
    if (this.current) void this.finish(this.current, 'cancelled');
    for (const d of this.disposables) d.dispose();
  }
}

function isDiffOf(tab: vscode.Tab, p: Proposal): boolean {
  return tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === p.proposedUri.toString();
}
