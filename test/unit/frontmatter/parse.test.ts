import * as assert from 'assert';
import { getField, parseFrontmatter } from '../../../src/core/frontmatter/parse';
import { ProblemCode } from '../../../src/core/frontmatter/problemCodes';
import { splitFrontmatter } from '../../../src/core/frontmatter/split';
import { spanOf } from './helpers';

describe('splitFrontmatter', () => {
  it('finds YAML, TOML and JSON blocks', () => {
    assert.strictEqual(splitFrontmatter('---\na: 1\n---\nbody')?.language, 'yaml');
    assert.strictEqual(splitFrontmatter('+++\na = 1\n+++\nbody')?.language, 'toml');
    assert.strictEqual(splitFrontmatter('---toml\na = 1\n---\nbody')?.language, 'toml');
    assert.strictEqual(splitFrontmatter('---json\n{"a": 1}\n---\nbody')?.language, 'json');
    const json = splitFrontmatter('{\n  "a": "}"\n}\nbody');
    assert.strictEqual(json?.language, 'json');
    assert.strictEqual(json?.bodyStart, '{\n  "a": "}"\n}\n'.length);
  });

  it('returns undefined without frontmatter, and for a thematic break that is not a fence', () => {
    assert.strictEqual(splitFrontmatter('# Title\n\ntext'), undefined);
    assert.strictEqual(splitFrontmatter(''), undefined);
    assert.strictEqual(splitFrontmatter('----\nx\n----\n'), undefined);
  });

  it('skips a byte order mark and keeps CRLF offsets exact', () => {
    const text = '\uFEFF---\r\ntitle: Hi\r\n---\r\nBody';
    const block = splitFrontmatter(text)!;
    assert.strictEqual(block.start, 1);
    assert.strictEqual(block.eol, '\r\n');
    assert.strictEqual(text.slice(block.contentStart, block.contentEnd), 'title: Hi\r\n');
    assert.strictEqual(text.slice(block.bodyStart), 'Body');
  });

  it('marks an unterminated block', () => {
    const block = splitFrontmatter('---\ntitle: x\nno end')!;
    assert.strictEqual(block.terminated, false);
    assert.strictEqual(block.closeStart, -1);
  });
});

describe('parseFrontmatter', () => {
  it('records exact key, value and list item spans in YAML', () => {
    const text = '---\ntitle: "Hello"\ntags:\n  - one\n  - two\nflow: [a, b]\n---\n';
    const p = parseFrontmatter(text);
    const title = getField(p, 'title')!;
    assert.strictEqual(spanOf(text, { start: title.keyStart, end: title.keyEnd }), 'title');
    assert.strictEqual(spanOf(text, title.value), '"Hello"');
    assert.strictEqual(title.value.quote, '"');
    assert.strictEqual(title.value.value, 'Hello');
    const tags = getField(p, 'tags')!;
    assert.deepStrictEqual(
      tags.items!.map((i) => spanOf(text, i)),
      ['one', 'two'],
    );
    assert.strictEqual(tags.flow, false);
    assert.deepStrictEqual(
      getField(p, 'flow')!.items!.map((i) => spanOf(text, i)),
      ['a', 'b'],
    );
    assert.deepStrictEqual(p.data, { title: 'Hello', tags: ['one', 'two'], flow: ['a', 'b'] });
  });

  it('records spans in TOML, including multi-line arrays and dates', () => {
    const text = '+++\ndate = 2023-07-11T08:30:00Z\ntitle = "A = B"\ntags = [\n  "x", # first\n  \'y\',\n]\n[params]\nk = 1\n+++\n';
    const p = parseFrontmatter(text);
    assert.deepStrictEqual(p.errors, []);
    const date = getField(p, 'date')!;
    assert.strictEqual(date.value.kind, 'date');
    assert.strictEqual(date.value.value, '2023-07-11T08:30:00Z');
    assert.strictEqual(spanOf(text, getField(p, 'title')!.value), '"A = B"');
    assert.deepStrictEqual(
      getField(p, 'tags')!.items!.map((i) => spanOf(text, i)),
      ['"x"', "'y'"],
    );
    assert.deepStrictEqual(getField(p, 'tags')!.value.value, ['x', 'y']);
    assert.strictEqual(getField(p, 'params')!.value.kind, 'map');
    assert.strictEqual(getField(p, 'k'), undefined, 'table members are not top-level fields');
  });

  it('records spans in JSON', () => {
    const text = '{\n  "title": "Hi, there",\n  "tags": ["a", "b"],\n  "draft": false\n}\nBody';
    const p = parseFrontmatter(text);
    assert.strictEqual(spanOf(text, getField(p, 'title')!.value), '"Hi, there"');
    assert.deepStrictEqual(
      getField(p, 'tags')!.items!.map((i) => spanOf(text, i)),
      ['"a"', '"b"'],
    );
    assert.strictEqual(getField(p, 'draft')!.value.value, false);
  });

  it('keeps the position of YAML syntax errors', () => {
    const text = '---\ntitle: ok\ntags: [a, b\n---\n';
    const p = parseFrontmatter(text);
    assert.strictEqual(p.errors[0].code, ProblemCode.FrontmatterSyntax);
    assert.ok(p.errors[0].start >= text.indexOf('tags'), 'the error points into the broken line or after it');
    const dup = '---\ntitle: a\ntitle: b\n---\n';
    const d = parseFrontmatter(dup);
    assert.strictEqual(spanOf(dup, d.errors[0]), 'title');
    assert.match(d.errors[0].message, /unique/);
  });

  it('reports TOML and JSON syntax errors on the offending line', () => {
    const toml = '+++\ntitle = "ok"\ndate = \n+++\n';
    const t = parseFrontmatter(toml);
    assert.strictEqual(t.errors[0].code, ProblemCode.FrontmatterSyntax);
    assert.ok(t.errors[0].start > toml.indexOf('date'));
    const json = '{\n "title": "x",\n}\n';
    const j = parseFrontmatter(json);
    assert.strictEqual(j.errors[0].code, ProblemCode.FrontmatterSyntax);
  });

  it('stops YAML alias bombs', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      lines.push(
        `${'abcdefgh'[i]}: &${'abcdefgh'[i]} [${Array(9)
          .fill('*' + 'abcdefgh'[i - 1])
          .join(', ')}]`,
      );
    const started = Date.now();
    const p = parseFrontmatter(`---\n${lines.join('\n')}\n---\n`);
    assert.strictEqual(p.errors[0]?.code, ProblemCode.AliasLimit);
    assert.ok(Date.now() - started < 1000);
  });

  it('reports a frontmatter that is not a mapping', () => {
    const p = parseFrontmatter('---\n- a\n- b\n---\n');
    assert.strictEqual(p.errors[0].code, ProblemCode.FrontmatterNotMapping);
  });
});
