import * as assert from 'assert';
import fc from 'fast-check';
import { fixesFor } from '../../../src/core/frontmatter/fixes';
import { parseFrontmatter } from '../../../src/core/frontmatter/parse';
import { isProblemCode } from '../../../src/core/frontmatter/problemCodes';
import { validateParsed } from '../../../src/core/frontmatter/validate';
import { PostIndex } from '../../../src/core/posts/postIndex';
import { ratio, timePerCall } from './timing';

/** Pieces that steer random text into the parsers' interesting corners. */
const FRAGMENTS = [
  '---',
  '---\n',
  '+++\n',
  '---json\n',
  '---toml\n',
  '{',
  '}',
  '[',
  ']',
  '\n',
  '\r\n',
  '\r',
  '\uFEFF',
  '\t',
  ' ',
  '  - ',
  'title:',
  'title = ',
  'date: ',
  'date = ',
  'description: ',
  'tags:',
  'tags = [',
  'image: ',
  'draft: ',
  '"tags": [',
  '2023-05-08',
  '2023-02-30',
  '2023/05/08',
  'May 8, 2023',
  '10:15:00',
  'Z',
  'true',
  'null',
  '~',
  '#',
  ':',
  ',',
  '"',
  "'",
  '"""',
  '\\',
  '&a ',
  '*a',
  '&b [*a, *a, *a, *a]',
  '!!binary ',
  '? ',
  '|\n',
  '>-\n',
  '%YAML 1.2\n',
  '...\n',
  '\uD800',
  '\uDFFF',
  '\u0000',
  '🙂',
  'é',
  '/uploads/x.png',
  '../x.png',
  'http://x/y.png',
  'Machine Learning',
  'machine-learning',
  // Collection keys and deep flow nesting: the shapes that once took exponential time.
  '{'.repeat(12),
  '['.repeat(12),
  '? '.repeat(12),
  '? [a]: b\n',
  '{[a]: b}',
  '[{a: b}: c]',
  'a = {b = {c = [1]}}\n',
  '{"a": [[[{}]]]}',
];

const postText = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...FRAGMENTS) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('validator robustness (property-based)', () => {
  it('never throws, never hangs, and reports in-bounds problems and fixes (10,000 cases)', function () {
    // The work is bounded (10,000 small cases, each timed at most three times), not the time.
    this.timeout(0);
    const index = new PostIndex();
    index.upsert('other', '---\ntags: [machine-learning, machine-learning]\n---\n');
    const files = ['/site/static/uploads/a.png', '/site/posts/b.png'];
    // The baseline: a normal post through the same checks, timed in this run.
    const normal = '---\ntitle: t\ndate: 2024-01-01\ntags: [a, b]\n---\n';
    const baseline = timePerCall(() => {
      index.upsert('me', normal);
      const parsed = parseFrontmatter(normal);
      for (const p of validateParsed(parsed, normal, { postId: 'me', tags: index })) fixesFor(normal, p, {}, parsed);
    });
    // Each case is tiny; one taking a thousand times the baseline would mean a hang-like blow-up.
    const allowed = 1000;
    let worst = { ratio: 0, ms: 0, text: '' };
    fc.assert(
      fc.property(postText, fc.boolean(), (text, flagUnknownKeys) => {
        const t0 = performance.now();
        index.upsert('me', text);
        const parsed = parseFrontmatter(text);
        const problems = validateParsed(parsed, text, {
          postId: 'me',
          tags: index,
          flagUnknownKeys,
          postPath: '/site/posts/p.md',
          siteRoot: '/site',
          staticFolders: ['static', '.'],
          fileExists: (p) => files.includes(p),
        });
        for (const p of problems) {
          assert.ok(isProblemCode(p.code), p.code);
          assert.ok(p.start >= 0 && p.start <= p.end && p.end <= text.length, `${p.code} span ${p.start}-${p.end} in ${text.length}`);
          assert.ok(p.message.length > 0);
          for (const fix of fixesFor(text, p, { imageFiles: files, postPath: '/site/posts/p.md', siteRoot: '/site' }, parsed)) {
            for (const e of fix.edits) assert.ok(e.start >= 0 && e.start <= e.end && e.end <= text.length, `${fix.title} edit in bounds`);
          }
        }
        let ms = performance.now() - t0;
        // A case over the bound is timed again (the fastest counts): a blow-up is slow every time,
        // while a first run that compiles new code paths or meets a GC is not.
        for (let attempt = 0; attempt < 2 && ratio(ms, baseline) >= allowed; attempt++) {
          const t1 = performance.now();
          index.upsert('me', text);
          const again = parseFrontmatter(text);
          const options = {
            postId: 'me',
            tags: index,
            flagUnknownKeys,
            postPath: '/site/posts/p.md',
            siteRoot: '/site',
            staticFolders: ['static', '.'],
          };
          for (const p of validateParsed(again, text, { ...options, fileExists: (f) => files.includes(f) })) {
            fixesFor(text, p, { imageFiles: files, postPath: '/site/posts/p.md', siteRoot: '/site' }, again);
          }
          ms = Math.min(ms, performance.now() - t1);
        }
        if (ratio(ms, baseline) > worst.ratio) worst = { ratio: ratio(ms, baseline), ms, text };
      }),
      { numRuns: 10_000, seed: 20240309 },
    );
    assert.ok(
      worst.ratio < allowed,
      `slowest case took ${worst.ms.toFixed(1)} ms, ${worst.ratio.toFixed(0)}x the baseline's ${baseline.toFixed(3)} ms: ${JSON.stringify(worst.text.slice(0, 200))}`,
    );
  });

  it('stays fast on generated nested flow collections, collection keys and huge lists', function () {
    // The work is bounded, not the time: 1,500 cases of bounded size (nesting up to 40, lists up to
    // 20,000 items), each timed at most three times. How long that takes depends on the machine and
    // its load; what is checked is each case against the baseline measured here.
    this.timeout(0);
    // Flow values nested up to 40 deep (past the 28 that took 34 s as keys), as YAML, TOML or JSON.
    const { node } = fc.letrec<{ node: string }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'large', withCrossShrink: true },
        fc.constantFrom('a', '1', '"s"', 'true', '*x', '&x a', '? k', ''),
        fc.array(tie('node'), { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
        fc.array(fc.tuple(tie('node'), tie('node')), { maxLength: 3 }).map((ps) => `{${ps.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
        tie('node').map((k) => `{${k}: v}`),
        tie('node').map((k) => `? ${k}`),
      ),
    }));
    const open = fc.integer({ min: 0, max: 40 }).map((n) => '{'.repeat(n));
    const hugeList = fc
      .integer({ min: 1_000, max: 20_000 })
      .map((n) => `[${Array.from({ length: n }, (_, i) => `t${i % 97}`).join(', ')}]`);
    const value = fc.oneof({ weight: 4, arbitrary: node }, { weight: 1, arbitrary: open }, { weight: 1, arbitrary: hugeList });
    const post = fc.tuple(fc.constantFrom('yaml', 'yaml-key', 'yaml-block-key', 'toml', 'json'), value).map(([lang, v]) => {
      switch (lang) {
        case 'yaml':
          return `---\ntitle: t\ndate: 2024-01-01\ntags: ${v}\n---\n`;
        case 'yaml-key':
          return `---\ntitle: t\n${v}: x\n---\n`;
        case 'yaml-block-key':
          return `---\ntitle: t\n? ${v}\n: x\n---\n`;
        case 'toml':
          return `+++\ntitle = "t"\ntags = ${v.replace(/: /g, ' = ')}\n+++\n`;
        default:
          return `{\n"title": "t",\n"tags": ${v}\n}\n`;
      }
    });
    const index = new PostIndex();
    const check = (text: string) => {
      index.upsert('me', text);
      const parsed = parseFrontmatter(text);
      for (const p of validateParsed(parsed, text, { postId: 'me', tags: index })) fixesFor(text, p, {}, parsed);
    };
    // The baseline: a normal post with the same shapes, a few levels deep.
    const normal = '---\ntitle: t\ndate: 2024-01-01\ntags: [a, b, {c: [d, e]}]\nextra: {a: [1, {b: 2}]}\n---\n';
    const baseline = timePerCall(() => check(normal));
    let worst = { ratio: 0, text: '' };
    fc.assert(
      fc.property(post, (text) => {
        // Work may grow with the input's size (huge lists), linearly: allow for it.
        const allowed = 500 * Math.max(1, text.length / normal.length / 10);
        // A case over the bound is timed again (up to three times, the fastest counts): a blow-up
        // is slow every time, while a first run that compiles new code paths or meets a GC is not.
        let ms = Infinity;
        for (let attempt = 0; attempt < 3 && ratio(ms, baseline) >= allowed; attempt++) {
          const t0 = performance.now();
          check(text);
          ms = Math.min(ms, performance.now() - t0);
        }
        const r = ratio(ms, baseline);
        if (r / allowed > worst.ratio) worst = { ratio: r / allowed, text };
        assert.ok(r < allowed, `${ms.toFixed(1)} ms (baseline ${baseline.toFixed(3)} ms) for ${JSON.stringify(text.slice(0, 200))}`);
      }),
      { numRuns: 1_500, seed: 20261130 },
    );
    assert.ok(worst.ratio < 1, JSON.stringify(worst).slice(0, 300));
  });

  it('survives hostile inputs: alias bombs, deep nesting, huge lines, lone surrogates', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      bomb.push(
        `k${i}: &k${i} [${Array(10)
          .fill(i === 1 ? '*a' : `*k${i - 1}`)
          .join(', ')}]`,
      );
    const inputs = [
      `---\n${bomb.join('\n')}\n---\n`,
      `---\ntitle: ${'['.repeat(5000)}\n---\n`,
      `+++\ntags = ${'['.repeat(5000)}\n+++\n`,
      `${'{'.repeat(5000)}\n`,
      `---\ntitle: ${'x'.repeat(1_000_000)}\n---\n`,
      '---\ntitle: \uD800\uDFFF\uD800\ndate: 2023-05-08\n---\n',
      '\uFEFF',
      '---',
    ];
    for (const text of inputs) {
      const t0 = Date.now();
      const problems = validateParsed(parseFrontmatter(text), text, {});
      assert.ok(Array.isArray(problems));
      assert.ok(Date.now() - t0 < 3000, `input of ${text.length} chars took ${Date.now() - t0} ms`);
    }
  });
});
