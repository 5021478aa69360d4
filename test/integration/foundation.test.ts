import * as assert from 'assert';
import * as vscode from 'vscode';
import { closeAll, inkwell, testing, waitFor, workspaceRoot } from './helpers';
import { readRunOptions } from './repo';

suite('Foundation', () => {
  teardown(closeAll);

  test('activates in the real extension host and reports its activation time', async () => {
    const started = performance.now();
    const api = await inkwell();
    // An installed VSIX runs in production mode, without api.testing: then the activation is timed from here.
    const activationMs = api.testing?.activationMs ?? performance.now() - started;
    // Speed goals for activation are in `npm run bench -- activation`; here it only has to be measured.
    assert.ok(Number.isFinite(activationMs) && activationMs >= 0, `activation took ${activationMs} ms`);
    const ext = vscode.extensions.getExtension('inkwell.inkwell');
    assert.strictEqual(ext?.isActive, true);
  });

  test('activation does not load onnxruntime into the extension host', async () => {
    await inkwell();
    const loaded = Object.keys(require.cache).filter((k) => k.includes('onnxruntime'));
    assert.deepStrictEqual(loaded, []);
  });

  test('every contributed command is registered and categorised', async () => {
    await inkwell();
    const pkg = vscode.extensions.getExtension('inkwell.inkwell')!.packageJSON as {
      contributes: { commands: { command: string; category: string }[] };
    };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = pkg.contributes.commands.filter((c) => !registered.has(c.command)).map((c) => c.command);
    assert.deepStrictEqual(missing, [], 'commands declared in package.json without a handler');
    assert.ok(pkg.contributes.commands.every((c) => c.category === 'Inkwell'));
  });

  test('the "Write a blog post with Inkwell" walkthrough opens, and each of its steps leads to a command that exists and a picture that is there', async () => {
    const ext = vscode.extensions.getExtension('inkwell.inkwell')!;
    const pkg = ext.packageJSON as {
      contributes: {
        walkthroughs: {
          id: string;
          title: string;
          steps: { id: string; description: string; media: { image?: string; markdown?: string } }[];
        }[];
      };
    };
    const [walkthrough] = pkg.contributes.walkthroughs;
    assert.strictEqual(walkthrough.title, 'Write a blog post with Inkwell');
    assert.deepStrictEqual(
      walkthrough.steps.map((s) => s.id),
      ['openBlog', 'checkPosts', 'preview', 'generate', 'betterModel', 'server', 'insertImage', 'settings'],
    );
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const step of walkthrough.steps) {
      const links = [...step.description.matchAll(/\]\(command:([\w.]+)/g)].map((m) => m[1]);
      assert.strictEqual(links.length, 1, `${step.id} has one button`);
      assert.ok(registered.has(links[0]), `${step.id}: ${links[0]} is a command of this VS Code`);
      const media = step.media.image ?? step.media.markdown!;
      assert.ok((await vscode.workspace.fs.stat(vscode.Uri.joinPath(ext.extensionUri, media))).size > 0, `${step.id}: ${media}`);
    }
    // VS Code opens it (an unknown walkthrough id would throw).
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `inkwell.inkwell#${walkthrough.id}`, false);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('Posts by Tag is open the first time a blog is opened (VS Code starts such a view collapsed at the bottom)', async function () {
    // The view is watched through the test-mode API, which an installed package does not have.
    if (readRunOptions().vsix) this.skip();
    const t = await testing();
    await waitFor(() => t.treeViewVisible('inkwell.tags'), 'Posts by Tag to open once the posts are read');
  });

  test('"New Post" creates a post with frontmatter and opens it at the description', async () => {
    await inkwell();
    const folder = vscode.Uri.joinPath(workspaceRoot(), 'posts');
    const uri = await vscode.commands.executeCommand<vscode.Uri>('inkwell.newPost', { title: 'Hello, Offline World!', folder });
    assert.ok(uri, 'the command returns the new file');
    assert.strictEqual(uri.path.split('/').pop(), 'hello-offline-world.md');
    const editor = await waitFor(
      () => vscode.window.activeTextEditor?.document.uri.toString() === uri.toString() && vscode.window.activeTextEditor,
      'the new post to open',
    );
    const text = editor.document.getText();
    assert.match(text, /^---\ntitle: "Hello, Offline World!"\ndate: \d{4}-\d{2}-\d{2}\ndescription: ""\ntags: \[\]\ndraft: true\n---\n/);
    assert.strictEqual(editor.selection.active.line, 3);
    const onDisk = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
    assert.strictEqual(onDisk, text, 'the post is saved');

    // A second post with the same title never overwrites the first.
    const second = await vscode.commands.executeCommand<vscode.Uri>('inkwell.newPost', { title: 'Hello, Offline World!', folder });
    assert.strictEqual(second.path.split('/').pop(), 'hello-offline-world-2.md');
    await vscode.workspace.fs.delete(uri);
    await vscode.workspace.fs.delete(second);
  });
});
