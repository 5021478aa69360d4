import * as assert from 'assert';
import { MAX_FRONTMATTER_LENGTH, MAX_NESTING, parseFrontmatter } from '../../../src/core/frontmatter/parse';
import { validatePost } from '../../../src/core/frontmatter/validate';
import { splitFrontmatter } from '../../../src/core/render/frontmatter';

/** The one syntax problem of a post with this YAML, with the text it underlines. */
function explain(yaml: string) {
  const text = `---\n${yaml}---\nBody\n`;
  const problems = validatePost(text).filter((p) => p.code === 'frontmatter-syntax');
  assert.strictEqual(problems.length, 1, JSON.stringify(problems.map((p) => p.message)));
  const p = problems[0];
  return {
    message: p.message,
    underlined: text.slice(p.start, p.end),
    parserAt: p.related ? text.slice(p.related.start, p.related.end) : undefined,
    related: p.related?.message,
    preview: splitFrontmatter(text)?.error,
    line: text.slice(0, p.start).split('\n').length,
  };
}

describe('YAML syntax errors in words', () => {
  it('points at an unclosed [ or {, not at the next line where the parser stopped', () => {
    const list = explain('title: Hello\ntags: [a, b\ndate: 2024-01-01\n');
    assert.strictEqual(list.underlined, '[a, b');
    assert.match(list.message, /opened with `\[` but never closed: end it with `\]`/);
    assert.strictEqual(list.parserAt, 'd', 'the parser position stays as related information');
    assert.match(list.related!, /Where the YAML parser stopped: Flow sequence/);
    const map = explain('title: Hello\nextra: {a: 1\ndate: 2024-01-01\n');
    assert.strictEqual(map.underlined, '{a: 1');
    assert.match(map.message, /`\{` but never closed/);
  });

  it('points at the quote that is never closed', () => {
    const double = explain('title: "Hello\ndate: 2024-01-01\n');
    assert.strictEqual(double.underlined, '"Hello');
    assert.match(double.message, /quote \("\) that is never closed/);
    // `''` inside single quotes is an escaped quote, not the close.
    const single = explain("title: 'It''s\ndate: 2024-01-01\n");
    assert.strictEqual(single.underlined, "'It''s");
  });

  it('explains indentation, tabs, colons in values and a missing space', () => {
    const indented = explain('title: Hello\n  date: 2024-01-01\n');
    assert.strictEqual(indented.underlined, '  ');
    assert.strictEqual(indented.line, 3);
    assert.match(indented.message, /This line is indented/);
    assert.match(explain('title: Hello\n\tdate: 2024-01-01\n').message, /tab/);
    const colon = explain('title: Hello: world\ndate: 2024-01-01\n');
    assert.strictEqual(colon.underlined, 'Hello: world');
    assert.match(colon.message, /Put the whole value in quotes/);
    const glued = explain('title:Hello\ndate: 2024-01-01\n');
    assert.match(glued.message, /no space after the colon of `title:`/);
    const list = explain('tags:\n  - a\n - b\ntitle: x\n');
    assert.strictEqual(list.line, 4);
    assert.match(list.message, /not lined up/);
    assert.match(explain('title: "Hello" world\n').message, /Text follows the end of the value/);
    assert.match(explain('title: @handle\n').message, /cannot start with `@`/);
    assert.match(explain('title: "a\\qb"\n').message, /`\\q` is not an escape/);
    assert.match(explain('title: a\ntitle: b\n').message, /Keys must be unique: `title` appears earlier/);
  });

  it('gives the preview the same words and line as the Problems panel', () => {
    for (const yaml of ['title: Hello\ntags: [a, b\ndate: 2024-01-01\n', 'title: "Hello\n', 'title: Hello\n  date: 2024-01-01\n']) {
      const e = explain(yaml);
      assert.strictEqual(e.preview, `Line ${e.line}: ${e.message}`);
    }
  });

  it('says in words when block collections nest too deeply', () => {
    const deep = (n: number) => `---\ntitle: t\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} v\n---\n`;
    const dashes = `---\ntitle: t\nx: ${'- '.repeat(20_000)}a\n---\n`;
    const seq = `---\ntitle: t\n${'- '.repeat(20_000)}a\n---\n`;
    for (const text of [deep(MAX_NESTING + 2), deep(600), dashes, seq]) {
      const errors = parseFrontmatter(text).errors;
      assert.strictEqual(errors.length, 1, JSON.stringify(errors.map((e) => e.message)));
      assert.match(errors[0].message, new RegExp(`nested more than ${MAX_NESTING} levels deep`));
      assert.doesNotMatch(errors[0].message, /call stack/);
    }
    // Real frontmatter nests a few levels, block scalars hold any indentation.
    const fine =
      '---\ntitle: t\nmenu:\n  main:\n    - name: a\n      params:\n        x: [1, {y: 2}]\nnotes: |\n' +
      Array.from({ length: 100 }, (_, i) => `  ${' '.repeat(i)}line ${i}`).join('\n') +
      '\n---\n';
    assert.deepStrictEqual(parseFrontmatter(fine).errors, []);
  });

  it('reads no frontmatter longer than the limit', () => {
    const text = `---\ntitle: t\nx: "${'a'.repeat(MAX_FRONTMATTER_LENGTH)}"\n---\nBody\n`;
    const p = parseFrontmatter(text);
    assert.strictEqual(p.errors.length, 1);
    assert.match(p.errors[0].message, /Inkwell reads frontmatter of up to 256 KB/);
    assert.match(splitFrontmatter(text)!.error!, /^Line 1: The frontmatter is 256 KB long/);
  });
});
