import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { detectModelKind, listModels, resolveModel, type ModelRoot } from '../../../src/generation/modelRegistry';
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
    assert.deepStrictEqual(text.map((m) => [m.name, m.source]), [
      ['tiny-llama', 'user'],
      ['tiny-gpt2', 'shipped'],
    ]);
    assert.ok(listModels(roots()).some((m) => m.kind === 'image'));
  });

  it('resolves names through the roots and paths relative to a base folder', () => {
    assert.strictEqual(resolveModel('tiny-llama', roots(), 'text')?.dir, path.join(user, 'tiny-llama'));
    assert.strictEqual(resolveModel('./tiny-gpt2/no-past', roots(), 'text', modelsDir)?.dir, path.join(modelsDir, 'tiny-gpt2', 'no-past'));
    assert.strictEqual(resolveModel('inkwell-gpt', roots(), 'text'), undefined);
    assert.strictEqual(resolveModel('tiny-gan', roots(), 'text'), undefined, 'an image model is not a text model');
  });
});
