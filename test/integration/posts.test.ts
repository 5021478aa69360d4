import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { inkwell, openPost, waitFor, workspaceRoot } from './helpers';
import { repoRoot } from './repo';

const EVAL = 'posts/notes-on-evaluation.md';
const VAE = 'posts/vae-latent-walks.md';
const SAMPLES = ['posts/exploring-generative-ai.md', 'posts/fine-tuning-gpt-on-your-posts.md', 'posts/gans-in-one-afternoon.md', EVAL, VAE];

const uriOf = (relative: string) => vscode.Uri.joinPath(workspaceRoot(), relative);

/** Inkwell's diagnostics for a file as [code, startLine, startChar, endLine, endChar]. */
function ours(uri: vscode.Uri): Array<[string, number, number, number, number]> {
  return vscode.languages.getDiagnostics(uri)
    .filter((d) => d.source === 'inkwell')
    .map((d) => [String(d.code), d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character] as [string, number, number, number, number])
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
  let api: Awaited<ReturnType<typeof inkwell>>;

  suiteSetup(async () => {
    api = await inkwell();
    // The index scans the workspace after activation; tag spelling checks need it.
    await api.testing.probe<Promise<number>>('posts.ready');
    // Other suites share this workspace and may have changed the samples: start from the originals.
    await closeEditors();
    for (const file of SAMPLES) {
      const pristine = fs.readFileSync(path.join(repoRoot(), 'samples', 'blog', file));
      const current = await vscode.workspace.fs.readFile(uriOf(file));
      if (Buffer.compare(Buffer.from(current), pristine) !== 0) await vscode.workspace.fs.writeFile(uriOf(file), pristine);
    }
    const count = (tag: string) => api.testing.probe<Array<{ tag: string; count: number }>>('posts.tags')?.find((t) => t.tag === tag)?.count;
    await waitFor(() => count('generative-ai') === 4 && count('machine-learning') === 3 && count('evaluation') === 1, 'the index to hold the sample posts as shipped');
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
    assert.deepStrictEqual(ours(uri).find((d) => d[0] === 'date-invalid'), ['date-invalid', 1, 6, 1, 16]);
  });

  test('the preferred quick fix removes a duplicate tag and the diagnostic goes away', async () => {
    const editor = await edit(EVAL);
    const uri = editor.document.uri;
    await waitFor(() => has(uri, 'tag-duplicate'), 'the duplicate tag diagnostic');
    const diagnostic = vscode.languages.getDiagnostics(uri).find((d) => d.code === 'tag-duplicate')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
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
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.isPreferred && a.title === 'Change tag to "machine-learning"');
    assert.ok(fix, `the fix is offered (got ${actions.map((a) => a.title).join(', ')})`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit!));
    assert.strictEqual(editor.document.lineAt(5).text, '  - machine-learning');
    await waitFor(() => !has(uri, 'tag-variant'), 'the variant diagnostic to clear');
  });

  test('completions offer the workspace tags, most used first', async () => {
    const editor = await edit(EVAL);
    const end = editor.document.lineAt(7).range.end; // "  - evaluation"
    await editor.edit((b) => b.insert(end, '\n  - '));
    const position = new vscode.Position(8, 4);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, position);
    const tags = list.items.filter((i) => i.kind === vscode.CompletionItemKind.EnumMember).sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? '')).map(labelOf);
    assert.strictEqual(tags[0], 'generative-ai', `generative-ai (4 posts) comes first: ${tags.join(', ')}`);
    assert.strictEqual(tags[1], 'machine-learning');
    for (const t of ['gan', 'vae', 'gpt', 'writing', 'data-science']) assert.ok(tags.includes(t), `offers ${t}`);
    const first = list.items.find((i) => labelOf(i) === 'generative-ai')!;
    assert.strictEqual(typeof first.label === 'string' ? undefined : first.label.description, '4 posts');
  });

  test('completions offer missing field names with their documentation', async () => {
    const editor = await edit(EVAL);
    await editor.edit((b) => b.insert(new vscode.Position(1, 0), 'im\n'));
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, new vscode.Position(1, 2));
    const names = list.items.filter((i) => i.kind === vscode.CompletionItemKind.Property).map(labelOf);
    assert.ok(names.includes('image') && names.includes('draft'), names.join(', '));
    assert.ok(!names.includes('title'), 'fields already present are not offered');
    const image = list.items.find((i) => labelOf(i) === 'image')!;
    const resolved = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, new vscode.Position(1, 2), undefined, 50);
    const doc = resolved.items.find((i) => labelOf(i) === 'image')?.documentation ?? image.documentation;
    assert.match(typeof doc === 'string' ? doc : doc?.value ?? '', /static folders/);
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
      const dup = await waitFor(() => vscode.languages.getDiagnostics(uri).find((d) => d.code === 'tag-duplicate' && d.severity === vscode.DiagnosticSeverity.Error), 'the duplicate tag as an error');
      assert.ok(dup);

      await vscode.workspace.fs.writeFile(schemaUri, Buffer.from(JSON.stringify({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        required: ['author'],
        properties: { author: { type: 'string', description: 'Who wrote the post.' } },
      })));
      await cfg().update('schema', 'frontmatter.schema.json', vscode.ConfigurationTarget.Workspace);
      const violation = await waitFor(() => vscode.languages.getDiagnostics(uri).find((d) => d.code === 'schema-violation'), 'the custom schema to apply');
      assert.strictEqual(violation.message, 'Missing required field "author" (custom schema).');
      assert.deepStrictEqual([violation.range.start.line, violation.range.start.character, violation.range.end.character], [0, 0, 3]);
      // The schema's fields are offered as completions, with their descriptions.
      await editor.edit((b) => b.insert(new vscode.Position(1, 0), 'au\n'));
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(1, 2));
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

  test('"Check All Posts" lists problems of closed posts, and the CLI reports the same', async () => {
    await closeEditors();
    const result = await vscode.commands.executeCommand<{ posts: number; errors: number; warnings: number; cancelled: boolean }>('inkwell.checkAllPosts');
    assert.ok(result.posts >= SAMPLES.length, `checked ${result.posts} posts`);
    assert.strictEqual(result.cancelled, false);
    await waitFor(() => has(uriOf(VAE), 'image-not-found'), 'problems of a closed post');

    const ext = vscode.extensions.getExtension('inkwell.inkwell')!;
    const cli = vscode.Uri.joinPath(ext.extensionUri, 'dist', 'cli.js').fsPath;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [cli, 'check', '--format', 'json', ...SAMPLES], {
        cwd: workspaceRoot().fsPath, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      }, (err, out, errText) => (err && err.code !== 1 ? reject(new Error(`${err.message}\n${errText}`)) : resolve(out)));
    });
    const report = JSON.parse(stdout) as { problems: Array<{ file: string; line: number; column: number; endLine: number; endColumn: number; code: string; severity: string }> };
    const fromCli = report.problems.map((p) => `${p.file}:${p.line - 1}:${p.column - 1}-${p.endLine - 1}:${p.endColumn - 1} ${p.severity} ${p.code}`).sort();
    const names = ['error', 'warning', 'information', 'hint'];
    const fromEditor = SAMPLES.flatMap((file) => vscode.languages.getDiagnostics(uriOf(file))
      .filter((d) => d.source === 'inkwell')
      .map((d) => `${file}:${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${names[d.severity]} ${String(d.code)}`)).sort();
    assert.ok(fromCli.length >= 6, `the samples have problems on purpose: ${fromCli.join('; ')}`);
    assert.deepStrictEqual(fromEditor, fromCli);
  });
});
