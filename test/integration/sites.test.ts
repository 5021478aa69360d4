/**
 * Site generators in the editor: the sample sites of test/sites (Hugo, Jekyll,
 * Astro, Eleventy, Hexo, Docusaurus) opened together as one multi-root
 * workspace, each folder with its generator's conventions: static folders,
 * fields with their docs, unknown keys, the generator in the status bar, the
 * same problems as `inkwell check`, tag rename and merge through VS Code's
 * refactor preview (changes ticked, saved once applied) and Undo, and the
 * last-updated field on save.
 *
 * @workspace test/sites
 */
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { InsertedImage } from '../../src/features/images/insertImage';
import type { InkwellTestSupport } from '../../src/testSupport';
import { closeAll, testing, waitFor } from './helpers';
import { repoRoot } from './repo';

type SiteName = 'hugo' | 'jekyll' | 'astro' | 'eleventy' | 'hexo' | 'docusaurus';
const SITES: readonly SiteName[] = ['hugo', 'jekyll', 'astro', 'eleventy', 'hexo', 'docusaurus'];
const NAMES: Record<SiteName, string> = {
  hugo: 'Hugo',
  jekyll: 'Jekyll',
  astro: 'Astro',
  eleventy: 'Eleventy',
  hexo: 'Hexo',
  docusaurus: 'Docusaurus',
};
/** Each site's valid post. */
const GOOD: Record<SiteName, string> = {
  hugo: 'content/posts/good.md',
  jekyll: '_posts/2023-05-08-good.md',
  astro: 'src/content/blog/good.md',
  eleventy: 'posts/good.md',
  hexo: 'source/_posts/good.md',
  docusaurus: 'blog/2023-05-08-good.md',
};
const HUGO_TOML = 'content/posts/good-toml.md';
const HUGO_JSON = 'content/posts/good-json.md';

function folder(site: SiteName): vscode.WorkspaceFolder {
  const f = vscode.workspace.workspaceFolders?.find((w) => w.name === site);
  assert.ok(f, `the ${site} folder is open`);
  return f;
}
const uriOf = (site: SiteName, relative: string) => vscode.Uri.joinPath(folder(site).uri, relative);
const readDisk = (uri: vscode.Uri) => fs.readFileSync(uri.fsPath, 'utf8');

/** Inkwell's diagnostics of a file as "line:col code". */
function ours(uri: vscode.Uri): string[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'inkwell')
    .map((d) => `${d.range.start.line}:${d.range.start.character} ${String(d.code)}`);
}

/** Every Markdown file of every site with its text, to prove what an edit did not touch. */
function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  for (const site of SITES) {
    const root = folder(site).uri.fsPath;
    for (const rel of fs.readdirSync(root, { recursive: true }) as string[]) {
      if (/\.mdx?$/.test(rel) && !rel.split(path.sep).includes('node_modules'))
        out.set(path.join(root, rel), fs.readFileSync(path.join(root, rel), 'utf8'));
    }
  }
  return out;
}

/** Files whose text differs between two snapshots. */
const changedFiles = (before: Map<string, string>, after: Map<string, string>) =>
  [...before.keys()].filter((f) => after.get(f) !== before.get(f)).sort();

/** The text of the open document for `file`, or of the file on disk. */
function currentText(file: string): string {
  return vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file)?.getText() ?? fs.readFileSync(file, 'utf8');
}

/** Opens a post and waits until its problems for this version are published. */
async function openChecked(t: InkwellTestSupport, uri: vscode.Uri): Promise<vscode.TextEditor> {
  const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
  await waitFor(
    () => t.publishedVersion(uri.toString()) === editor.document.version,
    `problems of ${vscode.workspace.asRelativePath(uri)}`,
  );
  return editor;
}

/** Replaces the first line that starts with `prefix` and waits for its problems. */
async function replaceLine(t: InkwellTestSupport, editor: vscode.TextEditor, prefix: string, text: string): Promise<void> {
  const doc = editor.document;
  const line = doc
    .getText()
    .split('\n')
    .findIndex((l) => l.startsWith(prefix));
  assert.ok(line >= 0, `${prefix} in ${doc.uri.path}`);
  await editor.edit((b) => b.replace(doc.lineAt(line).range, text));
  await waitFor(() => t.publishedVersion(doc.uri.toString()) === doc.version, 'problems after the edit');
}

/** The unescaped text of a status bar tooltip. */
function tooltipText(item: vscode.StatusBarItem | undefined): string {
  const tip = item?.tooltip;
  const raw = typeof tip === 'string' ? tip : (tip?.value ?? '');
  return raw.replace(/\\([\\`*_{}[\]()#+\-.!|~<>])/g, '$1').replace(/&nbsp;/g, ' ');
}

/**
 * Writes back each file whose text differs, then waits until VS Code has seen each write (its
 * file event reached the extension host, so the workbench had it first). Otherwise the event of
 * a file written back at the end of one test can arrive during the next one; VS Code's refactor
 * preview then refuses to apply ("… has changed in the meantime").
 */
async function restoreOnDisk(original: Map<string, string>): Promise<void> {
  const changed = [...original].filter(([file, text]) => fs.readFileSync(file, 'utf8') !== text);
  if (!changed.length) return;
  const pending = new Set(changed.map(([file]) => vscode.Uri.file(file).toString()));
  const watchers = (vscode.workspace.workspaceFolders ?? []).map((folder) =>
    vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '**/*')),
  );
  try {
    for (const w of watchers) for (const on of [w.onDidChange, w.onDidCreate]) on((uri) => pending.delete(uri.toString()));
    for (const [file, text] of changed) fs.writeFileSync(file, text);
    await waitFor(() => pending.size === 0, `VS Code's file events for ${changed.map(([f]) => path.basename(f)).join(', ')}`);
    // An open document follows its file on disk.
    await waitFor(
      () =>
        changed.every(([file, text]) => {
          const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
          return !doc || doc.isDirty || doc.getText() === text;
        }),
      'open documents reloaded from disk',
    );
  } finally {
    for (const w of watchers) w.dispose();
  }
}

suite('Site generators in the editor (test/sites as a multi-root workspace)', () => {
  let t: InkwellTestSupport;
  /** The sites' files as the suite found them. */
  let original: Map<string, string>;

  suiteSetup(async function () {
    this.timeout(120_000);
    t = await testing();
    original = snapshot();
  });

  teardown(async () => {
    await closeAll();
    // Whatever a test changed goes back, on disk and in open documents.
    await restoreOnDisk(original);
    for (const key of ['posts.updateDateOnSave', 'validation.flagUnknownKeys']) {
      await vscode.workspace.getConfiguration('inkwell').update(key, undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  /**
   * "Preview Changes…" shows VS Code's refactor preview with every change ticked and changes
   * nothing until it is applied: Apply, as a user would, touching no checkbox.
   */
  async function acceptRefactorPreview(finished: () => boolean): Promise<void> {
    await waitFor(
      async () => {
        if (!finished()) await vscode.commands.executeCommand('refactorPreview.apply');
        return finished();
      },
      'the refactor preview to be applied',
      60_000,
      250,
    );
  }

  /**
   * Runs a tag command, accepts its refactor preview (unless it applies at once), and checks the files
   * changed as `expect` says (file → [before, after] text in the frontmatter)
   * and nothing else; then one Undo, confirmed for all files as VS Code asks,
   * brings every file back.
   */
  async function refactorAndUndo(
    command: () => Thenable<unknown>,
    expect: Array<[SiteName, string, string, string]>,
    viaPreview = true,
  ): Promise<void> {
    const before = snapshot();
    const run = command();
    let finished = false;
    void Promise.resolve(run).then(
      () => (finished = true),
      () => (finished = true),
    );
    if (viaPreview) await acceptRefactorPreview(() => finished);
    await run;
    const expected = expect.map(([site, rel]) => uriOf(site, rel).fsPath).sort();
    // Once the command is done, every changed post is saved: the disk has the change.
    const after = snapshot();
    assert.deepStrictEqual(changedFiles(before, after), expected, 'exactly these files changed on disk');
    assert.deepStrictEqual(
      vscode.workspace.textDocuments.filter((d) => d.isDirty && expected.includes(d.uri.fsPath)).map((d) => d.uri.fsPath),
      [],
      'no changed post is left unsaved',
    );
    for (const [site, rel, from, to] of expect) {
      const file = uriOf(site, rel).fsPath;
      assert.ok(before.get(file)!.includes(from), `${rel} had ${from}`);
      assert.strictEqual(after.get(file), before.get(file)!.replace(from, to), `${site}/${rel}: only its tags changed`);
    }

    // One Undo in an editor of one changed file. The refactor preview applies its changes as one
    // undo group, so VS Code does not ask "Undo in N Files / Undo this File" (as it does for other
    // edits across files): Undo reverts every file at once.
    const [firstSite, firstRel] = expect[0];
    const first = uriOf(firstSite, firstRel);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(first), { preview: false });
    // Undo goes to the focused editor: on a busy machine the focus can arrive after the call returns.
    await waitFor(
      () => vscode.window.activeTextEditor?.document.uri.toString() === first.toString(),
      'the editor of the first file focused',
    );
    // The keyboard focus too (the refactor preview's panel may still hold it), as a click in the editor gives it.
    const undo = async () => {
      await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
      await vscode.commands.executeCommand('undo');
    };
    const undone = () => expected.every((f) => currentText(f) === before.get(f));
    const untouched = () => expected.every((f) => currentText(f) === after.get(f));
    const state = () =>
      expected
        .map(
          (f) =>
            `${path.basename(f)}: ${currentText(f) === before.get(f) ? 'reverted' : currentText(f) === after.get(f) ? 'as changed' : 'other'}`,
        )
        .join(', ');
    await undo();
    // An Undo that reached no editor (on a busy machine the focus can still be moving) leaves every
    // file as it was changed: the writer presses it again. One that reverted some files and not
    // others is a failure, and so is one that never lands.
    const landed = (ms: number) =>
      waitFor(undone, 'the Undo', ms).then(
        () => true,
        () => false,
      );
    for (let again = 0; again < 2 && !(await landed(5000)) && untouched(); again++) {
      console.log('      (Undo reached no editor; pressed again)');
      await undo();
    }
    await waitFor(undone, 'every file back as it was after one Undo').catch((err: Error) => {
      throw new Error(`${err.message}: ${state()}; active editor ${vscode.window.activeTextEditor?.document.uri.fsPath}`);
    });
    // Undone in the editor, not yet on disk: the files have unsaved changes until the user saves them.
    const reverted = vscode.workspace.textDocuments.filter((d) => expected.includes(d.uri.fsPath));
    assert.deepStrictEqual(
      reverted
        .filter((d) => d.isDirty)
        .map((d) => d.uri.fsPath)
        .sort(),
      expected,
      'each reverted file is open with unsaved changes',
    );
    for (const doc of reverted) assert.ok(await doc.save(), `${doc.uri.fsPath} saved`);
    await waitFor(() => expected.every((f) => readDisk(vscode.Uri.file(f)) === before.get(f)), 'the reverted files on disk');
    assert.deepStrictEqual(changedFiles(before, snapshot()), [], 'nothing else changed');
  }

  test('each folder shows its detected generator in the status bar, after the reading time, and in its tooltip', async function () {
    this.timeout(120_000);
    const item = () => t.statusBarItem('inkwell.readingTime');
    for (const site of SITES) {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uriOf(site, GOOD[site])), { preview: false });
      const tip = await waitFor(
        () => {
          const text = tooltipText(item());
          return text.includes(`Site generator: ${NAMES[site]} `) ? text : undefined;
        },
        `the ${site} generator in the tooltip (have: ${tooltipText(item())})`,
      );
      assert.match(tip, new RegExp(`Site generator: ${NAMES[site]} \\(detected from [^)]+\\)`));
      assert.strictEqual(item()!.text, `$(book) 1 min · 3 words · ${NAMES[site]}`, `${site}: "This one builds." is three words`);
    }
  });

  test("a site-root image resolves in the generator's static folder; a missing one is flagged", async function () {
    this.timeout(120_000);
    // Where /images/hero.png (or /img/) lives: static/, the root, source/, the input folder, static/.
    for (const site of ['hugo', 'jekyll', 'hexo', 'eleventy', 'docusaurus'] as const) {
      const uri = uriOf(site, GOOD[site]);
      const editor = await openChecked(t, uri);
      const line = editor.document
        .getText()
        .split('\n')
        .find((l) => l.startsWith('image:'))!;
      assert.ok(
        fs.existsSync(
          path.join(
            folder(site).uri.fsPath,
            { hugo: 'static', jekyll: '.', hexo: 'source', eleventy: '.', docusaurus: 'static' }[site],
            line.slice(7),
          ),
        ),
        `${site}: ${line} exists in its static folder`,
      );
      assert.deepStrictEqual(
        ours(uri).filter((d) => d.endsWith('image-not-found')),
        [],
        `${site}: ${line} is found`,
      );
      await replaceLine(t, editor, 'image:', 'image: /images/missing.png');
      const missing = vscode.languages.getDiagnostics(uri).find((d) => d.code === 'image-not-found');
      assert.ok(missing, `${site}: a missing site-root image is flagged`);
      assert.strictEqual(editor.document.getText(missing.range), '/images/missing.png');
    }
  });

  test("completions offer the generator's own fields with their documentation", async function () {
    this.timeout(60_000);
    // Posts that do not have the field yet (completions leave out the fields a post has).
    const cases: Array<[SiteName, string, string, string]> = [
      ['hugo', 'content/posts/future.md', 'lastmod', 'hugo'],
      ['jekyll', GOOD.jekyll, 'permalink', 'jekyll'],
      ['hexo', 'source/_posts/future.md', 'updated', 'hexo'],
      ['docusaurus', GOOD.docusaurus, 'unlisted', 'docusaurus'],
    ];
    for (const [site, post, field, schema] of cases) {
      const editor = await openChecked(t, uriOf(site, post));
      // A new, empty line at the top of the frontmatter.
      await editor.edit((b) => b.insert(new vscode.Position(1, 0), '\n'));
      const list = await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider',
        editor.document.uri,
        new vscode.Position(1, 0),
        undefined,
        500,
      );
      const item = list.items.find((i) => (typeof i.label === 'string' ? i.label : i.label.label) === field);
      assert.ok(item, `${site} offers ${field}`);
      const docs = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'src/core/site/schemas', `${schema}.json`), 'utf8')) as {
        properties: Record<string, { description: string }>;
      };
      const shown = typeof item.documentation === 'string' ? item.documentation : (item.documentation?.value ?? '');
      assert.ok(shown.includes(docs.properties[field].description), `${site} ${field}: "${shown}" has the schema's docs`);
    }
    // Another generator's field is not offered as this one's: Hugo has no `permalink`, Jekyll no `lastmod`.
    const hugo = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      uriOf('hugo', 'content/posts/future.md'),
      new vscode.Position(1, 0),
    );
    assert.ok(!hugo.items.some((i) => i.label === 'permalink'), 'Hugo does not offer permalink');
  });

  test("unknown keys are flagged against the generator's list of fields", async function () {
    this.timeout(60_000);
    await vscode.workspace.getConfiguration('inkwell').update('validation.flagUnknownKeys', true, vscode.ConfigurationTarget.Workspace);
    const unknown = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.code === 'unknown-key');
    // Hugo's post already has `lastmod`; Jekyll's gets both fields. Each flags the other's.
    for (const [site, added, stranger] of [
      ['hugo', 'permalink: /x/\n', 'permalink'],
      ['jekyll', 'permalink: /x/\nlastmod: 2023-06-01\n', 'lastmod'],
    ] as const) {
      const editor = await openChecked(t, uriOf(site, GOOD[site]));
      await editor.edit((b) => b.insert(new vscode.Position(1, 0), added));
      const uri = editor.document.uri;
      const flagged = await waitFor(
        () => (t.publishedVersion(uri.toString()) === editor.document.version && unknown(uri).length ? unknown(uri) : undefined),
        `unknown keys in ${site}`,
      );
      assert.deepStrictEqual(
        flagged.map((d) => editor.document.getText(d.range)),
        [stranger],
        `${site}: only ${stranger} is unknown`,
      );
      assert.match(flagged[0].message, new RegExp(`Unknown field "${stranger}": ${NAMES[site]}`), flagged[0].message);
    }
  });

  test('inkwell check on each site from the command line gives the problems the editor shows', async function () {
    this.timeout(240_000);
    await closeAll();
    const result = await vscode.commands.executeCommand<{ posts: number; cancelled: boolean }>('inkwell.checkAllPosts');
    assert.strictEqual(result.cancelled, false);
    const ext = vscode.extensions.getExtension('inkwell.inkwell')!;
    const cli = vscode.Uri.joinPath(ext.extensionUri, 'dist', 'cli.js').fsPath;
    const names = ['error', 'warning', 'information', 'hint'];
    let total = 0;
    for (const site of SITES) {
      const root = folder(site).uri.fsPath;
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          [cli, 'check', '--format', 'json'],
          { cwd: root, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
          (err, out, errText) => (err && err.code !== 1 ? reject(new Error(`${err.message}\n${errText}`)) : resolve(out)),
        );
      });
      const report = JSON.parse(stdout) as {
        files: number;
        problems: Array<{
          file: string;
          line: number;
          column: number;
          endLine: number;
          endColumn: number;
          code: string;
          severity: string;
          message: string;
        }>;
      };
      const fromCli = report.problems
        .map((p) => `${p.file}:${p.line - 1}:${p.column - 1}-${p.endLine - 1}:${p.endColumn - 1} ${p.severity} ${p.code} ${p.message}`)
        .sort();
      const fromEditor = vscode.languages
        .getDiagnostics()
        .filter(([uri]) => uri.fsPath.startsWith(root + path.sep))
        .flatMap(([uri, diags]) =>
          diags
            .filter((d) => d.source === 'inkwell')
            .map(
              (d) =>
                `${path.relative(root, uri.fsPath).split(path.sep).join('/')}:${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${names[d.severity]} ${String(d.code)} ${d.message}`,
            ),
        )
        .sort();
      assert.ok(fromCli.length >= 3, `${site}'s posts are broken on purpose: ${fromCli.join('\n')}`);
      assert.deepStrictEqual(fromEditor, fromCli, `${site}: the editor and inkwell check agree`);
      total += report.files;
    }
    assert.ok(result.posts >= total, `Check All Posts checked every site's posts (${result.posts} ≥ ${total})`);
  });

  test("with updateDateOnSave, saving a changed post sets the generator's last-updated field", async function () {
    this.timeout(60_000);
    await vscode.workspace.getConfiguration('inkwell').update('posts.updateDateOnSave', true, vscode.ConfigurationTarget.Workspace);
    const now = new Date();
    const pad = (n: number) => String(n).padStart(2, '0');
    // The local or the UTC day, whichever the date was formatted in.
    const today = `(${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}|${now.toISOString().slice(0, 10)})`;
    const cases: Array<[SiteName, string, string, RegExp]> = [
      // Updated in place, in the style of the post's date (a date-time).
      ['hugo', GOOD.hugo, 'lastmod:', new RegExp(`^lastmod: ${today}T\\d\\d:\\d\\d:\\d\\d`, 'm')],
      // Added to a TOML post that had none.
      ['hugo', HUGO_TOML, 'lastmod =', new RegExp(`^lastmod = ${today}$`, 'm')],
      // Jekyll's field (jekyll-last-modified-at), added.
      ['jekyll', GOOD.jekyll, 'last_modified_at:', new RegExp(`^last_modified_at: ${today}$`, 'm')],
    ];
    const without = (text: string, key: string) =>
      text
        .split('\n')
        .filter((l) => !l.startsWith(key))
        .join('\n');
    for (const [site, rel, key, field] of cases) {
      const uri = uriOf(site, rel);
      const before = readDisk(uri);
      assert.ok(!field.test(before), `${rel} has no such field yet`);
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
      await editor.edit((b) => b.insert(new vscode.Position(editor.document.lineCount, 0), '\nOne more sentence.\n'));
      await vscode.commands.executeCommand('workbench.action.files.save');
      const saved = await waitFor(() => {
        const text = readDisk(uri);
        return text !== before ? text : undefined;
      }, `${rel} saved`);
      assert.match(saved, field, `${site}/${rel} after saving:\n${saved}`);
      assert.ok(saved.endsWith('\nOne more sentence.\n'), 'the edit was saved too');
      assert.strictEqual(without(saved, key), without(`${before}\nOne more sentence.\n`, key), 'nothing else changed');
    }
    // Without the setting, saving changes nothing but the edit.
    await vscode.workspace.getConfiguration('inkwell').update('posts.updateDateOnSave', undefined, vscode.ConfigurationTarget.Workspace);
    const uri = uriOf('hexo', GOOD.hexo);
    const before = readDisk(uri);
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
    await editor.edit((b) => b.insert(new vscode.Position(editor.document.lineCount, 0), 'More.\n'));
    await vscode.commands.executeCommand('workbench.action.files.save');
    await waitFor(() => readDisk(uri) !== before, 'the Hexo post saved');
    assert.strictEqual(readDisk(uri), `${before}More.\n`);
  });
  test('an inserted image goes where the generator serves it: the real Hugo and Jekyll builds resolve its <img> to a file', async function () {
    this.timeout(300_000);
    const which = (cmd: string) => new Promise<boolean>((resolve) => execFile('sh', ['-c', `command -v ${cmd}`], (err) => resolve(!err)));
    const cases: Array<{ site: SiteName; post: string; tool: string; args: (root: string, out: string) => string[]; link: RegExp }> = [
      {
        site: 'hugo',
        post: GOOD.hugo,
        tool: 'hugo',
        args: (root, out) => ['--source', root, '--destination', out, '--quiet'],
        // Not a page bundle: the static folder, linked from the site root.
        link: /^\/images\/good-\d+\.png$/,
      },
      {
        site: 'jekyll',
        post: GOOD.jekyll,
        tool: 'jekyll',
        args: (root, out) => ['build', '--source', root, '--destination', out, '--quiet'],
        link: /^\/assets\/images\/2023-05-08-good-\d+\.png$/,
      },
    ];
    let built = 0;
    for (const c of cases) {
      const root = folder(c.site).uri.fsPath;
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uriOf(c.site, c.post)), {
        preview: false,
      });
      const doc = editor.document;
      // The cursor at the end of the last paragraph's line, as after typing it.
      const lastText = [...Array(doc.lineCount).keys()].reverse().find((i) => doc.lineAt(i).text.trim())!;
      const end = doc.lineAt(lastText).range.end;
      editor.selection = new vscode.Selection(end, end);
      const inserted = await vscode.commands.executeCommand<InsertedImage>('inkwell.insertImage', {
        seed: 7,
        choose: 0,
        alt: 'A test image',
      });
      assert.ok(inserted, `an image was inserted into ${c.site}`);
      const png = vscode.Uri.parse(inserted.uri).fsPath;
      try {
        assert.match(inserted.link, c.link, `${c.site}: the link`);
        assert.strictEqual(
          png,
          path.join(root, c.site === 'hugo' ? 'static' : '.', inserted.link),
          `${c.site}: the file under the static folder`,
        );
        // A paragraph of its own: a blank line before it and the end of the post after it.
        assert.ok(doc.getText().endsWith(`\n\n![A test image](${inserted.link})\n`), JSON.stringify(doc.getText().slice(-120)));
        assert.ok(await doc.save());
        if (!(await which(c.tool))) {
          console.log(`    (${c.tool} is not installed: scripts/install-site-generators.sh installs it; its build is skipped)`);
          continue;
        }
        // The site as it is, less the other posts beside this one: some are broken on purpose, and
        // Jekyll stops at the first of them.
        const work = fs.mkdtempSync(path.join(os.tmpdir(), `inkwell-${c.site}-build-`));
        const source = path.join(work, 'site');
        const out = path.join(work, 'out');
        fs.cpSync(root, source, { recursive: true });
        const posts = path.join(source, path.dirname(c.post));
        for (const f of fs.readdirSync(posts)) if (/\.md$/.test(f) && f !== path.basename(c.post)) fs.rmSync(path.join(posts, f));
        try {
          await new Promise<void>((resolve, reject) =>
            execFile(c.tool, c.args(source, out), { cwd: source, timeout: 240_000 }, (err, _o, errText) =>
              err ? reject(new Error(`${c.tool}: ${err.message}\n${errText}`)) : resolve(),
            ),
          );
          // The built page that shows the image, and where its <img> points.
          const pages = (fs.readdirSync(out, { recursive: true }) as string[]).filter((f) => f.endsWith('.html'));
          const page = pages.find((f) => fs.readFileSync(path.join(out, f), 'utf8').includes(path.posix.basename(inserted.link)));
          assert.ok(page, `${c.site}: a built page shows the image (pages: ${pages.join(', ')})`);
          const src = /<img[^>]*\ssrc="([^"]+)"/.exec(fs.readFileSync(path.join(out, page), 'utf8'))?.[1];
          assert.ok(src, `${c.site}: ${page} has an <img>`);
          const url = new URL(src, `http://site.test/${page.split(path.sep).join('/')}`);
          const served = path.join(out, decodeURIComponent(url.pathname));
          assert.ok(fs.existsSync(served), `${c.site}: the page ${page} shows ${src}, which the build has at ${served}`);
          assert.ok(fs.readFileSync(served).equals(fs.readFileSync(png)), `${c.site}: it is the inserted PNG`);
          built++;
        } finally {
          fs.rmSync(work, { recursive: true, force: true });
        }
      } finally {
        fs.rmSync(png, { force: true });
      }
    }
    console.log(`    (${built} of ${cases.length} sites built with the real generator)`);
  });
  // The two tag tests run last: at the start of the suite the workbench is still settling, and
  // VS Code's refactor preview, opened then, could fail to show its changes ("Unable to resolve
  // resource vscode-bulkeditpreview-editor:…") and leave an edit that one Undo did not revert.
  test('Rename Tag changes YAML, TOML and JSON frontmatter through the refactor preview, and one Undo reverts every file', async function () {
    this.timeout(180_000);
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('refactorPreview.apply'), "this VS Code has the refactor preview's Apply command");
    await refactorAndUndo(
      () => vscode.commands.executeCommand('inkwell.renameTag', 'hugo', 'hugo-site', { confirm: 'preview' }),
      [
        ['hugo', GOOD.hugo, 'tags: [hugo, writing]', 'tags: [hugo-site, writing]'],
        ['hugo', HUGO_TOML, 'tags = ["hugo", "toml"]', 'tags = ["hugo-site", "toml"]'],
        ['hugo', HUGO_JSON, '"tags": ["hugo", "json", "writing"]', '"tags": ["hugo-site", "json", "writing"]'],
      ],
    );
  });

  test('Merge Tags, answered "Merge", merges across sites and formats (a post that has both keeps one), and one Undo reverts every file', async function () {
    this.timeout(180_000);
    await refactorAndUndo(
      () => vscode.commands.executeCommand('inkwell.mergeTags', 'writing', 'prose', ['toml', 'json'], { confirm: 'apply' }),
      [
        ['hugo', GOOD.hugo, 'tags: [hugo, writing]', 'tags: [hugo, prose]'],
        ['hugo', HUGO_TOML, 'tags = ["hugo", "toml"]', 'tags = ["hugo", "prose"]'],
        ['hugo', HUGO_JSON, '"tags": ["hugo", "json", "writing"]', '"tags": ["hugo", "prose"]'],
        ['jekyll', GOOD.jekyll, 'tags: [jekyll, writing]', 'tags: [jekyll, prose]'],
        ['astro', GOOD.astro, 'tags: [astro, writing]', 'tags: [astro, prose]'],
        ['eleventy', GOOD.eleventy, 'tags: [posts, writing]', 'tags: [posts, prose]'],
        ['hexo', GOOD.hexo, 'tags: [hexo, writing]', 'tags: [hexo, prose]'],
        ['docusaurus', GOOD.docusaurus, 'tags: [docusaurus, writing]', 'tags: [docusaurus, prose]'],
      ],
      false,
    );
  });
});
