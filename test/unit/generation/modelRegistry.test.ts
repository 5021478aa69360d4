import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  detectModelKind,
  findModel,
  isModelName,
  listModels,
  modelRoots,
  ModelRefused,
  resolveModel,
  type ModelRoot,
} from '../../../src/generation/modelRegistry';
import { modelsDir } from './fixtures';

describe('model registry', () => {
  const user = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-models-'));
  before(() => {
    // A user folder that shadows a fixture name and holds a non-model folder.
    fs.cpSync(path.join(modelsDir, 'tiny-gpt2', 'no-past'), path.join(user, 'tiny-llama'), { recursive: true });
    fs.mkdirSync(path.join(user, 'notes'));
  });
  after(() => fs.rmSync(user, { recursive: true, force: true }));

  const roots = (): ModelRoot[] => [
    { dir: user, source: 'user' },
    { dir: modelsDir, source: 'shipped' },
    { dir: path.join(user, 'missing'), source: 'workspace' },
  ];

  it('tells text and image model folders apart', () => {
    assert.strictEqual(detectModelKind(path.join(modelsDir, 'tiny-gpt2')), 'text');
    assert.strictEqual(detectModelKind(path.join(modelsDir, 'tiny-gan')), 'image');
    assert.strictEqual(detectModelKind(path.join(user, 'notes')), undefined);
  });

  it('lists models by kind, earlier roots shadowing later ones, and skips missing roots', () => {
    const text = listModels(roots(), 'text');
    assert.deepStrictEqual(
      text.map((m) => [m.name, m.source]),
      [
        ['tiny-llama', 'user'],
        ['tiny-gpt2', 'shipped'],
      ],
    );
    assert.ok(listModels(roots()).some((m) => m.kind === 'image'));
  });

  it('resolves names through the roots and paths relative to a base folder', () => {
    assert.strictEqual(resolveModel('tiny-llama', roots(), 'text')?.dir, path.join(user, 'tiny-llama'));
    assert.strictEqual(resolveModel('./tiny-gpt2/no-past', roots(), 'text', modelsDir)?.dir, path.join(modelsDir, 'tiny-gpt2', 'no-past'));
    assert.strictEqual(resolveModel('inkwell-gpt', roots(), 'text'), undefined);
    assert.strictEqual(resolveModel('tiny-gan', roots(), 'text'), undefined, 'an image model is not a text model');
  });

  describe('trust', () => {
    // A cloned repository with a model folder of its own, and a user's home with models.
    const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-trust-')));
    const workspace = path.join(base, 'repo');
    const home = path.join(base, 'home');
    const evil = path.join(workspace, '.inkwell', 'models', 'evil-gan');
    before(() => {
      fs.cpSync(path.join(modelsDir, 'tiny-gan'), evil, { recursive: true });
      fs.cpSync(path.join(modelsDir, 'tiny-gpt2', 'no-past'), path.join(workspace, 'my-model'), { recursive: true });
      fs.mkdirSync(path.join(home, 'models'), { recursive: true });
      fs.cpSync(path.join(modelsDir, 'tiny-gan'), path.join(home, 'models', 'home-gan'), { recursive: true });
      // A user's model folder that is a link into the repository.
      fs.symlinkSync(path.dirname(evil), path.join(home, 'linked-models'));
    });
    after(() => fs.rmSync(base, { recursive: true, force: true }));

    const untrusted = { trusted: false, workspaceDirs: [workspace], home };
    const trusted = { trusted: true, workspaceDirs: [workspace], home };
    const paths = { effective: ['./.inkwell/models', '~/models'], user: ['~/models', 'relative-models'] };

    it('tells model names from paths', () => {
      assert.ok(isModelName('tiny-gan') && isModelName('inkwell gan v2'));
      for (const p of ['./.inkwell/models/evil-gan', '../evil', '/abs/evil', '~/models/x', 'a/b', 'a\\b', '.hidden', 'C:evil'])
        assert.ok(!isModelName(p), p);
    });

    it('searches the workspace and workspace-set paths only when trusted', () => {
      assert.deepStrictEqual(
        modelRoots(trusted, paths, modelsDir).map((r) => r.dir),
        [path.join(workspace, '.inkwell', 'models'), path.join(workspace, '.inkwell', 'models'), path.join(home, 'models'), modelsDir],
      );
      // Untrusted: the user's own absolute folders only; a relative one would lead into the workspace.
      assert.deepStrictEqual(
        modelRoots(untrusted, paths, modelsDir).map((r) => r.dir),
        [path.join(home, 'models'), modelsDir],
      );
    });

    it('never loads a name read from a file as a path, trusted or not', () => {
      const roots = modelRoots(trusted, paths, modelsDir);
      for (const value of ['./.inkwell/models/evil-gan', evil, '../repo/.inkwell/models/evil-gan']) {
        assert.throws(
          () => findModel(value, roots, 'image', { ...trusted, namesOnly: true }),
          (err: unknown) => err instanceof ModelRefused && /is a path, not a model name/.test((err as Error).message),
          value,
        );
      }
      assert.strictEqual(
        findModel('evil-gan', roots, 'image', { ...trusted, namesOnly: true })?.dir,
        evil,
        'a trusted workspace may name its own model',
      );
      assert.strictEqual(
        findModel('evil-gan', modelRoots(untrusted, paths, modelsDir), 'image', { ...untrusted, namesOnly: true }),
        undefined,
      );
    });

    it('does not resolve a relative user-level model path into an untrusted workspace', () => {
      // Before, the same value resolved against the workspace folder whatever the trust.
      assert.strictEqual(resolveModel('./my-model', [], 'text', workspace)?.dir, path.join(workspace, 'my-model'));
      assert.throws(
        () => findModel('./my-model', modelRoots(untrusted, paths, modelsDir), 'text', untrusted),
        /relative, so it would resolve inside this workspace, which is not trusted/,
      );
      assert.strictEqual(
        findModel('./my-model', modelRoots(trusted, paths, modelsDir), 'text', trusted)?.dir,
        path.join(workspace, 'my-model'),
      );
    });

    it('refuses a model inside an untrusted workspace however it is reached', () => {
      const roots = modelRoots(untrusted, paths, modelsDir);
      assert.throws(
        () => findModel(path.join(workspace, 'my-model'), roots, 'text', untrusted),
        /inside this workspace, which is not trusted/,
      );
      const linked: ModelRoot[] = [{ dir: path.join(home, 'linked-models'), source: 'user' }, ...roots];
      assert.throws(() => findModel('evil-gan', linked, 'image', untrusted), /evil-gan is inside this workspace, which is not trusted/);
      assert.deepStrictEqual(
        listModels(linked, 'image', untrusted.workspaceDirs)
          .map((m) => m.name)
          .filter((n) => n.endsWith('-gan')),
        ['home-gan', 'tiny-gan'],
      );
      assert.strictEqual(findModel('home-gan', roots, 'image', untrusted)?.dir, path.join(home, 'models', 'home-gan'));
    });
  });
});
