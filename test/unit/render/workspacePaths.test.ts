import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { confineToRoots, isPathInside, realPathOf } from '../../../src/util/workspacePaths';

describe('workspace paths: containment by real path', function () {
  if (process.platform === 'win32') return;
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-paths-')));
  const workspace = path.join(base, 'blog');
  const outside = path.join(base, 'outside');

  before(() => {
    fs.mkdirSync(path.join(workspace, 'posts', 'images'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret.png'), 'not for the preview');
    fs.writeFileSync(path.join(workspace, 'posts', 'images', 'cat.png'), 'a cat');
    // Links committed to the repository: to a file and to a folder outside, and one that stays inside.
    fs.symlinkSync(path.join(outside, 'secret.png'), path.join(workspace, 'posts', 'passwd.png'));
    fs.symlinkSync(outside, path.join(workspace, 'posts', 'dirlink'));
    fs.symlinkSync(path.join(workspace, 'posts', 'images'), path.join(workspace, 'posts', 'pictures'));
    fs.symlinkSync(path.join(outside, 'not-yet.png'), path.join(workspace, 'posts', 'dangling.png'));
  });
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  it('keeps plain files and links that stay inside', () => {
    assert.strictEqual(
      confineToRoots(path.join(workspace, 'posts', 'images', 'cat.png'), [workspace]),
      path.join(workspace, 'posts', 'images', 'cat.png'),
    );
    assert.strictEqual(
      confineToRoots(path.join(workspace, 'posts', 'pictures', 'cat.png'), [workspace]),
      path.join(workspace, 'posts', 'images', 'cat.png'),
    );
  });

  it('refuses a link to a file outside the roots', () => {
    assert.strictEqual(confineToRoots(path.join(workspace, 'posts', 'passwd.png'), [workspace]), undefined);
  });

  it('refuses a file that does not exist yet behind a folder link that leads outside (a write would land there)', () => {
    const target = path.join(workspace, 'posts', 'dirlink', 'images', 'new.png');
    assert.strictEqual(realPathOf(target), path.join(outside, 'images', 'new.png'));
    assert.strictEqual(confineToRoots(target, [workspace]), undefined);
    assert.strictEqual(
      confineToRoots(path.join(workspace, 'posts', 'images', 'new.png'), [workspace]),
      path.join(workspace, 'posts', 'images', 'new.png'),
    );
  });

  it('follows a dangling link to where it points', () => {
    assert.strictEqual(realPathOf(path.join(workspace, 'posts', 'dangling.png')), path.join(outside, 'not-yet.png'));
    assert.strictEqual(confineToRoots(path.join(workspace, 'posts', 'dangling.png'), [workspace]), undefined);
  });

  it('accepts a file outside when one of the roots is the real folder it is in', () => {
    assert.strictEqual(
      confineToRoots(path.join(workspace, 'posts', 'dirlink', 'secret.png'), [workspace, path.join(workspace, 'posts', 'dirlink')]),
      path.join(outside, 'secret.png'),
    );
  });

  it('compares whole path segments', () => {
    assert.ok(isPathInside(path.join(base, 'blog', 'x'), path.join(base, 'blog')));
    assert.ok(!isPathInside(path.join(base, 'blog-other', 'x'), path.join(base, 'blog')));
    assert.ok(!isPathInside(path.join(base, 'x'), path.join(base, 'blog')));
    assert.ok(isPathInside(path.join(base, 'blog', '..x'), path.join(base, 'blog')));
  });
});
