import * as assert from 'assert';
import * as os from 'os';
import * as vscode from 'vscode';
import { inkwell, lastLogLine, testing, workspaceRoot } from './helpers';
import { assertAsResponsive, Pinger, pingUntil, settle } from './responsiveness';

/**
 * A 73-byte post (a line of 28 `{`) once froze frontmatter parsing for half a
 * minute, and a 640-byte one (`? ` x 300) froze the preview for 16 s, with them
 * the whole extension host: diagnostics, previews and the status bar run there.
 * These tests open such posts and type into them while checking that the host
 * keeps answering a command round trip about as fast as it does for a normal
 * post doing the same things in the same run (never against a fixed time: a busy
 * machine slows both alike).
 */
const START_BRACES = 20;
const END_BRACES = 30;
/** Opens with 20 braces (70 ms before the fix); typing goes past 28 (34 s before the fix). */
const HOSTILE = `---\ntitle: t\ndate: 2024-01-01\n${'{'.repeat(START_BRACES)}\nk: v\n---\n`;
const REL = 'posts/hostile-braces.md';
const BASELINE_REL = 'posts/hostile-baseline.md';
const NORMAL = 'posts/gans-in-one-afternoon.md';

suite('Hostile posts: the extension host keeps answering', () => {
  const uri = (rel: string) => vscode.Uri.joinPath(workspaceRoot(), rel);
  const syntax = () => vscode.languages.getDiagnostics(uri(REL)).filter((d) => d.source === 'inkwell' && d.code === 'frontmatter-syntax');
  const written: string[] = [];
  const write = async (rel: string, text: string) => {
    written.push(rel);
    await vscode.workspace.fs.writeFile(uri(rel), new TextEncoder().encode(text));
  };

  suiteSetup(async () => {
    await inkwell();
    await write(REL, HOSTILE);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('setContext', 'inkwell.test.hostilePing', undefined);
    for (const doc of vscode.workspace.textDocuments) {
      if (!doc.isDirty || !written.some((rel) => doc.uri.toString() === uri(rel).toString())) continue;
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const rel of written) await vscode.workspace.fs.delete(uri(rel)).then(undefined, () => undefined);
  });

  test('the freezing post gets a syntax diagnostic, and the host answers while braces are typed into it as fast as while typing into a normal post', async function () {
    this.timeout(300_000);
    const t = await testing();
    // Open a normal post first: the first Markdown document activates other extensions (VS
    // Code's Markdown support) in the same host, which is not what this test measures.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri(NORMAL)));

    // The baseline: the same number of keystrokes into a normal post, each waited for until
    // Inkwell has checked it, pinging all along.
    // A copy with its own title and no tags, so that no other suite's tag page or tree sees it.
    const copy = (await vscode.workspace.fs.readFile(uri(NORMAL)))
      .toString()
      .replace(/^title: .*$/m, 'title: Baseline copy')
      .replace(/^tags:.*$/m, 'tags: []');
    await write(BASELINE_REL, copy);
    const baseline = new Pinger();
    await settle(baseline);
    const normalEditor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri(BASELINE_REL)));
    await pingUntil(
      baseline,
      () => t.publishedVersion(uri(BASELINE_REL).toString()) === normalEditor.document.version,
      'the normal post checked',
    );
    baseline.reset();
    const at = normalEditor.document.positionAt(
      normalEditor.document.getText().indexOf('\n', normalEditor.document.getText().indexOf('---', 3)) + 1,
    );
    for (let n = START_BRACES + 1; n <= END_BRACES; n++) {
      assert.ok(await normalEditor.edit((b) => b.insert(at, 'x')));
      const version = normalEditor.document.version;
      await pingUntil(baseline, () => t.publishedVersion(uri(BASELINE_REL).toString()) === version, `the check after keystroke ${n}`);
    }

    const hostile = new Pinger();
    await settle(hostile);
    hostile.reset();
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri(REL)));
    await pingUntil(hostile, () => syntax().length > 0, 'a syntax diagnostic on the hostile post', 30_000);
    assert.strictEqual(editor.document.lineAt(3).text, '{'.repeat(START_BRACES));
    // Measure from here: the post is open. Opening and showing an editor is the workbench's time.
    hostile.reset();
    /** Inkwell's note on the innermost unclosed `{`: on the last one of the line, so it moves with each one typed. */
    const keyNoteAt = (braces: number) =>
      vscode.languages
        .getDiagnostics(uri(REL))
        .some(
          (d) =>
            d.source === 'inkwell' &&
            /opened with `\{` but never closed/.test(d.message) &&
            d.range.start.line === 3 &&
            d.range.start.character === braces - 1,
        );
    for (let n = START_BRACES + 1; n <= END_BRACES; n++) {
      assert.ok(await editor.edit((b) => b.insert(new vscode.Position(3, 0), '{')));
      await pingUntil(hostile, () => keyNoteAt(n), `Inkwell's diagnostics after typing brace ${n}`);
    }
    assert.strictEqual(editor.document.lineAt(3).text, '{'.repeat(END_BRACES));
    assertAsResponsive(hostile, baseline, 'typing braces', 'typical');
    const diagnostics = syntax();
    assert.ok(diagnostics.length > 0, 'the post still has a syntax diagnostic');
    assert.ok(
      diagnostics.every((d) => d.message.length > 0 && d.range.start.line >= 1 && d.range.end.line <= 5),
      JSON.stringify(diagnostics.map((d) => [d.message, d.range.start.line])),
    );
  });

  test("a thread count past the machine's cores starts the model runtime with one thread per core", async function () {
    this.timeout(120_000);
    const t = await testing();
    const runtime = vscode.workspace.getConfiguration('inkwell.runtime');
    await runtime.update('threads', 256, vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('inkwell.restartRuntime');
      await vscode.commands.executeCommand('inkwell.checkModel', { model: 'inkwell-gpt' });
      const started = lastLogLine(t, /Starting the model runtime/);
      assert.match(started ?? '', new RegExp(`\\(pid \\d+, ${os.availableParallelism()} thread\\(s\\)\\)`), started);
    } finally {
      await runtime.update('threads', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('inkwell.restartRuntime');
    }
  });
});
