import * as assert from 'assert';
import { parseFrontmatter } from '../../../src/core/frontmatter/parse';
import { applyEdits, renameTagEdits } from '../../../src/core/tags/renameTag';

function rename(text: string, from: string | string[], to: string): string {
  const r = renameTagEdits(text, Array.isArray(from) ? from : [from], to);
  return applyEdits(text, r.edits);
}

describe('tags: rename and merge across frontmatter languages', () => {
  it('renames in a YAML inline list, keeping quotes and spacing', () => {
    assert.strictEqual(
      rename('---\ntitle: x\ntags: [ml,  "gan", \'vae\']\n---\nBody ml\n', 'ml', 'machine-learning'),
      '---\ntitle: x\ntags: [machine-learning,  "gan", \'vae\']\n---\nBody ml\n',
    );
    assert.strictEqual(rename('---\ntags: [ml,  "gan"]\n---\n', 'gan', 'GANs'), '---\ntags: [ml,  "GANs"]\n---\n');
    assert.strictEqual(rename("---\ntags: [ml, 'vae']\n---\n", 'vae', "it's"), "---\ntags: [ml, 'it''s']\n---\n");
  });

  it('renames in a YAML block list and quotes a name YAML would not read back as text', () => {
    const text = '---\ntitle: x\ntags:\n  - ml   # a comment\n  - gan\ndate: 2023-05-08\n---\n';
    assert.strictEqual(rename(text, 'ml', 'deep learning'), text.replace('- ml', '- deep learning'));
    assert.strictEqual(rename(text, 'ml', 'true'), text.replace('- ml', '- "true"'));
    assert.strictEqual(rename(text, 'ml', 'a: b'), text.replace('- ml', '- "a: b"'));
  });

  it('renames in TOML and JSON frontmatter', () => {
    const toml = '+++\ntitle = "x"\ntags = ["ml", \'gan\']\n+++\n';
    assert.strictEqual(rename(toml, 'ml', 'ML'), toml.replace('"ml"', '"ML"'));
    assert.strictEqual(rename(toml, 'gan', 'GAN'), toml.replace("'gan'", "'GAN'"));
    const json = '{\n  "title": "x",\n  "tags": ["ml", "gan"]\n}\nBody\n';
    assert.strictEqual(rename(json, 'gan', 'g "a" n'), json.replace('"gan"', '"g \\"a\\" n"'));
  });

  it('renames a single string value (Eleventy, Jekyll)', () => {
    assert.strictEqual(rename('---\ntags: posts\n---\n', 'posts', 'blog'), '---\ntags: blog\n---\n');
  });

  it('merges: a post that already has the new name loses the old one, inline and block', () => {
    assert.strictEqual(
      rename('---\ntags: [a, ml, b, ML]\n---\n', 'ml', 'ML'),
      '---\ntags: [a, ML, b]\n---\n',
      'the first occurrence keeps its place',
    );
    assert.strictEqual(rename('---\ntags: [a, ML, ml]\n---\n', 'ml', 'ML'), '---\ntags: [a, ML]\n---\n');
    assert.strictEqual(rename('---\ntags: [ml, gan]\n---\n', ['ml', 'gan'], 'ai'), '---\ntags: [ai]\n---\n');
    assert.strictEqual(rename('---\ntags: [x, ml, gan]\n---\n', ['ml', 'gan'], 'ai'), '---\ntags: [x, ai]\n---\n');
    const block = '---\ntags:\n  - ml\n  - gan\n  - x\ntitle: t\n---\n';
    assert.strictEqual(rename(block, ['ml', 'gan'], 'ai'), '---\ntags:\n  - ai\n  - x\ntitle: t\n---\n');
    const toml = '+++\ntags = ["ML", "ml"]\n+++\n';
    assert.strictEqual(rename(toml, 'ml', 'ML'), '+++\ntags = ["ML"]\n+++\n');
  });

  it('leaves posts without the tag, broken frontmatter and exact-spelling mismatches alone', () => {
    assert.deepStrictEqual(renameTagEdits('---\ntags: [a]\n---\n', ['b'], 'c').edits, []);
    assert.deepStrictEqual(renameTagEdits('---\ntags: [a\n---\n', ['a'], 'c').edits, []);
    assert.deepStrictEqual(renameTagEdits('---\ntags: [ML]\n---\n', ['ml'], 'c').edits, []);
  });

  it('every result parses back with the new tags', () => {
    const cases: Array<[string, string[], string, string[]]> = [
      ['---\ntags: [a, b]\n---\n', ['a'], '#hash', ['#hash', 'b']],
      ['---\ntags:\n- a\n- b\n---\n', ['b'], 'x, y', ['a', 'x, y']],
      ['---\ntags: [a, b]\n---\n', ['a'], '2023-05-08', ['2023-05-08', 'b']],
    ];
    for (const [text, from, to, want] of cases) {
      assert.deepStrictEqual(parseFrontmatter(rename(text, from, to)).data.tags, want, `${text} -> ${to}`);
    }
  });
});
