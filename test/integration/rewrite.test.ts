/**
 * Rewrite Selection… and Summarize… as a writer uses them: the model's answer streams into a
 * diff of the post before and after, the post stays untouched (and not dirty) until Accept,
 * Accept writes it as one undo step, Reject / closing the diff / cancelling while it streams
 * leave it as it was. The chat model is a random-weight fixture with Qwen2.5's template (its
 * answers are gibberish, the same every run for a seed): what is checked is what the editor
 * does with whatever it answers.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { WritingOutcome } from '../../src/features/text/rewrite';
import type { InkwellTestSupport } from '../../src/testSupport';
import { CHAT_FAMILIES, TINY_GPT2_NO_PAST, writeChatModel } from '../support/chatModels';
import { closeAll, openPost, testing, waitFor, withSettings, workspaceRoot } from './helpers';

const POST = 'posts/rewrite-me.md';
const TEXT =
  '---\ntitle: Starters\ndate: 2024-04-01\n---\n\n# Keeping a starter\n\nA starter is flour and water that has been left to ferment.\n\nFeed it every day.\n';
const PARAGRAPH = 'A starter is flour and water that has been left to ferment.';

/** The diff tab of the proposal showing now, if any. */
function proposalTab(): vscode.TabInputTextDiff | undefined {
  for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
    if (tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.scheme === 'inkwell-proposal') return tab.input;
  }
  return undefined;
}

/** A side of the diff as the editor shows it. */
async function sideText(uri: vscode.Uri): Promise<string> {
  return (await vscode.workspace.openTextDocument(uri)).getText();
}

suite('Rewrite Selection and Summarize propose through a diff', () => {
  let t: InkwellTestSupport;
  let root: string;
  const uri = () => vscode.Uri.joinPath(workspaceRoot(), POST);

  suiteSetup(async function () {
    this.timeout(120_000);
    t = await testing();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-rewrite-'));
    const qwen = CHAT_FAMILIES.find((f) => f.name === 'Qwen2.5')!;
    writeChatModel(path.join(root, 'tiny-chat'), qwen);
    writeChatModel(path.join(root, 'slow-chat'), qwen, undefined, TINY_GPT2_NO_PAST);
  });

  setup(() => fs.writeFileSync(uri().fsPath, TEXT));

  teardown(closeAll);

  suiteTeardown(async () => {
    await closeAll();
    fs.rmSync(uri().fsPath, { force: true });
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function withChatModel(model: string, body: () => Promise<void>): Promise<void> {
    await withSettings({ 'models.paths': [root], 'models.chat': model, 'generation.seed': 7 }, body);
  }

  /** The post open with `PARAGRAPH` selected. */
  async function selectParagraph(): Promise<vscode.TextEditor> {
    const editor = await openPost(POST);
    const start = editor.document.getText().indexOf(PARAGRAPH);
    editor.selection = new vscode.Selection(editor.document.positionAt(start), editor.document.positionAt(start + PARAGRAPH.length));
    return editor;
  }

  const said = (from: number) =>
    t
      .messages()
      .slice(from)
      .map((m) => m.message);

  test('contributed where a writer looks: the context menu on a selection, and Accept / Reject in the diff’s title bar', () => {
    const menus = vscode.extensions.getExtension('inkwell.inkwell')?.packageJSON.contributes.menus as Record<
      string,
      { command: string; when?: string }[]
    >;
    const when = (menu: string, command: string) => menus[menu].find((m) => m.command === command)?.when;
    assert.match(when('editor/context', 'inkwell.rewriteSelection') ?? '', /editorHasSelection/);
    assert.ok(when('editor/context', 'inkwell.summarize'));
    // The installed manifest may spell the clauses in another order and quoting.
    const terms = (menu: string, command: string) => (when(menu, command) ?? '').replace(/'/g, '').split(' && ').sort();
    assert.deepStrictEqual(terms('editor/title', 'inkwell.acceptProposal'), [
      'inkwell.proposal == ready',
      'resourceScheme == inkwell-proposal',
    ]);
    assert.deepStrictEqual(terms('editor/title', 'inkwell.rejectProposal'), ['inkwell.proposal', 'resourceScheme == inkwell-proposal']);
  });

  test('Select Model lists the instruct models under writing help; picking one there sets inkwell.models.chat, and the status bar says so', async function () {
    this.timeout(60_000);
    // models.chat is put back afterwards, whatever the pick wrote.
    await withSettings({ 'models.paths': [root], 'models.chat': '' }, async () => {
      await openPost(POST);
      const picks = t.quickPicks().length;
      const running = vscode.commands.executeCommand('inkwell.selectModel', 'text');
      const pick = await waitFor(() => t.quickPicks()[picks], 'the Select Model list');
      const heading = pick.labels.indexOf('Writing help: instruct models (inkwell.models.chat)');
      assert.ok(heading > 0, pick.labels.join(' | '));
      const instruct = pick.labels.slice(heading + 1, pick.labels.indexOf('$(cloud-download) Download a better model…'));
      assert.deepStrictEqual([...instruct].sort(), ['slow-chat', 'tiny-chat'], 'only the folders with a chat template');
      assert.ok(!instruct.includes('inkwell-gpt'));
      // From the keyboard: to the first instruct model (separators are not stops), then Enter.
      const stops = pick.labels.slice(0, heading + 1).filter((l) => !/^(Text models|Image models|Writing help: .*)$/.test(l)).length;
      await vscode.commands.executeCommand('quickInput.first');
      for (let i = 0; i < stops; i++) await vscode.commands.executeCommand('quickInput.next');
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await running;
      assert.strictEqual(vscode.workspace.getConfiguration('inkwell.models').get('chat'), instruct[0]);
      assert.strictEqual(
        vscode.workspace.getConfiguration('inkwell.models').inspect('text')?.globalValue,
        undefined,
        'the text model is left alone',
      );
      const tooltip = () => {
        const value = t.statusBarItem('inkwell.model')?.tooltip;
        return typeof value === 'string' ? value : (value?.value ?? '');
      };
      await waitFor(
        () => tooltip().includes(`**Writing help** (Suggest…, Rewrite Selection, Summarize): ${instruct[0]}`),
        'the tooltip to name it',
      );
    });
  });

  test('without a chat model: one message says which model to get and offers Download Model; nothing opens', async () => {
    await selectParagraph();
    const from = t.messages().length;
    const outcome = await vscode.commands.executeCommand<WritingOutcome>('inkwell.rewriteSelection', { style: 'shorter' });
    assert.strictEqual(outcome, 'refused');
    const message = t.messages()[from];
    assert.match(message.message, /^Rewrite Selection needs an instruct model .*inkwell\.models\.chat/);
    assert.deepStrictEqual(message.items, ['Download Model…', 'Open Setting']);
    assert.strictEqual(proposalTab(), undefined);
  });

  test('a selection that reaches into the frontmatter, or none: one message, nothing asked, nothing written', async () => {
    await withChatModel('tiny-chat', async () => {
      const editor = await openPost(POST);
      const from = t.messages().length;
      editor.selection = new vscode.Selection(new vscode.Position(1, 0), new vscode.Position(7, 5));
      assert.strictEqual(await vscode.commands.executeCommand('inkwell.rewriteSelection', { style: 'shorter' }), 'refused');
      editor.selection = new vscode.Selection(new vscode.Position(7, 0), new vscode.Position(7, 0));
      assert.strictEqual(await vscode.commands.executeCommand('inkwell.rewriteSelection', { style: 'shorter' }), 'refused');
      assert.deepStrictEqual(said(from), [
        "Rewrite Selection: the selection reaches into the frontmatter. Select text in the post's body (Suggest Title, Description and Tags edit the frontmatter).",
        'Rewrite Selection: select the text to rewrite first.',
      ]);
      assert.strictEqual(proposalTab(), undefined);
      assert.strictEqual(editor.document.getText(), TEXT);
    });
  });

  test('Rewrite Selection: the answer fills the diff, the post is untouched until Accept, then changes in one undo step', async function () {
    this.timeout(120_000);
    await withChatModel('tiny-chat', async () => {
      const editor = await selectParagraph();
      const doc = editor.document;
      const progress = t.progress().length;
      const outcome = await vscode.commands.executeCommand<WritingOutcome>('inkwell.rewriteSelection', { style: 'shorter' });
      assert.strictEqual(outcome, 'ready', JSON.stringify(said(0).slice(-2)));
      assert.ok(
        t
          .progress()
          .slice(progress)
          .some((p) => p.title === 'Rewriting with tiny-chat…' && p.done),
      );
      const diff = proposalTab();
      assert.ok(diff, 'the diff is open');
      assert.strictEqual(await sideText(diff.original), TEXT, 'the left side is the post as it was');
      const proposed = await sideText(diff.modified);
      const start = TEXT.indexOf(PARAGRAPH);
      const rewritten = proposed.slice(start, proposed.length - (TEXT.length - start - PARAGRAPH.length));
      assert.ok(proposed.startsWith(TEXT.slice(0, start)) && proposed.endsWith(TEXT.slice(start + PARAGRAPH.length)), proposed);
      assert.notStrictEqual(rewritten, PARAGRAPH);
      assert.strictEqual(doc.getText(), TEXT, 'the post is untouched');
      assert.ok(!doc.isDirty);
      assert.ok(await vscode.commands.executeCommand('inkwell.acceptProposal'));
      assert.strictEqual(doc.getText(), proposed, 'Accept writes the proposal into the post');
      assert.strictEqual(proposalTab(), undefined, 'the diff closed');
      assert.strictEqual(vscode.window.activeTextEditor?.document, doc, 'the post is shown');
      assert.strictEqual(vscode.window.activeTextEditor?.document.getText(vscode.window.activeTextEditor.selection), rewritten);
      await vscode.commands.executeCommand('undo');
      await waitFor(() => doc.getText() === TEXT, 'one Undo to restore the paragraph');
    });
  });

  test('a rewrite decodes speculatively by default (the log counts the drafted tokens kept); with speculativeDecoding "off" it does not', async function () {
    this.timeout(120_000);
    const rewrites = () => t.log.filter((l) => /^Rewrite Selection: tiny-chat proposed /.test(l.message)).map((l) => l.message);
    const rewrite = async (): Promise<string> => {
      const before = rewrites().length;
      await selectParagraph();
      const outcome = await vscode.commands.executeCommand<WritingOutcome>('inkwell.rewriteSelection', { style: 'shorter' });
      assert.strictEqual(outcome, 'ready', JSON.stringify(said(0).slice(-2)));
      await vscode.commands.executeCommand('inkwell.rejectProposal');
      assert.strictEqual(proposalTab(), undefined, 'the diff closed');
      const logged = rewrites().slice(before);
      assert.strictEqual(logged.length, 1, JSON.stringify(logged));
      return logged[0];
    };
    await withChatModel('tiny-chat', async () => {
      assert.match(await rewrite(), /; speculative decoding kept \d+ of \d+ drafted tokens\)\.$/);
      await withSettings({ 'runtime.speculativeDecoding': 'off' }, async () => {
        assert.doesNotMatch(await rewrite(), /speculative/);
      });
    });
  });

  test('Rewrite Selection, picked from its list: Reject closes the diff and the post stays as it was', async function () {
    this.timeout(120_000);
    await withChatModel('tiny-chat', async () => {
      const editor = await selectParagraph();
      const picks = t.quickPicks().length;
      const running = vscode.commands.executeCommand<WritingOutcome>('inkwell.rewriteSelection');
      const pick = await waitFor(() => t.quickPicks()[picks], 'the style pick');
      assert.deepStrictEqual(pick.labels, ['Shorter', 'Clearer', 'Friendlier', 'Fix grammar', 'Your own instruction…']);
      await waitFor(async () => {
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return pick.done;
      }, 'the first style picked');
      assert.strictEqual(await running, 'ready');
      assert.ok(proposalTab());
      await vscode.commands.executeCommand('inkwell.rejectProposal');
      assert.strictEqual(proposalTab(), undefined, 'the diff closed');
      assert.strictEqual(editor.document.getText(), TEXT);
      assert.ok(!editor.document.isDirty);
      // Nothing to accept any more.
      assert.strictEqual(await vscode.commands.executeCommand('inkwell.acceptProposal'), false);
      assert.strictEqual(editor.document.getText(), TEXT);
    });
  });

  test('Reject while the model writes cancels it at once: the diff closes, the post is untouched, and it says so', async function () {
    this.timeout(120_000);
    await withChatModel('slow-chat', async () => {
      const editor = await selectParagraph();
      const from = t.messages().length;
      const running = vscode.commands.executeCommand<WritingOutcome>('inkwell.rewriteSelection', {
        style: 'instruction',
        instruction: 'in the present tense',
      });
      const diff = await waitFor(() => proposalTab(), 'the diff');
      await waitFor(async () => (await sideText(diff.modified)) !== TEXT, 'the first streamed text in the diff');
      await vscode.commands.executeCommand('inkwell.rejectProposal');
      assert.strictEqual(await running, 'cancelled');
      assert.strictEqual(proposalTab(), undefined);
      assert.ok(said(from).includes('Rewrite Selection cancelled; posts/rewrite-me.md is unchanged.'), JSON.stringify(said(from)));
      assert.strictEqual(editor.document.getText(), TEXT);
      assert.ok(!editor.document.isDirty);
    });
  });

  test('closing the diff tab rejects the proposal', async function () {
    this.timeout(120_000);
    await withChatModel('tiny-chat', async () => {
      const editor = await selectParagraph();
      assert.strictEqual(await vscode.commands.executeCommand('inkwell.rewriteSelection', { style: 'clearer' }), 'ready');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await waitFor(() => !proposalTab(), 'the diff to close');
      assert.strictEqual(await vscode.commands.executeCommand('inkwell.acceptProposal'), false, 'nothing is left to accept');
      assert.strictEqual(editor.document.getText(), TEXT);
    });
  });

  test('Summarize: the TL;DR goes after the opening heading through the diff; Accept writes it, one Undo removes it', async function () {
    this.timeout(120_000);
    await withChatModel('tiny-chat', async () => {
      const editor = await openPost(POST);
      const doc = editor.document;
      const outcome = await vscode.commands.executeCommand<WritingOutcome>('inkwell.summarize', { place: 'top' });
      assert.strictEqual(outcome, 'ready', JSON.stringify(said(0).slice(-2)));
      const diff = proposalTab();
      assert.ok(diff);
      const proposed = await sideText(diff.modified);
      const heading = '# Keeping a starter\n\n';
      const at = TEXT.indexOf(heading) + heading.length;
      assert.ok(proposed.startsWith(TEXT.slice(0, at) + '**TL;DR:** '), proposed);
      assert.ok(proposed.endsWith(`\n\n${TEXT.slice(at)}`), proposed);
      assert.strictEqual(doc.getText(), TEXT);
      assert.ok(await vscode.commands.executeCommand('inkwell.acceptProposal'));
      assert.strictEqual(doc.getText(), proposed);
      await vscode.commands.executeCommand('undo');
      await waitFor(() => doc.getText() === TEXT, 'one Undo to remove the TL;DR');
    });
  });
});
