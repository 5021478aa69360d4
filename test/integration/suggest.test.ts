/**
 * Suggest Title…, Suggest Description… and Suggest Tags… as a writer uses them in the sample
 * blog: the command opens a quick pick of candidates labelled with where they come from, the
 * first one is picked from the keyboard, the frontmatter then holds it as the writer reads it,
 * in the post's own language (YAML, TOML, JSON) and list style, and one Undo restores the post.
 * "Suggest a description…" is offered on a post without a description and does the same.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { parseFrontmatter } from '../../src/core/frontmatter/parse';
import type { InkwellTestSupport, WatchedQuickPick } from '../../src/testSupport';
import { CHAT_FAMILIES, writeChatModel } from '../support/chatModels';
import { closeAll, openPost, testing, waitFor, withSettings, workspaceRoot } from './helpers';

const GANS = 'posts/gans-in-one-afternoon.md';
/** Posts the suite writes into the workspace (and deletes after). */
const WRITTEN: Record<string, string> = {
  'posts/suggest-toml.md':
    '+++\n# written by hand\ntitle = "Old title"\ntags = ["gan"]\n+++\n\n# Sampling from a Latent Space\n\nA variational autoencoder learns to rebuild images from a few numbers, and nearby numbers decode to similar images.\n',
  'posts/suggest-json.md':
    '{\n  "title": "Old title",\n  "tags": [\n    "gan"\n  ]\n}\n\nThe generator invents images from noise; the discriminator tells them from real ones. Each gets better because the other does.\n',
  'posts/suggest-missing.md':
    '---\ntitle: Evaluating Generated Images\ndate: 2024-03-01\n---\nFID compares the statistics of generated images with real ones. Lower is better, but it hides what exactly went wrong.\n',
  'posts/suggest-empty.md': '---\ntitle: Nothing yet\ndate: 2024-03-02\n---\n',
  // Short: the fixture chat model's context is 256 tokens, the prompt's instructions included.
  'posts/suggest-chat.md': '---\ntitle: Old title\n---\n\nA starter is flour and water.\n',
};
const uriOf = (relative: string) => vscode.Uri.joinPath(workspaceRoot(), relative);

suite('Suggest Title, Description and Tags write into the frontmatter', () => {
  let t: InkwellTestSupport;

  suiteSetup(async function () {
    this.timeout(120_000);
    t = await testing();
    for (const [rel, text] of Object.entries(WRITTEN)) fs.writeFileSync(uriOf(rel).fsPath, text);
  });

  suiteTeardown(async () => {
    await closeAll();
    for (const rel of Object.keys(WRITTEN)) fs.rmSync(uriOf(rel).fsPath, { force: true });
  });

  teardown(closeAll);

  /**
   * Runs a command and answers its quick pick titled `title` from the keyboard: Enter on the
   * first item, ticked first (Home, then Space) when the pick has checkboxes. A multi-pick accepted before
   * its list took the tick comes back empty and writes nothing: the writer's second try is made.
   */
  async function runAndPick(command: string, title: string, ...args: unknown[]): Promise<WatchedQuickPick> {
    for (let attempt = 0; ; attempt++) {
      const before = t.quickPicks().length;
      const run = vscode.commands.executeCommand(command, ...args);
      const pick = await waitFor(
        () =>
          t
            .quickPicks()
            .slice(before)
            .find((p) => p.title === title && !p.done),
        `the "${title}" quick pick`,
      );
      await waitFor(
        async () => {
          if (pick.done) return true;
          if (pick.canPickMany) {
            await vscode.commands.executeCommand('quickInput.first');
            await vscode.commands.executeCommand('quickInput.toggleCheckbox');
          }
          await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
          return pick.done;
        },
        `the "${title}" pick accepted`,
        30_000,
        250,
      );
      await run;
      if (pick.pickedAll?.length || attempt >= 3) return pick;
    }
  }

  /** Undo from the keyboard restores `original`. */
  async function undoRestores(doc: vscode.TextDocument, original: string): Promise<void> {
    await vscode.commands.executeCommand('undo');
    await waitFor(() => doc.getText() === original, 'one Undo to restore the post');
  }

  test('Suggest Title: the first sentence, labelled, replaces the YAML title; one Undo restores it', async () => {
    const editor = await openPost(GANS);
    const original = editor.document.getText();
    const pick = await runAndPick('inkwell.suggestTitle', 'Suggest Title');
    assert.deepStrictEqual(pick.labels, ['A generative adversarial network is two models locked in an…', 'Gans in one afternoon']);
    assert.deepStrictEqual(pick.descriptions, ['60 characters · first sentence', '21 characters · file name']);
    assert.strictEqual(pick.picked, pick.labels[0]);
    assert.strictEqual(
      editor.document.getText(),
      original.replace('title: Training a GAN in One Afternoon\n', 'title: A generative adversarial network is two models locked in an…\n'),
    );
    await undoRestores(editor.document, original);
  });

  test('Suggest Description: the first paragraph cut to the description length replaces the YAML description', async () => {
    const editor = await openPost(GANS);
    const original = editor.document.getText();
    const pick = await runAndPick('inkwell.suggestDescription', 'Suggest Description');
    const label = pick.labels[0];
    assert.ok(label.startsWith('A generative adversarial network is two models locked in an argument.') && label.endsWith('…'), label);
    assert.match(pick.descriptions[0] ?? '', /^1[0-6]\d characters · first paragraph$/);
    const line = editor.document.getText().split('\n')[3];
    assert.strictEqual(line, `description: ${label}`);
    assert.strictEqual(editor.document.getText(), original.replace(original.split('\n')[3], line));
    await undoRestores(editor.document, original);
  });

  test('Suggest Tags: ranked workspace tags with their score and shared words; the ticked one joins the block list', async () => {
    const editor = await openPost(GANS);
    const original = editor.document.getText();
    const pick = await runAndPick('inkwell.suggestTags', 'Suggest Tags');
    assert.strictEqual(pick.canPickMany, true);
    assert.ok(!pick.labels.some((l) => ['generative-ai', 'gan', 'machine-learning'].includes(l)), 'the post’s own tags are not offered');
    assert.match(pick.descriptions[0] ?? '', /^(strong|fair|weak) match \(score 0\.\d\d\) · tags of similar posts$/);
    assert.match(pick.details[0] ?? '', /^shares: \w+(, \w+)*$/);
    const tag = pick.labels[0];
    assert.deepStrictEqual(pick.pickedAll, [tag]);
    assert.strictEqual(editor.document.getText(), original.replace('  - machine-learning\n', `  - machine-learning\n  - ${tag}\n`));
    await undoRestores(editor.document, original);
  });

  test('a TOML post: the first heading becomes its title and a tag joins its array, each undone in one step', async () => {
    const editor = await openPost('posts/suggest-toml.md');
    const original = editor.document.getText();
    const title = await runAndPick('inkwell.suggestTitle', 'Suggest Title');
    assert.strictEqual(title.labels[0], 'Sampling from a Latent Space');
    assert.strictEqual(title.descriptions[0], '28 characters · first heading');
    assert.strictEqual(editor.document.getText(), original.replace('title = "Old title"', 'title = "Sampling from a Latent Space"'));
    await undoRestores(editor.document, original);

    const tags = await runAndPick('inkwell.suggestTags', 'Suggest Tags');
    const tag = tags.labels[0];
    assert.strictEqual(editor.document.getText(), original.replace('tags = ["gan"]', `tags = ["gan", ${JSON.stringify(tag)}]`));
    await undoRestores(editor.document, original);
  });

  test('a JSON post: the description is added as a member and a tag joins the array one a line', async () => {
    const editor = await openPost('posts/suggest-json.md');
    const original = editor.document.getText();
    const description = await runAndPick('inkwell.suggestDescription', 'Suggest Description');
    const text = description.labels[0];
    assert.strictEqual(
      text,
      'The generator invents images from noise; the discriminator tells them from real ones. Each gets better because the other does.',
    );
    assert.strictEqual(editor.document.getText(), original.replace('{\n', `{\n  "description": ${JSON.stringify(text)},\n`));
    await undoRestores(editor.document, original);

    const tags = await runAndPick('inkwell.suggestTags', 'Suggest Tags');
    const tag = tags.labels[0];
    assert.strictEqual(editor.document.getText(), original.replace('    "gan"\n', `    "gan",\n    ${JSON.stringify(tag)}\n`));
    await undoRestores(editor.document, original);
  });

  test('"Suggest a description…" on a post without one runs Suggest Description and adds the picked one', async function () {
    this.timeout(60_000);
    const editor = await openPost('posts/suggest-missing.md');
    const uri = editor.document.uri;
    const original = editor.document.getText();
    const diagnostic = await waitFor(
      () => vscode.languages.getDiagnostics(uri).find((d) => d.code === 'description-missing'),
      'the missing description diagnostic',
    );
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const action = actions.find((a) => a.title === 'Suggest a description…');
    assert.ok(action?.command, `the action is offered (got ${actions.map((a) => a.title).join(', ')})`);
    const pick = await runAndPick(action.command.command, 'Suggest Description', ...(action.command.arguments ?? []));
    const text = 'FID compares the statistics of generated images with real ones. Lower is better, but it hides what exactly went wrong.';
    assert.deepStrictEqual(pick.labels, [text]);
    assert.strictEqual(editor.document.getText(), original.replace('---\n', `---\ndescription: ${text}\n`));
    await waitFor(() => !vscode.languages.getDiagnostics(uri).some((d) => d.code === 'description-missing'), 'the diagnostic to go');
    await undoRestores(editor.document, original);
  });

  /**
   * Runs `body` with a random-weight chat model (Qwen2.5's template) as inkwell.models.chat, then
   * puts the settings back. A fixed seed makes its gibberish the same every run.
   */
  async function withChatModel(body: () => Promise<void>): Promise<void> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-suggest-chat-'));
    writeChatModel(
      path.join(root, 'tiny-chat'),
      CHAT_FAMILIES.find((f) => f.name === 'Qwen2.5')!,
    );
    try {
      await withSettings({ 'models.paths': [root], 'models.chat': 'tiny-chat', 'generation.seed': 7 }, body);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }

  test('with a chat model: its titles, labelled with its name, come first, then the post’s own; a picked one is written as is', async function () {
    this.timeout(120_000);
    await withChatModel(async () => {
      const editor = await openPost('posts/suggest-chat.md');
      const original = editor.document.getText();
      const progress = t.progress().length;
      const messages = t.messages().length;
      const pick = await runAndPick('inkwell.suggestTitle', 'Suggest Title');
      assert.ok(
        t
          .progress()
          .slice(progress)
          .some((p) => p.title === 'Asking tiny-chat for titles…'),
        'the progress notification names the model',
      );
      const fromModel = pick.descriptions.filter((d) => d?.endsWith(' · tiny-chat')).length;
      const said = t
        .messages()
        .slice(messages)
        .map((m) => m.message);
      assert.ok(fromModel >= 1, `the model's candidates are offered: ${JSON.stringify({ descriptions: pick.descriptions, said })}`);
      assert.ok(pick.descriptions.slice(0, fromModel).every((d) => /^\d+ characters? · tiny-chat$/.test(d ?? '')));
      assert.deepStrictEqual(pick.descriptions.slice(fromModel), ['28 characters · first sentence', '12 characters · file name']);
      assert.deepStrictEqual(pick.labels.slice(fromModel), ['A starter is flour and water', 'Suggest chat']);
      const picked = pick.labels[0];
      assert.strictEqual(pick.picked, picked);
      const written = editor.document.getText();
      assert.strictEqual(parseFrontmatter(written).data.title, picked);
      const titleLine = (text: string) => text.split('\n').findIndex((l) => l.startsWith('title:'));
      assert.deepStrictEqual(
        written.split('\n').filter((_, i) => i !== titleLine(written)),
        original.split('\n').filter((_, i) => i !== titleLine(original)),
        'only the title line changed',
      );
      await undoRestores(editor.document, original);
    });
  });

  test('with a chat model whose descriptions do not fit the length: the pick says so, and offers the post’s own', async function () {
    this.timeout(120_000);
    await withChatModel(async () => {
      const editor = await openPost('posts/suggest-chat.md');
      const original = editor.document.getText();
      const picks = t.quickPicks().length;
      const running = vscode.commands.executeCommand('inkwell.suggestDescription');
      const pick = await waitFor(() => t.quickPicks()[picks], 'the Suggest Description pick');
      // The random-weight model's lines are not 50–160-character sentences: none is offered.
      assert.ok(!pick.descriptions.some((d) => d?.endsWith('· tiny-chat')), JSON.stringify(pick.descriptions));
      assert.strictEqual(
        pick.placeHolder,
        'The description to write into the frontmatter (tiny-chat suggested none within the description length; these come from the post)',
      );
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await running;
      assert.strictEqual(editor.document.getText(), original);
    });
  });

  test('with a chat model: Suggest Tags offers the tags it chose first, and it can only choose the blog’s own', async function () {
    this.timeout(120_000);
    const provider = await waitFor(() => t.treeDataProvider<{ kind: string; tag: string }>('inkwell.tags'), 'the tag tree');
    const taxonomy = new Set(((await provider.getChildren?.()) ?? []).map((n) => n.tag));
    assert.ok(taxonomy.size >= 5, [...taxonomy].join(', '));
    await withChatModel(async () => {
      const editor = await openPost('posts/suggest-chat.md');
      const original = editor.document.getText();
      const progress = t.progress().length;
      const pick = await runAndPick('inkwell.suggestTags', 'Suggest Tags');
      assert.ok(
        t
          .progress()
          .slice(progress)
          .some((p) => p.title === 'Asking tiny-chat for tags…'),
        'the progress notification names the model',
      );
      const fromModel = pick.descriptions.filter((d) => d === "chosen by tiny-chat among the blog's tags").length;
      // Random weights, and still only tags the blog uses: the model cannot spell anything else.
      assert.ok(fromModel >= 1, JSON.stringify(pick.descriptions));
      assert.ok(
        pick.descriptions.slice(0, fromModel).every((d) => d === "chosen by tiny-chat among the blog's tags"),
        'the model’s come first',
      );
      for (const label of pick.labels) assert.ok(taxonomy.has(label), `${label} is one of the blog's tags`);
      assert.strictEqual(new Set(pick.labels).size, pick.labels.length, 'no tag twice');
      const tag = pick.labels[0];
      assert.deepStrictEqual(pick.pickedAll, [tag]);
      assert.deepStrictEqual(parseFrontmatter(editor.document.getText()).data.tags, [tag]);
      await undoRestores(editor.document, original);
    });
  });

  test('a post without a body: one message says so, no quick pick opens and nothing is written', async () => {
    const editor = await openPost('posts/suggest-empty.md');
    const original = editor.document.getText();
    const picks = t.quickPicks().length;
    const messages = t.messages().length;
    await vscode.commands.executeCommand('inkwell.suggestTitle');
    assert.deepStrictEqual(
      t
        .messages()
        .slice(messages)
        .map((m) => m.message),
      ['Suggest Title: posts/suggest-empty.md has no body to suggest from.'],
    );
    assert.strictEqual(t.quickPicks().length, picks);
    assert.strictEqual(editor.document.getText(), original);
    assert.ok(!editor.document.isDirty);
  });
});
