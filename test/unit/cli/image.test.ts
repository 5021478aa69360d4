import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run as imageCommand } from '../../../src/cli/imageCommand';
import type { CliIo } from '../../../src/cli/io';

const TINY_GAN = path.resolve(__dirname, '../../fixtures/models/tiny-gan');

function capture(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), cwd: process.cwd() };
}

describe('inkwell image never overwrites', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-image-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const generate = async (...extra: string[]) => {
    const io = capture();
    const code = await imageCommand(['--model', TINY_GAN, '--count', '1', '--seed', '7', '--size', '8', '--out', dir, ...extra], io);
    return { code, io };
  };

  it('writes x-2.png, x-3.png… next to an existing file and leaves it as it was', async () => {
    const taken = path.join(dir, 'tiny-gan-7.png');
    fs.writeFileSync(taken, 'mine');
    const first = await generate();
    assert.strictEqual(first.code, 0, first.io.errors.join('\n'));
    assert.deepStrictEqual(first.io.lines, [path.join(dir, 'tiny-gan-7-2.png')]);
    const second = await generate();
    assert.deepStrictEqual(second.io.lines, [path.join(dir, 'tiny-gan-7-3.png')]);
    assert.strictEqual(fs.readFileSync(taken, 'utf8'), 'mine');
    assert.deepStrictEqual(
      fs.readdirSync(dir).sort(),
      ['tiny-gan-7-2.png', 'tiny-gan-7-3.png', 'tiny-gan-7.png'],
      'no temporary files are left',
    );
  });

  it('neither replaces nor writes through a symbolic link at the name', async () => {
    const target = path.join(dir, 'elsewhere.txt');
    fs.writeFileSync(target, 'keep');
    fs.symlinkSync(target, path.join(dir, 'tiny-gan-7.png'));
    fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'tiny-gan-7-2.png'));
    const r = await generate();
    assert.strictEqual(r.code, 0, r.io.errors.join('\n'));
    assert.deepStrictEqual(r.io.lines, [path.join(dir, 'tiny-gan-7-3.png')]);
    assert.ok(fs.lstatSync(path.join(dir, 'tiny-gan-7.png')).isSymbolicLink());
    assert.ok(fs.lstatSync(path.join(dir, 'tiny-gan-7-2.png')).isSymbolicLink());
    assert.strictEqual(fs.readFileSync(target, 'utf8'), 'keep');
    assert.ok(!fs.existsSync(path.join(dir, 'nowhere')));
  });

  it('replaces a regular file with --force, but never a link', async () => {
    const taken = path.join(dir, 'tiny-gan-7.png');
    fs.writeFileSync(taken, 'mine');
    const r = await generate('--force');
    assert.strictEqual(r.code, 0, r.io.errors.join('\n'));
    assert.deepStrictEqual(r.io.lines, [taken]);
    assert.notStrictEqual(fs.readFileSync(taken, 'utf8'), 'mine');
    fs.rmSync(taken);
    const target = path.join(dir, 'elsewhere.txt');
    fs.writeFileSync(target, 'keep');
    fs.symlinkSync(target, taken);
    const link = await generate('--force');
    assert.strictEqual(link.code, 1);
    assert.match(link.io.errors.join('\n'), /not a regular file/);
    assert.strictEqual(fs.readFileSync(target, 'utf8'), 'keep');
    assert.ok(fs.lstatSync(taken).isSymbolicLink());
  });
});
