import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { inkwell } from './helpers';
import { readRunOptions, repoRoot } from './repo';

/** Runs only against a packaged VSIX (`npm run test:package`). */
suite('Packaged VSIX', function () {
  suiteSetup(function () {
    if (!readRunOptions().vsix) this.skip();
  });

  test('Inkwell is the installed package, not the development folder, and it activates', async () => {
    const ext = vscode.extensions.getExtension('inkwell.inkwell');
    assert.ok(ext, 'Inkwell is installed');
    assert.notStrictEqual(path.resolve(ext.extensionPath), path.resolve(repoRoot()));
    const api = await inkwell();
    assert.ok(ext.isActive);
    // Installed, Inkwell runs in production mode: its API is the Markdown preview hook alone.
    assert.deepStrictEqual(Object.keys(api), ['extendMarkdownIt']);
  });

  test('the package holds the bundles, the models and onnxruntime for this platform only', () => {
    const root = vscode.extensions.getExtension('inkwell.inkwell')!.extensionPath;
    for (const f of ['dist/extension.js', 'dist/runtime.js', 'dist/cli.js', 'package.json']) {
      assert.ok(fs.existsSync(path.join(root, f)), `${f} is packaged`);
    }
    // vsce stores the README under a lower-case name.
    assert.ok(
      fs.readdirSync(root).some((f) => f.toLowerCase() === 'readme.md'),
      'the README is packaged',
    );
    for (const model of ['inkwell-gan', 'inkwell-vae', 'inkwell-gpt']) {
      const shipped = fs.existsSync(path.join(repoRoot(), 'models', model));
      assert.strictEqual(fs.existsSync(path.join(root, 'models', model)), shipped, `models/${model} is packaged when it is shipped`);
    }
    const bin = path.join(root, 'node_modules/onnxruntime-node/bin');
    const napi = fs.readdirSync(bin);
    assert.strictEqual(napi.length, 1);
    const platforms = fs.readdirSync(path.join(bin, napi[0]));
    assert.deepStrictEqual(platforms, [process.platform]);
    assert.deepStrictEqual(fs.readdirSync(path.join(bin, napi[0], process.platform)), [process.arch]);
    assert.ok(!fs.existsSync(path.join(root, 'src')), 'sources are not packaged');
    assert.ok(!fs.existsSync(path.join(root, 'dist/testSupport.js')), 'the test-mode helpers are not packaged');
    assert.ok(
      !fs.readFileSync(path.join(root, 'dist/extension.js'), 'utf8').includes(' panel is closed.'),
      'nor bundled into the extension (a message of theirs is not in it)',
    );
    assert.ok(!fs.existsSync(path.join(root, 'node_modules/yaml')), 'bundled dependencies are not packaged twice');
  });
});
