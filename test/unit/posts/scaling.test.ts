import * as assert from 'assert';
import { compileCustomSchema, CustomSchema } from '../../../src/core/frontmatter/customSchema';
import { fixesFor } from '../../../src/core/frontmatter/fixes';
import { parseFrontmatter } from '../../../src/core/frontmatter/parse';
import { checkPosts } from '../../../src/core/posts/checkPosts';
import { timePerCall } from '../frontmatter/timing';

/**
 * Big frontmatter must cost about linear time: each case is checked end to end
 * (split, parse, index summary, validation with tag duplicate and variant
 * checks, and the fixes of every problem) at 1k, 10k and 100k items.
 */
const list = (n: number, item: (i: number) => string, sep: string) => Array.from({ length: n }, (_, i) => item(i)).join(sep);

const CASES: Record<string, (n: number) => string> = {
  'YAML keys (fast path)': (n) => `---\ntitle: t\ndate: 2024-01-01\n${list(n, (i) => `k${i}: v`, '\n')}\n---\n`,
  'YAML keys (full parser)': (n) => `---\ntitle: t\ndate: 2024-01-01\n${list(n, (i) => `k${i}: ${i}`, '\n')}\n---\n`,
  'YAML keys in a flow map': (n) => `---\ntitle: t\ndate: 2024-01-01\nm: {${list(n, (i) => `k${i}: 1`, ', ')}}\n---\n`,
  'YAML anchors': (n) => `---\ntitle: t\ndate: 2024-01-01\n${list(n, (i) => `k${i}: &a${i} v`, '\n')}\n---\n`,
  'YAML tags, inline': (n) => `---\ntitle: t\ndate: 2024-01-01\ntags: [${list(n, (i) => `t${i}`, ', ')}]\n---\n`,
  'YAML tags, block list': (n) => `---\ntitle: t\ndate: 2024-01-01\ntags:\n${list(n, (i) => `  - t${i}`, '\n')}\n---\n`,
  'YAML tags, duplicates and variants': (n) =>
    `---\ntitle: t\ndate: 2024-01-01\ntags: [${list(n, (i) => (i % 3 === 0 ? `Tag ${i % 1000}` : `tag-${i % 1000}`), ', ')}]\n---\n`,
  'YAML tags, variants of one tag': (n) =>
    `---\ntitle: t\ndate: 2024-01-01\ntags:\n${list(n, (i) => `  - "a${'-'.repeat(i % 50)}${'_'.repeat(Math.floor(i / 50))}b"`, '\n')}\n---\n`,
  'YAML duplicate keys and tags': (n) =>
    `---\ntitle: t\ndate: 2024-01-01\n${list(n, (i) => `k${i}: ${i}`, '\n')}\ntags: [${list(n, () => 'x', ', ')}]\n---\n`,
  'TOML keys': (n) => `+++\ntitle = "t"\ndate = 2024-01-01\n${list(n, (i) => `k${i} = 1`, '\n')}\n+++\n`,
  'TOML tags': (n) => `+++\ntitle = "t"\ndate = 2024-01-01\ntags = [${list(n, (i) => `"t${i % 7}"`, ', ')}]\n+++\n`,
  'TOML tables': (n) => `+++\ntitle = "t"\ndate = 2024-01-01\n${list(n, (i) => `[t${i}]\nx = 1`, '\n')}\n+++\n`,
  'JSON keys': (n) => `{\n"title": "t",\n"date": "2024-01-01",\n${list(n, (i) => `"k${i}": 1`, ',\n')}\n}\n`,
  'JSON duplicate keys': (n) => `{\n"title": "t",\n"date": "2024-01-01",\n${list(n, (i) => `"k${i % (n / 2)}": 1`, ',\n')}\n}\n`,
  'JSON tags': (n) => `{\n"title": "t",\n"date": "2024-01-01",\n"tags": [${list(n, (i) => `"t${i % 9}"`, ', ')}]\n}\n`,
  'missing title, long heading line': (n) => `---\ndate: 2024-01-01\n---\n# a${' '.repeat(n)}b\n`,
  'missing title, long setext candidate': (n) => `---\ndate: 2024-01-01\n---\n${'x'.repeat(n)}\n${'x'.repeat(n)}\n`,
};

describe('scaling of the checks with the size of the frontmatter', () => {
  let schema: CustomSchema;
  before(async () => {
    // Closed schema: every unknown key is a violation, so the custom schema path scales too.
    schema = await compileCustomSchema({
      type: 'object',
      properties: { title: { type: 'string' }, tags: { type: 'array', items: { type: 'string', maxLength: 3 } } },
      additionalProperties: false,
    });
  });

  const other = {
    path: '/site/other.md',
    text: `---\ntitle: o\ndate: 2024-01-01\ntags: [${list(1000, (i) => `tag-${i}`, ', ')}, a-b]\n---\n`,
  };
  const checkAll = (text: string, customSchema?: CustomSchema) => {
    const results = checkPosts([{ path: '/site/p.md', text }, other], { customSchema }, (p) => p === '/site/p.md');
    const parsed = parseFrontmatter(text);
    let fixes = 0;
    for (const r of results) for (const p of r.problems) fixes += fixesFor(text, p, { postPath: '/site/p.md' }, parsed).length;
    return fixes;
  };

  for (const [name, make] of Object.entries(CASES)) {
    it(`${name}: about linear from 1k to 100k items`, function () {
      this.timeout(120_000);
      const texts = [1_000, 10_000, 100_000].map(make);
      const customSchema = /keys|tags/.test(name) ? schema : undefined;
      // The smaller runs warm the code up for the largest, which is timed twice (the faster counts).
      const [t1k, t10k, t100k] = texts.map((text, i) => timePerCall(() => checkAll(text, customSchema), i < 2 ? 50 : 0, i < 2));
      // Linear work grows 10x per step; with GC and big hash tables it measures 10-20x (more
      // on a loaded machine). Quadratic work grows 100x per step, 10,000x over both.
      assert.ok(t100k < 50 * t10k, `${name}: 10k ${t10k.toFixed(1)} ms -> 100k ${t100k.toFixed(1)} ms`);
      assert.ok(t100k < 2000 * Math.max(t1k, 0.05), `${name}: 1k ${t1k.toFixed(2)} ms -> 100k ${t100k.toFixed(1)} ms`);
    });
  }
});
