import * as assert from 'assert';
import { parseFrontmatter } from '../../../src/core/frontmatter/parse';
import { ProblemCode } from '../../../src/core/frontmatter/problemCodes';
import { validateParsed } from '../../../src/core/frontmatter/validate';
import { summarize } from '../../../src/core/posts/summary';
import { HOSTILE_POSTS } from './hostilePosts';
import { ratio, timePerCall } from './timing';

/** A normal post that takes the full YAML parser (numbers and a nested map): the baseline. */
const NORMAL = '---\ntitle: A normal post\ndate: 2024-01-01\nweight: 3\nextra: {a: [1, 2], b: c}\ntags: [one, two]\n---\nBody\n';

describe('hostile frontmatter', () => {
  it('parses each hostile post about as fast as a normal one, with a syntax problem instead of a hang', function () {
    this.timeout(120_000);
    const baseline = timePerCall(() => validateParsed(parseFrontmatter(NORMAL, { fastYaml: false }), NORMAL));
    for (const [name, text] of Object.entries(HOSTILE_POSTS)) {
      let problems: ReturnType<typeof validateParsed> = [];
      const check = () => {
        const parsed = parseFrontmatter(text);
        summarize('x', parsed);
        problems = validateParsed(parsed, text);
      };
      // The larger inputs are 100-200 KB: allow for their size (linear work), not for blow-ups
      // (before the fix these took 2-30 s: ratios of 10^4 and more). A call of several
      // milliseconds is preempted on a loaded machine where the tiny baseline is not, so a
      // slow-looking case is timed again, over more rounds, before it counts.
      const allowance = 400 * Math.max(1, text.length / NORMAL.length / 20);
      let ms = timePerCall(check);
      for (let retry = 0; retry < 3 && ratio(ms, baseline) >= allowance; retry++) ms = Math.min(ms, timePerCall(check, 300, false));
      assert.ok(ratio(ms, baseline) < allowance, `${name}: ${ms.toFixed(1)} ms vs ${baseline.toFixed(3)} ms for a normal post`);
      assert.ok(
        problems.some((p) => p.code === ProblemCode.FrontmatterSyntax),
        `${name} reports a syntax problem: ${JSON.stringify(problems.map((p) => p.message))}`,
      );
    }
  });

  it('says why a collection key is refused, and where', () => {
    const text = HOSTILE_POSTS.blockComplexKey;
    const p = parseFrontmatter(text);
    const e = p.errors.find((x) => /plain text/.test(x.message));
    assert.ok(e, JSON.stringify(p.errors));
    assert.ok(e.start >= text.indexOf('? ') && e.start < text.indexOf('a\n: b'), `points into the keys: ${e.start}`);
    assert.deepStrictEqual(p.fields, [], 'no fields are read from a document with collection keys');
  });

  it('still reads scalar keys written with `? ` and reports duplicate keys', () => {
    const p = parseFrontmatter('---\n? title\n: Hello\ndate: 2024-01-01\n---\n');
    assert.deepStrictEqual(p.errors, []);
    assert.strictEqual(p.data.title, 'Hello');
    const nested = '---\ntitle: t\nm: {a: 1, b: 2, a: 3}\n---\n';
    const d = parseFrontmatter(nested, { fastYaml: false });
    assert.strictEqual(d.errors.length, 1);
    assert.match(d.errors[0].message, /unique/);
    assert.strictEqual(d.errors[0].start, nested.lastIndexOf('a: 3'));
  });
});
