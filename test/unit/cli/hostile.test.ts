import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HOSTILE_POSTS } from '../frontmatter/hostilePosts';
import { HOSTILE_CASES } from '../../support/hostileInputs';
import { bundleForNode } from '../../support/bundle';

/** Posts that froze `inkwell check` (times on a quiet machine before the fix). */
const POSTS: Record<string, string> = {
  ...HOSTILE_POSTS,
  // 91 s: a duplicate scan per tag.
  tags80k: `---\ntitle: t\ndate: 2024-01-01\ntags: [${Array.from({ length: 80_000 }, (_, i) => `t${i}`).join(', ')}]\n---\n`,
  // 34 s: a linear search per key in the fast YAML path.
  keys40k: `---\ntitle: t\ndate: 2024-01-01\n${Array.from({ length: 40_000 }, (_, i) => `k${i}: v`).join('\n')}\n---\n`,
  // The posts that froze the previews and reading time, at 192 KB.
  ...Object.fromEntries(HOSTILE_CASES.map((c) => [c.name, c.make(192_000)])),
};

/** Posts whose frontmatter is refused with a syntax problem. */
const SYNTAX_PROBLEM = new Set([...Object.keys(HOSTILE_POSTS), 'question-keys', 'nested-dashes']);

describe('inkwell check on hostile posts (the built CLI in a child process)', function () {
  this.timeout(300_000);
  let dir: string;
  let cli: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-hostile-'));
    // The CLI bundle as esbuild.js builds it (same options), from the current sources.
    cli = path.join(dir, 'cli.js');
    await bundleForNode('src/cli/main.ts', cli);
    fs.writeFileSync(path.join(dir, 'normal.md'), '---\ntitle: A normal post\ndate: 2024-01-01\ntags: [a, b]\nweight: 3\n---\nBody\n');
    for (const [name, text] of Object.entries(POSTS)) fs.writeFileSync(path.join(dir, `${name}.md`), text);
    fs.writeFileSync(
      path.join(dir, 'schema.json'),
      JSON.stringify({ type: 'object', properties: { title: { type: 'string', pattern: '^(a+)+$' } } }),
    );
    fs.writeFileSync(path.join(dir, 'redos.md'), `---\ntitle: ${'a'.repeat(40)}!\ndate: 2024-01-01\n---\n`);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs the CLI; returns its wall time in ms (or fails after a minute). */
  const runCheck = (...args: string[]) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, 'check', ...args, '--format', 'json'], { cwd: dir, timeout: 60_000, encoding: 'utf8' });
    const ms = performance.now() - t0;
    assert.strictEqual(r.signal, null, `inkwell check ${args.join(' ')} was killed after ${ms.toFixed(0)} ms`);
    return {
      ms,
      code: r.status,
      report: JSON.parse(r.stdout) as { files: number; problems: { code: string; message: string }[] },
      stderr: r.stderr,
    };
  };

  it('finishes each in about the time a normal post takes, and reports a problem', () => {
    // Node's start-up dominates a normal run; the best of three is the baseline.
    const baseline = Math.min(...[0, 1, 2].map(() => runCheck('normal.md').ms));
    for (const name of Object.keys(POSTS)) {
      const r = runCheck(`${name}.md`);
      assert.strictEqual(r.report.files, 1, r.stderr);
      // Generous: the big posts are 0.5-1 MB to read and check (linear work, tens of ms).
      assert.ok(r.ms < baseline * 4 + 1000, `${name}: ${r.ms.toFixed(0)} ms, a normal post ${baseline.toFixed(0)} ms`);
      if (SYNTAX_PROBLEM.has(name))
        assert.ok(
          r.report.problems.some((p) => p.code === 'frontmatter-syntax'),
          `${name}: ${JSON.stringify(r.report.problems)}`,
        );
    }
  });

  it('runs a custom schema pattern that would backtrack exponentially in linear time', () => {
    const baseline = runCheck('normal.md', '--schema', 'schema.json').ms;
    const r = runCheck('redos.md', '--schema', 'schema.json');
    assert.ok(r.ms < baseline * 4 + 1000, `^(a+)+$: ${r.ms.toFixed(0)} ms, a normal post ${baseline.toFixed(0)} ms`);
    assert.ok(
      r.report.problems.some((p) => p.code === 'schema-violation' && /pattern/.test(p.message)),
      JSON.stringify(r.report.problems),
    );
  });
});
