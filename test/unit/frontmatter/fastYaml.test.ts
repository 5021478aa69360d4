import * as assert from 'assert';
import fc from 'fast-check';
import { parseSimpleYaml } from '../../../src/core/frontmatter/fastYaml';
import { parseFrontmatter } from '../../../src/core/frontmatter/parse';

const word = fc.constantFrom(
  'gan',
  'machine-learning',
  'Machine Learning',
  'c++',
  'a.b',
  'x_y',
  'Hello, world',
  'It is',
  'ok!',
  'caf\u00e9',
  '2023-05-08',
  '2023-05-08 10:15:00',
  '2023-05-08T10:15:00Z',
  '/uploads/x.png',
  'v1.2',
);
const scalarText = fc.oneof(
  word,
  word.map((w) => `"${w}"`),
  word.map((w) => `'${w}'`),
  fc.constantFrom(
    'true',
    'False',
    'null',
    '~',
    '12',
    '3.5',
    '-1',
    '.inf',
    '0x1F',
    '1e3',
    '+.5',
    '0o17',
    '.NaN',
    '1.2.3',
    '2023/05/08',
    '08.05.2023',
    '1_000',
    '-',
    '+1x',
    '"a: b"',
    "'it''s'",
    '"esc\\"q"',
    'a # comment',
    '&anchor x',
    '*alias',
    '!!str 5',
    '|',
    '>-',
    'key: value',
    '""',
    "''",
    'yes',
    'no',
  ),
);
const flowItem = fc.oneof(
  word.filter((w) => !/[,:]/.test(w)),
  word.map((w) => `"${w}"`),
  fc.constantFrom('true', '1', '[x]', ''),
);
const value = fc.oneof(
  { weight: 4, arbitrary: scalarText.map((s) => ` ${s}`) },
  { weight: 2, arbitrary: fc.array(flowItem, { maxLength: 4 }).map((xs) => ` [${xs.join(', ')}]`) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('', '  ', '    '), fc.array(scalarText, { minLength: 1, maxLength: 4 }))
      .map(([indent, xs]) => '\n' + xs.map((x) => `${indent}- ${x}`).join('\n')),
  },
  { weight: 1, arbitrary: fc.constant('') },
);
const key = fc.constantFrom('title', 'date', 'description', 'tags', 'image', 'draft', 'x-y', '_k', 'title');
const frontmatter = fc
  .tuple(fc.array(fc.tuple(key, value, fc.constantFrom('', '  ', '\n', '\n# note')), { maxLength: 7 }), fc.boolean())
  .map(([lines, crlf]) => {
    const body = lines.map(([k, v, after]) => `${k}:${v}${after}`).join('\n');
    const text = `---\n${body}\n---\nBody\n`;
    return crlf ? text.replace(/\n/g, '\r\n') : text;
  });

describe('fast YAML path', () => {
  it('gives exactly what the full yaml parser gives, whenever it accepts the input', () => {
    let accepted = 0;
    fc.assert(
      fc.property(frontmatter, (text) => {
        const fast = parseFrontmatter(text);
        const full = parseFrontmatter(text, { fastYaml: false });
        assert.deepStrictEqual(fast, full);
        const block = full.block!;
        if (parseSimpleYaml(text.slice(block.contentStart, block.contentEnd), block.contentStart)) accepted++;
      }),
      { numRuns: 3000, seed: 7 },
    );
    // The generator is built so that the fast path takes a good share of the cases.
    assert.ok(accepted > 600, `fast path accepted ${accepted} of 3000`);
  });

  it("accepts the sample posts' style and declines what it does not model", () => {
    assert.ok(parseSimpleYaml('date: 2023-06-02 10:15:00\ntitle: Training a GAN\ntags:\n  - gan\n  - machine-learning\ndraft: true\n', 0));
    for (const hard of [
      'weight: 3\n',
      'a: &x 1\n',
      'title: "esc\\n"\n',
      'nested:\n  k: v\n',
      'title: a # c\n',
      'text: |\n  line\n',
      'title: a\ntitle: b\n',
    ]) {
      assert.strictEqual(parseSimpleYaml(hard, 0), undefined, hard);
    }
  });
});
