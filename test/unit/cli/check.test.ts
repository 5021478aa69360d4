import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run, JsonProblem } from '../../../src/cli/check';
import type { CliIo } from '../../../src/cli/io';

const SITE = path.resolve(__dirname, '../../fixtures/posts/site');

async function check(args: string[], cwd = SITE): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd };
  const code = await run(args, io);
  return { code, out, err };
}

async function checkJson(
  args: string[],
  cwd = SITE,
): Promise<{ code: number; report: { files: number; errors: number; warnings: number; problems: JsonProblem[] } }> {
  const r = await check([...args, '--format', 'json'], cwd);
  return { code: r.code, report: JSON.parse(r.out.join('\n')) };
}

describe('inkwell check', () => {
  it('walks folders with the default globs and prints file:line:col severity code message', async () => {
    const r = await check([]);
    assert.strictEqual(r.code, 1, 'errors make the exit status 1');
    assert.deepStrictEqual(r.out, [
      'posts/crlf-bom.md:1:1 error date-missing Missing required field "date": add the publication date, e.g. date: 2023-05-08.',
      'posts/crlf-bom.md:5:5 warning tag-variant Tag "Machine Learning" is spelled "machine-learning" in other posts; two spellings make two tag pages.',
      'posts/json.md:3:11 error date-invalid Invalid date ("2023/07/11"): expected a YAML timestamp or ISO 8601 date such as 2023-05-08 or 2023-05-08T09:30:00Z.',
      'posts/json.md:5:12 error image-not-found Image not found: "missing.png" does not exist next to the post.',
      'posts/latin1.md:1:1 error invalid-encoding The file is not valid UTF-8; invalid bytes were read as \uFFFD. Save it as UTF-8.',
      'posts/no-frontmatter.md:1:1 warning frontmatter-missing This post has no frontmatter: add a --- block with at least a title and a date.',
      'posts/toml.md:5:36 warning tag-duplicate Duplicate tag "gan": it is already in this list.',
    ]);
    // README.md and node_modules are not posts.
    assert.match(r.err.join('\n'), /6 posts checked: 4 errors, 3 warnings/);
  });

  it('reports JSON with 1-based spans', async () => {
    const { code, report } = await checkJson(['posts/toml.md']);
    assert.strictEqual(code, 0, 'warnings alone exit 0');
    assert.strictEqual(report.files, 1);
    assert.deepStrictEqual(
      report.problems.map((p) => [p.code, p.line, p.column, p.endLine, p.endColumn]),
      [['tag-duplicate', 5, 36, 5, 41]],
    );
    const text = fs.readFileSync(path.join(SITE, 'posts/toml.md'), 'utf8').split('\n')[4];
    assert.strictEqual(text.slice(35, 40), '"gan"');
  });

  it('judges tag spellings against the whole site when checking one file', async () => {
    const { report } = await checkJson(['posts/crlf-bom.md']);
    assert.ok(report.problems.some((p) => p.code === 'tag-variant'));
  });

  it('applies a custom schema, severity overrides and unknown-key flagging', async () => {
    const { report } = await checkJson(['posts/good.md', '--schema', 'schema.json', '--flag-unknown-keys']);
    assert.deepStrictEqual(
      report.problems.map((p) => [p.code, p.message]),
      [['schema-violation', 'Missing required field "author" (custom schema).']],
    );
    const off = await checkJson(['posts/no-frontmatter.md', '--severity', 'frontmatter-missing=off']);
    assert.deepStrictEqual(off.report.problems, []);
    const bad = await check(['--schema', 'posts/good.md']);
    assert.strictEqual(bad.code, 2);
    assert.match(bad.err[0], /cannot use the schema/);
  });

  it('skips files over the size limit with a note', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-check-'));
    try {
      fs.writeFileSync(path.join(dir, 'big.md'), `---\ntitle: x\n---\n${'x'.repeat(3000)}`);
      const { code, report } = await checkJson(['--max-size', '2'], dir);
      assert.strictEqual(code, 0);
      assert.deepStrictEqual(
        report.problems.map((p) => [p.code, p.severity]),
        [['file-too-large', 'information']],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad usage with exit status 2', async () => {
    assert.strictEqual((await check(['--format', 'xml'])).code, 2);
    assert.strictEqual((await check(['no/such/file.md'])).code, 2);
    assert.strictEqual((await check(['--severity', 'nope=off'])).code, 2);
    const help = await check(['--help']);
    assert.strictEqual(help.code, 0);
    assert.match(help.out[0], /Usage: inkwell check/);
  });
});

describe('inkwell check: paths and walking', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-walk-')));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const post = (tags = 'a') => `---\ntitle: A post\ndate: 2024-01-01\ntags: [${tags}]\n---\nBody\n`;
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
    fs.writeFileSync(path.join(tmp, rel), text);
  };

  it('checks a folder given from another directory, with the same results as from inside it', async () => {
    const inside = await checkJson(['posts']);
    const elsewhere = await checkJson([path.join(SITE, 'posts'), '--root', SITE], tmp);
    assert.strictEqual(elsewhere.report.files, inside.report.files);
    assert.ok(elsewhere.report.files >= 5);
    assert.deepStrictEqual(
      elsewhere.report.problems.map((p) => [path.basename(p.file), p.code, p.line]),
      inside.report.problems.map((p) => [path.basename(p.file), p.code, p.line]),
    );
    assert.strictEqual(elsewhere.code, inside.code);
    // Without --root the folder given is the site: the same posts are checked (only /site-root images differ).
    const noRoot = await checkJson([path.join(SITE, 'posts')], tmp);
    assert.strictEqual(noRoot.report.files, inside.report.files);
    assert.ok(
      noRoot.report.problems.every((p) => p.file.startsWith('../')),
      'files are shown relative to the current folder',
    );
  });

  it('does not walk the current folder for context when the paths given are elsewhere', async () => {
    // The current folder has posts that would make "Machine Learning" a variant; they are not the site.
    write('cwd/a.md', post('machine-learning'));
    write('cwd/b.md', post('machine-learning'));
    write('blog/posts/p.md', post('Machine Learning'));
    const r = await checkJson([path.join(tmp, 'blog/posts')], path.join(tmp, 'cwd'));
    assert.strictEqual(r.report.files, 1);
    assert.deepStrictEqual(
      r.report.problems.filter((p) => p.code === 'tag-variant'),
      [],
    );
  });

  it('fails with the reason when a path given holds no posts', async () => {
    write('empty/notes.txt', 'x');
    const r = await check([path.join(tmp, 'empty')], SITE);
    assert.strictEqual(r.code, 2);
    assert.match(r.err.join('\n'), /no posts in .*empty.*\*\*\/\*\.md/);
    const excluded = await check([path.join(SITE, 'posts'), '--include', 'drafts/**'], SITE);
    assert.strictEqual(excluded.code, 2);
  });

  it('skips node_modules, .git and links out of the folder, and survives a link loop', async () => {
    write('site/posts/ok.md', post());
    write('site/node_modules/x/bad.md', '---\n---\n');
    write('site/.git/bad.md', '---\n---\n');
    write('outside/bad.md', '---\n---\n');
    fs.symlinkSync(path.join(tmp, 'outside'), path.join(tmp, 'site/posts/out'));
    fs.symlinkSync(path.join(tmp, 'site/posts'), path.join(tmp, 'site/posts/loop'));
    fs.symlinkSync(path.join(tmp, 'site/posts/ok.md'), path.join(tmp, 'site/posts/alias.md'));
    const r = await checkJson([], path.join(tmp, 'site'));
    assert.strictEqual(r.code, 0, JSON.stringify(r.report.problems));
    assert.deepStrictEqual(
      r.report.problems.filter((p) => p.severity === 'error'),
      [],
    );
    assert.strictEqual(r.report.files, 1, 'the link to a post inside the folder is the same post');
  });

  it('refuses a FIFO or other special file with a message instead of blocking on it', async function () {
    if (process.platform === 'win32') this.skip();
    write('site/posts/ok.md', post());
    const fifo = path.join(tmp, 'site/posts/pipe.md');
    execFileSync('mkfifo', [fifo]);
    const walked = await check([], path.join(tmp, 'site'));
    assert.strictEqual(walked.code, 0);
    assert.match(walked.err.join('\n'), /pipe\.md.*not a regular file/);
    assert.match(walked.err.join('\n'), /1 post checked/);
    const named = await check([fifo], path.join(tmp, 'site'));
    assert.strictEqual(named.code, 2);
    assert.match(named.err.join('\n'), /pipe\.md.*not a regular file/);
  });
});
