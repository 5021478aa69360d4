import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { InkwellTestSupport } from '../../src/testSupport';
import { openPost, testing, waitFor, workspaceRoot } from './helpers';
import { repoRoot } from './repo';

const EVAL = 'posts/notes-on-evaluation.md';
const VAE = 'posts/vae-latent-walks.md';
const SAMPLES = ['posts/exploring-generative-ai.md', 'posts/fine-tuning-gpt-on-your-posts.md', 'posts/gans-in-one-afternoon.md', EVAL, VAE];

const uriOf = (relative: string) => vscode.Uri.joinPath(workspaceRoot(), relative);

/** Inkwell's diagnostics for a file as [code, startLine, startChar, endLine, endChar]. */
function ours(uri: vscode.Uri): Array<[string, number, number, number, number]> {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'inkwell')
    .map(
      (d) =>
        [String(d.code), d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character] as [
          string,
          number,
          number,
          number,
          number,
        ],
    )
    .sort((a, b) => a[1] - b[1] || a[2] - b[2]);
}

const has = (uri: vscode.Uri, code: string) => ours(uri).some((d) => d[0] === code);

function labelOf(item: vscode.CompletionItem): string {
  return typeof item.label === 'string' ? item.label : item.label.label;
}

/** Sample posts as they were before the suite, restored after each test so edits never leak. */
const originals = new Map<string, Uint8Array>();

async function edit(relative: string): Promise<vscode.TextEditor> {
  const uri = uriOf(relative);
  if (!originals.has(uri.toString())) originals.set(uri.toString(), await vscode.workspace.fs.readFile(uri));
  return openPost(relative);
}

async function restoreEdited(): Promise<void> {
  for (const [key, bytes] of originals) {
    const uri = vscode.Uri.parse(key);
    const original = new TextDecoder().decode(bytes);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    if (doc && doc.getText() !== original) {
      const all = new vscode.WorkspaceEdit();
      all.replace(uri, new vscode.Range(0, 0, doc.lineCount, 0), original);
      await vscode.workspace.applyEdit(all);
    }
    if (doc?.isDirty) await doc.save();
    const onDisk = await vscode.workspace.fs.readFile(uri);
    if (Buffer.compare(Buffer.from(onDisk), Buffer.from(bytes)) !== 0) await vscode.workspace.fs.writeFile(uri, bytes);
  }
}

/**
 * Closes every editor after reverting unsaved workspace posts. Unlike the shared
 * helper it leaves documents outside the workspace alone (VS Code may hold the user
 * settings file open and dirty for a moment while it writes it).
 */
async function closeEditors(): Promise<void> {
  const root = workspaceRoot().toString() + '/';
  for (const doc of vscode.workspace.textDocuments) {
    if (doc.isDirty && doc.uri.toString().startsWith(root)) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

suite('Posts: frontmatter diagnostics, fixes, completions', () => {
  let t: InkwellTestSupport;

  /** A tag's post count as the "Posts by Tag" view shows it (its rows wait for the workspace scan). */
  async function tagCount(tag: string): Promise<number | undefined> {
    const tree = t.treeDataProvider<{ kind: string; tag: string }>('inkwell.tags');
    const row = ((await tree?.getChildren?.()) ?? []).find((n) => n.tag === tag);
    const description = row && (await tree!.getTreeItem(row)).description;
    return typeof description === 'string' ? Number(description) : undefined;
  }

  suiteSetup(async () => {
    t = await testing();
    // Other suites share this workspace and may have changed the samples: start from the originals.
    await closeEditors();
    for (const file of SAMPLES) {
      const pristine = fs.readFileSync(path.join(repoRoot(), 'samples', 'blog', file));
      const current = await vscode.workspace.fs.readFile(uriOf(file));
      if (Buffer.compare(Buffer.from(current), pristine) !== 0) await vscode.workspace.fs.writeFile(uriOf(file), pristine);
    }
    // The index scans the workspace after activation; tag spelling checks need it.
    await waitFor(
      async () =>
        (await tagCount('generative-ai')) === 4 && (await tagCount('machine-learning')) === 3 && (await tagCount('evaluation')) === 1,
      'the index to hold the sample posts as shipped',
    );
  });
  teardown(async () => {
    await restoreEdited();
    await closeEditors();
  });

  test('diagnostics appear on open, at the exact offending text', async () => {
    const editor = await openPost(EVAL);
    const uri = editor.document.uri;
    await waitFor(() => has(uri, 'tag-duplicate') && has(uri, 'tag-variant'), 'diagnostics on the evaluation post');
    assert.deepStrictEqual(ours(uri), [
      ['description-too-short', 3, 13, 3, 19],
      ['tag-variant', 5, 4, 5, 20],
      ['tag-duplicate', 7, 4, 7, 14],
    ]);
    const doc = editor.document;
    const text = (d: vscode.Diagnostic) => doc.getText(d.range);
    const byCode = new Map(vscode.languages.getDiagnostics(uri).map((d) => [String(d.code), d]));
    assert.strictEqual(text(byCode.get('description-too-short')!), 'Short.');
    assert.strictEqual(text(byCode.get('tag-variant')!), 'Machine Learning');
    assert.strictEqual(byCode.get('tag-variant')!.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(byCode.get('tag-variant')!.message, /"machine-learning"/);
  });

  test('diagnostics follow typing (debounced)', async () => {
    const editor = await edit(VAE);
    const uri = editor.document.uri;
    await waitFor(() => has(uri, 'image-not-found'), 'the missing image diagnostic');
    const line = editor.document.lineAt(1); // date: 2023-06-20
    assert.match(line.text, /^date: /);
    await editor.edit((b) => b.replace(line.range, 'date: 2023/06/20'));
    await waitFor(() => has(uri, 'date-invalid'), 'a date-invalid diagnostic after the edit');
    assert.deepStrictEqual(
      ours(uri).find((d) => d[0] === 'date-invalid'),
      ['date-invalid', 1, 6, 1, 16],
    );
  });

  test('the preferred quick fix removes a duplicate tag and the diagnostic goes away', async () => {
    const editor = await edit(EVAL);
    const uri = editor.document.uri;
    await waitFor(() => has(uri, 'tag-duplicate'), 'the duplicate tag diagnostic');
    const diagnostic = vscode.languages.getDiagnostics(uri).find((d) => d.code === 'tag-duplicate')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title === 'Remove duplicate tag "evaluation"');
    assert.ok(fix, `a fix is offered (got ${actions.map((a) => a.title).join(', ')})`);
    assert.strictEqual(fix.isPreferred, true);
    assert.ok(await vscode.workspace.applyEdit(fix.edit!));
    assert.match(editor.document.getText(), /tags:\n {2}- Machine Learning\n {2}- evaluation\n---\n/);
    await waitFor(() => !has(uri, 'tag-duplicate'), 'the duplicate diagnostic to clear');
  });

  test('a quick fix changes a tag to the spelling the workspace uses', async () => {
    const editor = await edit(EVAL);
    const uri = editor.document.uri;
    await waitFor(() => has(uri, 'tag-variant'), 'the tag variant diagnostic');
    const diagnostic = vscode.languages.getDiagnostics(uri).find((d) => d.code === 'tag-variant')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.isPreferred && a.title === 'Change tag to "machine-learning"');
    assert.ok(fix, `the fix is offered (got ${actions.map((a) => a.title).join(', ')})`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit!));
    assert.strictEqual(editor.document.lineAt(5).text, '  - machine-learning');
    await waitFor(() => !has(uri, 'tag-variant'), 'the variant diagnostic to clear');
  });

  /** The quick fixes the light bulb offers on the diagnostic with `code`, in the order it shows them. */
  async function quickFixes(uri: vscode.Uri, code: string): Promise<vscode.CodeAction[]> {
    const diagnostic = vscode.languages.getDiagnostics(uri).find((d) => d.code === code);
    assert.ok(diagnostic, `a ${code} diagnostic`);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      diagnostic.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    return actions;
  }

  /** Puts the cursor on the diagnostic with `code` and runs Auto Fix (the preferred quick fix), as from the keyboard. */
  async function autoFix(editor: vscode.TextEditor, code: string): Promise<void> {
    const diagnostic = vscode.languages.getDiagnostics(editor.document.uri).find((d) => d.code === code);
    assert.ok(diagnostic, `a ${code} diagnostic`);
    await vscode.window.showTextDocument(editor.document, { preview: false });
    editor.selection = new vscode.Selection(diagnostic.range.start, diagnostic.range.start);
    const version = editor.document.version;
    await waitFor(async () => {
      await vscode.commands.executeCommand('editor.action.autoFix');
      return editor.document.version !== version;
    }, `Auto Fix of ${code}`);
  }

  test('an impossible date offers the nearest valid date in the same month first, then today; Auto Fix takes the nearest', async () => {
    const editor = await edit(VAE);
    const uri = editor.document.uri;
    await editor.edit((b) => b.replace(editor.document.lineAt(1).range, 'date: 2023-06-31'));
    await waitFor(() => has(uri, 'date-invalid'), 'the date-invalid diagnostic');
    // The sample was copied here today, so its creation date is today: one entry, not two (in the
    // style the other posts use, with a time).
    assert.deepStrictEqual(
      (await quickFixes(uri, 'date-invalid')).map((a) => [
        a.title.replace(/\(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)$/, '(TODAY)'),
        !!a.isPreferred,
      ]),
      [
        ['Change date to 2023-06-30 (the nearest valid date)', true],
        ['Set date to today (TODAY)', false],
      ],
    );
    await autoFix(editor, 'date-invalid');
    assert.strictEqual(editor.document.lineAt(1).text, 'date: 2023-06-30');
    await waitFor(() => !has(uri, 'date-invalid'), 'the date diagnostic to clear');
  });

  test('a likely typo of a field (titel) says "did you mean", although unknown fields are allowed, and Auto Fix renames it', async () => {
    assert.strictEqual(vscode.workspace.getConfiguration('inkwell.validation').get('flagUnknownKeys'), false);
    const editor = await edit(VAE);
    const uri = editor.document.uri;
    const line = editor.document.lineAt(2);
    assert.match(line.text, /^title: /);
    await editor.edit((b) => b.replace(new vscode.Range(2, 0, 2, 5), 'titel'));
    await waitFor(() => has(uri, 'key-typo'), 'the key-typo diagnostic');
    const diagnostic = vscode.languages.getDiagnostics(uri).find((d) => d.code === 'key-typo')!;
    assert.strictEqual(diagnostic.message, 'Unknown field "titel": did you mean "title"?');
    assert.strictEqual(editor.document.getText(diagnostic.range), 'titel');
    assert.ok(!has(uri, 'unknown-key'));
    assert.deepStrictEqual(
      (await quickFixes(uri, 'key-typo')).map((a) => a.title),
      ['Rename field to "title"'],
    );
    await autoFix(editor, 'key-typo');
    assert.strictEqual(editor.document.lineAt(2).text, line.text);
    await waitFor(() => !has(uri, 'key-typo') && !has(uri, 'title-missing'), 'the typo and missing title to clear');
  });

  test('a title taken from the leading heading offers to remove the heading, and Auto Fix does', async () => {
    const rel = 'posts/up-the-ridge.md';
    const file = uriOf(rel);
    await vscode.workspace.fs.writeFile(
      file,
      Buffer.from(
        '---\ndate: 2024-04-02\ndescription: A walk up the ridge before the rain came, with the dog and a flask of tea.\n---\n\n# Up the Ridge\n\nWe left early.\n',
      ),
    );
    try {
      const editor = await openPost(rel);
      await waitFor(() => has(file, 'title-missing'), 'the title-missing diagnostic');
      assert.deepStrictEqual(
        (await quickFixes(file, 'title-missing')).map((a) => [a.title, !!a.isPreferred]),
        [
          ['Add "title: Up the Ridge" and remove the heading (it would show twice)', true],
          ['Add "title: Up the Ridge" (keep the heading)', false],
        ],
      );
      await autoFix(editor, 'title-missing');
      assert.strictEqual(
        editor.document.getText(),
        '---\ntitle: Up the Ridge\ndate: 2024-04-02\ndescription: A walk up the ridge before the rain came, with the dog and a flask of tea.\n---\n\nWe left early.\n',
      );
      await waitFor(() => !has(file, 'title-missing'), 'the title diagnostic to clear');
    } finally {
      await closeEditors();
      await vscode.workspace.fs.delete(file);
    }
  });

  test('a missing image is offered only close names, then a picker and the generator', async () => {
    const editor = await edit(VAE);
    const uri = editor.document.uri;
    await waitFor(() => has(uri, 'image-not-found'), 'the missing image diagnostic');
    const titles = async () => {
      const diagnostic = vscode.languages.getDiagnostics(uri).find((d) => d.code === 'image-not-found')!;
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        uri,
        diagnostic.range,
        vscode.CodeActionKind.QuickFix.value,
      );
      return actions.map((a) => a.title);
    };
    // The workspace's only image, /uploads/gan-grid.png, has nothing to do with /uploads/vae-walk.png.
    assert.deepStrictEqual(await titles(), ['Choose an image…', 'Generate an image…']);
    // A file with a close name is offered first.
    const close = uriOf('static/uploads/vae-walk-01.png');
    await vscode.workspace.fs.copy(uriOf('static/uploads/gan-grid.png'), close);
    try {
      await waitFor(async () => (await titles())[0] === 'Change image to /uploads/vae-walk-01.png', 'the close name to be offered');
      assert.deepStrictEqual(await titles(), ['Change image to /uploads/vae-walk-01.png', 'Choose an image…', 'Generate an image…']);
    } finally {
      await vscode.workspace.fs.delete(close);
    }
  });

  test('completions offer the workspace tags, most used first', async () => {
    const editor = await edit(EVAL);
    const end = editor.document.lineAt(7).range.end; // "  - evaluation"
    await editor.edit((b) => b.insert(end, '\n  - '));
    const position = new vscode.Position(8, 4);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      editor.document.uri,
      position,
    );
    const tags = list.items
      .filter((i) => i.kind === vscode.CompletionItemKind.EnumMember)
      .sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''))
      .map(labelOf);
    assert.strictEqual(tags[0], 'generative-ai', `generative-ai (4 posts) comes first: ${tags.join(', ')}`);
    assert.strictEqual(tags[1], 'machine-learning');
    for (const t of ['gan', 'vae', 'gpt', 'writing', 'data-science']) assert.ok(tags.includes(t), `offers ${t}`);
    const first = list.items.find((i) => labelOf(i) === 'generative-ai')!;
    assert.strictEqual(typeof first.label === 'string' ? undefined : first.label.description, '4 posts');
  });

  /** Waits until the document's current text has been checked and its problems published. */
  async function checked(doc: vscode.TextDocument): Promise<void> {
    await waitFor(() => t.publishedVersion(doc.uri.toString()) === doc.version, `the check of version ${doc.version}`);
  }

  /** Types `text` at the end of `line` the way a writer does; the cursor ends after it. */
  async function typeAtEnd(editor: vscode.TextEditor, line: number, text: string): Promise<void> {
    const at = editor.document.lineAt(line).range.end;
    editor.selection = new vscode.Selection(at, at);
    await editor.edit((b) => b.insert(at, text));
    const end = editor.document.lineAt(line + (text.match(/\n/g)?.length ?? 0)).range.end;
    editor.selection = new vscode.Selection(end, end);
  }

  test('a new tag item offers only tags the post lacks, and its problem waits until the writer leaves the line', async () => {
    const editor = await edit(EVAL);
    const uri = editor.document.uri;
    await waitFor(() => has(uri, 'description-too-short'), 'the first diagnostics');
    await typeAtEnd(editor, 7, '\n  - ');
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      uri,
      editor.selection.active,
    );
    const offered = list.items.filter((i) => i.kind === vscode.CompletionItemKind.EnumMember).map(labelOf);
    assert.ok(offered.includes('generative-ai'), offered.join(', '));
    assert.ok(
      !offered.includes('evaluation') && !offered.includes('Machine Learning'),
      `tags already in the list are not offered: ${offered.join(', ')}`,
    );
    await checked(editor.document);
    assert.ok(!has(uri, 'tag-not-string'), 'no error for the tag still being typed');
    // Leaving the line: the unfinished item is now a problem.
    editor.selection = new vscode.Selection(new vscode.Position(1, 0), new vscode.Position(1, 0));
    await waitFor(() => has(uri, 'tag-not-string'), 'the problem once the cursor left the line');
  });

  test('"draft: " is a problem only after the writer pauses', async () => {
    const editor = await edit(EVAL);
    const uri = editor.document.uri;
    await waitFor(() => has(uri, 'description-too-short'), 'the first diagnostics');
    const typed = Date.now();
    await typeAtEnd(editor, 2, '\ndraft: ');
    await checked(editor.document);
    // On a slow machine the check may come after the pause; then there is nothing to assert here.
    if (Date.now() - typed < 1200) assert.ok(!has(uri, 'draft-not-boolean'), 'no error while the value is being typed');
    await waitFor(() => has(uri, 'draft-not-boolean'), 'the problem after a pause', 10000);
  });

  test("New Post asks for title, description and tags, marks a draft, follows the site's file names and opens without warnings", async () => {
    type Prompts = {
      title(): Thenable<string | undefined>;
      description(): Thenable<string | undefined>;
      tags(known: readonly { tag: string; count: number }[]): Thenable<string[] | undefined>;
    };
    const answer = (p: Prompts | undefined) => t.answerNewPost(p);
    const offered: string[][] = [];
    answer({
      title: async () => 'My First Post',
      description: async () => '', // skipped
      tags: async (known) => {
        offered.push(known.map((t) => t.tag));
        return ['gan', 'first-steps'];
      },
    });
    const folder = uriOf('dated');
    const old = vscode.Uri.joinPath(folder, '2024-01-02-an-older-post.md');
    await vscode.workspace.fs.writeFile(old, Buffer.from('---\ntitle: An Older Post\ndate: 2024-01-02\n---\nOld.\n'));
    let created: vscode.Uri | undefined;
    try {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(old));
      created = await vscode.commands.executeCommand<vscode.Uri>('inkwell.newPost');
      assert.ok(created, 'the post is created');
      assert.match(created.path.split('/').pop()!, /^\d{4}-\d{2}-\d{2}-my-first-post\.md$/, 'named like the posts beside it');
      assert.ok(offered[0]?.includes('generative-ai'), `the workspace tags are offered: ${offered[0]?.join(', ')}`);
      const editor = await waitFor(
        () => vscode.window.activeTextEditor?.document.uri.toString() === created!.toString() && vscode.window.activeTextEditor,
        'the new post to open',
      );
      assert.match(
        editor.document.getText(),
        /^---\ntitle: "My First Post"\ndate: \d{4}-\d{2}-\d{2}\ndescription: ""\ntags: \["gan", "first-steps"\]\ndraft: true\n---\n/,
      );
      assert.strictEqual(editor.selection.active.line, 3, 'the cursor is on the description to write');
      await checked(editor.document);
      assert.deepStrictEqual(ours(created), [], 'a new post opens without warnings');
      // Once the writer moves on without writing one, the missing description is pointed out.
      editor.selection = new vscode.Selection(new vscode.Position(7, 0), new vscode.Position(7, 0));
      await waitFor(() => has(created!, 'description-too-short'), 'the description warning after leaving the line');
    } finally {
      answer(undefined);
      await closeEditors();
      await vscode.workspace.fs.delete(folder, { recursive: true }).then(undefined, () => undefined);
    }
  });

  test('completions offer missing field names with their documentation', async () => {
    const editor = await edit(EVAL);
    await editor.edit((b) => b.insert(new vscode.Position(1, 0), 'im\n'));
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      editor.document.uri,
      new vscode.Position(1, 2),
    );
    const names = list.items.filter((i) => i.kind === vscode.CompletionItemKind.Property).map(labelOf);
    assert.ok(names.includes('image') && names.includes('draft'), names.join(', '));
    assert.ok(!names.includes('title'), 'fields already present are not offered');
    const image = list.items.find((i) => labelOf(i) === 'image')!;
    const resolved = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      editor.document.uri,
      new vscode.Position(1, 2),
      undefined,
      50,
    );
    const doc = resolved.items.find((i) => labelOf(i) === 'image')?.documentation ?? image.documentation;
    assert.match(typeof doc === 'string' ? doc : (doc?.value ?? ''), /static folders/);
  });

  test('hovering a tag tells how many posts use it', async () => {
    const editor = await openPost(VAE);
    const line = editor.document.lineAt(4).text; // tags: [generative-ai, vae, machine-learning]
    const at = new vscode.Position(4, line.indexOf('machine-learning') + 3);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, at);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(text, /used by 3 posts/);
    assert.match(text, /Other spellings: `Machine Learning` \(1\)/);
  });

  test('settings are honoured: severity overrides and a custom JSON Schema', async () => {
    const editor = await edit(EVAL);
    const uri = editor.document.uri;
    await waitFor(() => has(uri, 'description-too-short'), 'the short description diagnostic');
    const cfg = () => vscode.workspace.getConfiguration('inkwell.validation', uri);
    const schemaUri = uriOf('frontmatter.schema.json');
    try {
      await cfg().update('severity', { 'description-too-short': 'off', 'tag-duplicate': 'error' }, vscode.ConfigurationTarget.Workspace);
      await waitFor(() => !has(uri, 'description-too-short'), 'the problem set to off to disappear');
      const dup = await waitFor(
        () =>
          vscode.languages.getDiagnostics(uri).find((d) => d.code === 'tag-duplicate' && d.severity === vscode.DiagnosticSeverity.Error),
        'the duplicate tag as an error',
      );
      assert.ok(dup);

      await vscode.workspace.fs.writeFile(
        schemaUri,
        Buffer.from(
          JSON.stringify({
            $schema: 'https://json-schema.org/draft/2020-12/schema',
            type: 'object',
            required: ['author'],
            properties: { author: { type: 'string', description: 'Who wrote the post.' } },
          }),
        ),
      );
      await cfg().update('schema', 'frontmatter.schema.json', vscode.ConfigurationTarget.Workspace);
      const violation = await waitFor(
        () => vscode.languages.getDiagnostics(uri).find((d) => d.code === 'schema-violation'),
        'the custom schema to apply',
      );
      assert.strictEqual(violation.message, 'Missing required field "author" (custom schema).');
      assert.deepStrictEqual([violation.range.start.line, violation.range.start.character, violation.range.end.character], [0, 0, 3]);
      // The schema's fields are offered as completions, with their descriptions.
      await editor.edit((b) => b.insert(new vscode.Position(1, 0), 'au\n'));
      const list = await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider',
        uri,
        new vscode.Position(1, 2),
      );
      const author = list.items.find((i) => labelOf(i) === 'author');
      assert.ok(author, 'the schema field is offered');
      const doc = author.documentation;
      assert.strictEqual(typeof doc === 'string' ? doc : doc?.value, 'Who wrote the post.');
    } finally {
      await cfg().update('severity', undefined, vscode.ConfigurationTarget.Workspace);
      await cfg().update('schema', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.fs.delete(schemaUri).then(undefined, () => undefined);
      await restoreEdited();
    }
  });

  test('after "Check All Posts", closing a file that is not a post gives it no problems', async () => {
    await closeEditors();
    await vscode.commands.executeCommand('inkwell.checkAllPosts');
    const readme = uriOf('README.md');
    const json = uriOf('.vscode/inkwell-test-options.json');
    // VS Code disposes a closed editor's document some time later; changing a document's
    // language closes and reopens it at once, so the close handler runs now.
    for (const uri of [readme, json]) {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: false });
      await vscode.languages.setTextDocumentLanguage(doc, 'plaintext');
    }
    // Checking every post again takes longer than any check started when the files closed.
    await vscode.commands.executeCommand('inkwell.checkAllPosts');
    assert.deepStrictEqual(ours(readme), [], 'the excluded README has no post problems');
    assert.deepStrictEqual(ours(json), [], 'a JSON file has no post problems');
  });

  test('"Check All Posts" lists problems of closed posts, and the CLI reports the same', async () => {
    await closeEditors();
    const progressBefore = t.progress().length;
    const result = await vscode.commands.executeCommand<{ posts: number; errors: number; warnings: number; cancelled: boolean }>(
      'inkwell.checkAllPosts',
    );
    assert.ok(result.posts >= SAMPLES.length, `checked ${result.posts} posts`);
    assert.strictEqual(result.cancelled, false);
    // What the notification said while it checked.
    const shown = t
      .progress()
      .slice(progressBefore)
      .find((p) => p.title === 'Inkwell: checking posts');
    assert.ok(shown?.done, 'a progress notification showed the check and went away');
    assert.ok(shown.messages.includes('finding posts…'), shown.messages.join(' | '));
    await waitFor(() => has(uriOf(VAE), 'image-not-found'), 'problems of a closed post');

    const ext = vscode.extensions.getExtension('inkwell.inkwell')!;
    const cli = vscode.Uri.joinPath(ext.extensionUri, 'dist', 'cli.js').fsPath;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [cli, 'check', '--format', 'json', ...SAMPLES],
        {
          cwd: workspaceRoot().fsPath,
          env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        },
        (err, out, errText) => (err && err.code !== 1 ? reject(new Error(`${err.message}\n${errText}`)) : resolve(out)),
      );
    });
    const report = JSON.parse(stdout) as {
      problems: Array<{ file: string; line: number; column: number; endLine: number; endColumn: number; code: string; severity: string }>;
    };
    const fromCli = report.problems
      .map((p) => `${p.file}:${p.line - 1}:${p.column - 1}-${p.endLine - 1}:${p.endColumn - 1} ${p.severity} ${p.code}`)
      .sort();
    const names = ['error', 'warning', 'information', 'hint'];
    const fromEditor = SAMPLES.flatMap((file) =>
      vscode.languages
        .getDiagnostics(uriOf(file))
        .filter((d) => d.source === 'inkwell')
        .map(
          (d) =>
            `${file}:${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${names[d.severity]} ${String(d.code)}`,
        ),
    ).sort();
    assert.ok(fromCli.length >= 6, `the samples have problems on purpose: ${fromCli.join('; ')}`);
    assert.deepStrictEqual(fromEditor, fromCli);
  });
});
