/**
 * Agreement with the real builds: each site under test/sites is built with its
 * real generator (Hugo and Jekyll from apt, Astro, Eleventy, Hexo and Docusaurus
 * from npm, installed by scripts/install-site-generators.sh) and checked with `inkwell
 * check --format json`. Every post the build rejects or drops must be one
 * Inkwell reports, with the generator's reason in the message; a post that
 * builds as written must get no error. A generator that is not installed is
 * skipped with a note. The table of what each side said is printed.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run as check } from '../../../src/cli/check';

const repo = path.resolve(__dirname, '../../..');
const npmTools = process.env.INKWELL_SITE_GENERATORS ?? path.join(os.homedir(), '.cache', 'inkwell-site-generators');
const nodeModules = path.join(npmTools, 'node_modules');
/** Docusaurus has a folder of its own: its packages share little with the others'. */
const docusaurusModules = path.join(npmTools, 'docusaurus', 'node_modules');

/** What the build does with a post. `lossy`: built, but a field the author wrote is silently lost. */
type Outcome = 'built' | 'lossy' | 'dropped' | 'failed';

interface Case {
  post: string;
  what: string;
  build: Outcome;
  /** For `failed`: text the build's error shows (and Inkwell's message quotes); for others, text Inkwell's message must hold. */
  reason?: RegExp;
}

interface SiteSpec {
  name: string;
  /** The command line that builds the site in `dir`, or undefined when the generator is not installed. */
  build(dir: string): string[] | undefined;
  output: string;
  /** The node_modules folder the site builds with, when not the shared one. */
  nodeModules?: string;
  /** Run before Inkwell checks the site (Astro: refresh the generated collection schemas). */
  prepare?(dir: string): void;
  cases: Case[];
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const which = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const npmBin = (rel: string, modules = nodeModules) =>
  fs.existsSync(path.join(modules, rel)) ? [process.execPath, path.join(modules, rel)] : undefined;

const SITES: SiteSpec[] = [
  {
    name: 'hugo',
    output: 'public',
    build: (dir) => (which('hugo') ? ['hugo', '--source', dir, '--destination', path.join(dir, 'public'), '--quiet'] : undefined),
    cases: [
      { post: 'content/posts/good.md', what: 'valid YAML post', build: 'built' },
      { post: 'content/posts/good-toml.md', what: 'valid TOML post', build: 'built' },
      { post: 'content/posts/good-json.md', what: 'valid JSON post', build: 'built' },
      { post: 'content/posts/draft.md', what: 'draft: true', build: 'dropped', reason: /--buildDrafts/ },
      { post: 'content/posts/future.md', what: 'date in the future', build: 'dropped', reason: /--buildFuture/ },
      { post: 'content/posts/expired.md', what: 'expiryDate passed', build: 'dropped', reason: /--buildExpired/ },
      { post: 'content/posts/bad-date.md', what: 'date 2023-02-30', build: 'lossy', reason: /0001-01-01/ },
      { post: 'content/posts/garbage-date.md', what: 'date "next tuesday"', build: 'lossy', reason: /0001-01-01/ },
      { post: 'content/posts/draft-string.md', what: 'draft: "yes"', build: 'lossy', reason: /publishes the post/ },
      { post: 'content/posts/tags-number.md', what: 'tags: 5', build: 'built' },
      { post: 'content/posts/no-title.md', what: 'no title', build: 'built' },
    ],
  },
  {
    name: 'jekyll',
    output: '_site',
    build: (dir) =>
      which('jekyll') ? ['jekyll', 'build', '--source', dir, '--destination', path.join(dir, '_site'), '--quiet'] : undefined,
    cases: [
      { post: '_posts/2023-05-08-good.md', what: 'valid post', build: 'built' },
      { post: '_posts/2023-05-09-with-date.md', what: 'date field and file name', build: 'built' },
      { post: '_posts/no-date-in-name.md', what: 'no date in the file name', build: 'dropped', reason: /does not start with a date/ },
      { post: '_posts/2999-01-01-future.md', what: 'future date (file name)', build: 'dropped', reason: /has a future date/ },
      { post: '_posts/2023-05-11-unpublished.md', what: 'published: false', build: 'dropped', reason: /published: false/ },
      {
        post: '_posts/2023-05-12-bad-date.md',
        what: 'date "next tuesday"',
        build: 'failed',
        reason: /does not have a valid date in the YAML front matter/,
      },
      { post: '_posts/2023-05-13-tags-number.md', what: 'tags: 5', build: 'built' },
      { post: '_posts/2023-05-14-no-title.md', what: 'no title', build: 'built' },
    ],
  },
  {
    name: 'astro',
    output: 'dist',
    build: (dir) => npmBin('astro/astro.js') && [...npmBin('astro/astro.js')!, 'build', '--root', dir, '--silent'],
    prepare: (dir) => {
      // `astro sync` writes .astro/collections/*.schema.json (it stops at the first bad entry, after writing them).
      spawnSync(process.execPath, [path.join(nodeModules, 'astro/astro.js'), 'sync', '--root', dir], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
      });
    },
    cases: [
      { post: 'src/content/blog/good.md', what: 'valid entry', build: 'built' },
      { post: 'src/content/blog/future.md', what: 'date in the future', build: 'built' },
      { post: 'src/content/blog/draft.md', what: 'draft: true (pages filter drafts)', build: 'dropped', reason: /getCollection/ },
      { post: 'src/content/blog/bad-date.md', what: 'pubDate "next tuesday"', build: 'failed', reason: /does not match collection schema/ },
      {
        post: 'src/content/blog/tags-string.md',
        what: 'tags: astro (schema wants a list)',
        build: 'failed',
        reason: /does not match collection schema/,
      },
      { post: 'src/content/blog/no-title.md', what: 'no title (required)', build: 'failed', reason: /does not match collection schema/ },
    ],
  },
  {
    name: 'eleventy',
    output: '_site',
    build: () => npmBin('@11ty/eleventy/cmd.cjs') && [...npmBin('@11ty/eleventy/cmd.cjs')!, '--quiet'],
    cases: [
      { post: 'posts/good.md', what: 'valid post', build: 'built' },
      { post: 'posts/tag-string.md', what: 'tags: posts (a string)', build: 'built' },
      { post: 'posts/last-modified.md', what: 'date: Last Modified', build: 'built' },
      { post: 'posts/excluded.md', what: 'eleventyExcludeFromCollections', build: 'built' },
      { post: 'posts/no-output.md', what: 'permalink: false', build: 'dropped', reason: /permalink: false/ },
      { post: 'posts/bad-date.md', what: 'date "next tuesday"', build: 'failed', reason: /Data cascade value for `date`/ },
      { post: 'posts/tags-number.md', what: 'tags: 5', build: 'failed', reason: /String or Array expected for `tags`/ },
      { post: 'posts/no-title.md', what: 'no title', build: 'built' },
    ],
  },
  {
    name: 'hexo',
    output: 'public',
    build: (dir) => npmBin('hexo/bin/hexo') && [...npmBin('hexo/bin/hexo')!, '--cwd', dir, 'generate', '--silent'],
    cases: [
      { post: 'source/_posts/good.md', what: 'valid post', build: 'built' },
      { post: 'source/_posts/future.md', what: 'date in the future (future: true)', build: 'built' },
      { post: 'source/_posts/unpublished.md', what: 'published: false', build: 'dropped', reason: /published: false/ },
      { post: 'source/_posts/bad-date.md', what: 'date "next tuesday"', build: 'lossy', reason: /modification time/ },
      { post: 'source/_posts/tags-number.md', what: 'tags: 5', build: 'built' },
      { post: 'source/_posts/no-title.md', what: 'no title', build: 'built' },
    ],
  },
  {
    name: 'docusaurus',
    output: 'build',
    nodeModules: docusaurusModules,
    build: (dir) => {
      const bin = npmBin('@docusaurus/core/bin/docusaurus.mjs', docusaurusModules);
      return bin && [...bin, 'build', dir, '--out-dir', path.join(dir, 'build')];
    },
    cases: [
      { post: 'blog/2023-05-08-good.md', what: 'valid post', build: 'built' },
      { post: 'blog/2023-05-13-unlisted.md', what: 'unlisted: true', build: 'built' },
      { post: 'blog/2023-05-09-draft.md', what: 'draft: true', build: 'dropped', reason: /production builds/ },
      { post: 'blog/2023-05-10-bad-date.md', what: 'date "next tuesday"', build: 'failed', reason: /"date" must be a valid date/ },
      {
        post: 'blog/2023-05-11-tags-number.md',
        what: 'tags: 5',
        build: 'failed',
        reason: /"tags" does not look like a valid front matter Yaml array/,
      },
      { post: 'blog/2023-05-12-no-title.md', what: 'no title (first heading)', build: 'built' },
    ],
  },
];

/** Output files of a build, relative, forward slashes. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((f) => f.split(path.sep).join('/'));
}

/** The page a post became: a folder or file named by its slug (Jekyll's without the date prefix). */
function slugOf(post: string): string {
  return path.posix
    .basename(post)
    .replace(/\.(md|markdown|mdx)$/, '')
    .replace(/^\d{2,4}-\d{1,2}-\d{1,2}-/, '');
}

interface Row {
  site: string;
  what: string;
  post: string;
  build: string;
  inkwell: string;
  agrees: boolean;
}

const rows: Row[] = [];

describe('site generators: Inkwell agrees with the real builds (test/sites)', function () {
  this.timeout(600_000);

  after(() => {
    if (!rows.length) return;
    const lines = ['| generator | case | build says | Inkwell says | agrees |', '|---|---|---|---|---|'];
    for (const r of rows)
      lines.push(
        `| ${r.site} | ${r.what} (\`${path.posix.basename(r.post)}\`) | ${r.build} | ${r.inkwell.replace(/\|/g, '\\|')} | ${r.agrees ? 'yes' : 'NO'} |`,
      );
    console.log(`\n${lines.join('\n')}\n`);
  });

  for (const site of SITES) {
    it(`${site.name}: every post the build rejects or drops is reported with the build's reason, and no error on one it builds`, async function () {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), `inkwell-site-${site.name}-`));
      const dir = path.join(work, site.name);
      fs.cpSync(path.join(repo, 'test', 'sites', site.name), dir, { recursive: true });
      const modules = site.nodeModules ?? nodeModules;
      if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(modules))
        fs.symlinkSync(modules, path.join(dir, 'node_modules'), 'dir');
      const cmd = site.build(dir);
      if (!cmd) {
        console.log(`    (${site.name} is not installed: run scripts/install-site-generators.sh)`);
        fs.rmSync(work, { recursive: true, force: true });
        this.skip();
      }
      try {
        site.prepare?.(dir);
        // Inkwell first, on the site as written.
        const out: string[] = [];
        const code = await check(['--format', 'json', '--root', dir, dir], { out: (l) => out.push(l), err: () => undefined, cwd: dir });
        assert.ok(code === 0 || code === 1, `inkwell check exited ${code}`);
        const report = JSON.parse(out.join('\n')) as { problems: Array<{ file: string; severity: string; code: string; message: string }> };

        // The real build. A build that stops names the post; take it out and build again.
        const failures = new Map<string, string>();
        for (let attempt = 0; attempt <= site.cases.length; attempt++) {
          // Docusaurus keeps a webpack cache in node_modules/.cache, shared here by every copy
          // of the site (node_modules is a link): a cache from another copy breaks the build.
          const env = {
            ...process.env,
            NO_COLOR: '1',
            ASTRO_TELEMETRY_DISABLED: '1',
            NO_UPDATE_NOTIFIER: '1',
            DOCUSAURUS_NO_PERSISTENT_CACHE: '1',
          };
          const run = spawnSync(cmd![0], cmd!.slice(1), { cwd: dir, encoding: 'utf8', timeout: 300_000, env });
          const log = `${run.stdout ?? ''}\n${run.stderr ?? ''}`.replace(ANSI, '');
          if (run.status === 0) break;
          const culprit = site.cases.find(
            (c) =>
              !failures.has(c.post) &&
              (log.includes(c.post) || log.includes(path.posix.basename(c.post)) || log.includes(` ${slugOf(c.post)} `)),
          );
          assert.ok(culprit, `${site.name} failed without naming a known post:\n${log.slice(0, 3000)}`);
          failures.set(
            culprit.post,
            log.split('\n').find((l) => culprit.reason?.test(l)) ?? log.split('\n').find((l) => /error/i.test(l)) ?? 'build failed',
          );
          fs.rmSync(path.join(dir, culprit.post));
        }
        const output = filesUnder(path.join(dir, site.output));
        const built = (post: string) =>
          output.some(
            (f) => f.endsWith(`/${slugOf(post)}/index.html`) || f === `${slugOf(post)}/index.html` || f.endsWith(`/${slugOf(post)}.html`),
          );

        const problems: string[] = [];
        for (const c of site.cases) {
          const failed = failures.get(c.post);
          const actual: Outcome = failed ? 'failed' : built(c.post) ? (c.build === 'lossy' ? 'lossy' : 'built') : 'dropped';
          const mine = report.problems.filter((p) => p.file === c.post || p.file.endsWith(`/${c.post}`));
          const errors = mine.filter((p) => p.severity === 'error');
          const says = mine.length ? mine.map((p) => `${p.severity} ${p.code}: ${p.message}`).join('<br>') : 'nothing';
          let agrees = actual === c.build;
          if (actual === 'built') agrees &&= errors.length === 0;
          else if (actual === 'failed')
            agrees &&= errors.some((p) => !c.reason || c.reason.test(p.message)) && (!c.reason || c.reason.test(failed!));
          else agrees &&= mine.some((p) => !c.reason || c.reason.test(p.message));
          const buildSays =
            actual === 'failed' ? `fails: ${failed!.trim().slice(0, 140)}` : actual === 'lossy' ? 'built, field lost' : actual;
          rows.push({ site: site.name, what: c.what, post: c.post, build: buildSays, inkwell: says, agrees });
          if (!agrees) problems.push(`${c.post}: expected the build to say ${c.build}; it said ${buildSays}; Inkwell said ${says}`);
        }
        assert.deepStrictEqual(problems, []);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    });
  }
});
