import * as assert from 'assert';
import { parseFrontmatter } from '../../../src/core/frontmatter/parse';
import { setStringFieldEdit } from '../../../src/core/frontmatter/setField';
import { applyEdits } from '../../../src/core/tags/renameTag';

/** The text with `key` set to `value`, checked to read back as that value. */
function set(text: string, key: string, value: string): string {
  const edit = setStringFieldEdit(text, key, value);
  assert.ok(edit, 'an edit');
  const out = applyEdits(text, [edit]);
  const parsed = parseFrontmatter(out);
  assert.deepStrictEqual(parsed.errors, [], out);
  assert.strictEqual(parsed.data[key], value, out);
  return out;
}

describe('frontmatter: set a string field', () => {
  it('replaces a YAML value in place, keeping comments and key order', () => {
    assert.strictEqual(
      set('---\n# the post\ntitle: Old  # shown on the page\ndate: 2024-01-01\n---\nBody\n', 'title', 'New title'),
      '---\n# the post\ntitle: New title  # shown on the page\ndate: 2024-01-01\n---\nBody\n',
    );
  });

  it('quotes a YAML value that would not read back as the same text', () => {
    assert.strictEqual(set('---\ntitle: Old\n---\n', 'title', 'Hugo: a tour'), '---\ntitle: "Hugo: a tour"\n---\n');
    assert.strictEqual(set('---\ntitle: Old\n---\n', 'title', 'C# in a week'), '---\ntitle: C# in a week\n---\n');
    assert.strictEqual(set('---\ntitle: Old\n---\n', 'title', 'Tabs #1'), '---\ntitle: "Tabs #1"\n---\n');
    assert.strictEqual(set('---\ntitle: Old\n---\n', 'title', 'yes'), '---\ntitle: "yes"\n---\n');
    assert.strictEqual(set('---\ntitle: Old\n---\n', 'title', '"Quoted" words'), '---\ntitle: "\\"Quoted\\" words"\n---\n');
  });

  it("keeps a value's quote style", () => {
    assert.strictEqual(set("---\ntitle: 'Old'\n---\n", 'title', "It's new"), "---\ntitle: 'It''s new'\n---\n");
    assert.strictEqual(set('---\ntitle: "Old"\n---\n', 'title', 'New'), '---\ntitle: "New"\n---\n');
  });

  it('replaces a YAML block scalar and keeps the next key on its own line', () => {
    assert.strictEqual(
      set('---\ndescription: >-\n  Folded over\n  two lines\n# next\ndate: 2024-01-01\n---\n', 'description', 'One line'),
      '---\ndescription: One line\n# next\ndate: 2024-01-01\n---\n',
    );
  });

  it('fills an empty YAML value and adds a missing key at the top', () => {
    assert.strictEqual(set('---\ntitle:\ndate: 2024-01-01\n---\n', 'title', 'New'), '---\ntitle: New\ndate: 2024-01-01\n---\n');
    assert.strictEqual(set('---\ndate: 2024-01-01\n---\n', 'description', 'A: b'), '---\ndescription: "A: b"\ndate: 2024-01-01\n---\n');
  });

  it('writes TOML strings, keeping comments and tables', () => {
    assert.strictEqual(
      set("+++\ntitle = 'Old' # note\n[params]\nx = 1\n+++\n", 'title', 'New: "it"'),
      '+++\ntitle = \'New: "it"\' # note\n[params]\nx = 1\n+++\n',
    );
    assert.strictEqual(set('+++\ntitle = "Old"\n+++\n', 'title', "It's"), '+++\ntitle = "It\'s"\n+++\n');
    assert.strictEqual(
      set('+++\n# c\ndate = 2024-01-01\n[params]\nx = 1\n+++\n', 'title', 'A # b'),
      '+++\ntitle = "A # b"\n# c\ndate = 2024-01-01\n[params]\nx = 1\n+++\n',
    );
  });

  it('writes JSON strings, replacing or adding a member', () => {
    assert.strictEqual(
      set('{\n  "title": "Old",\n  "date": "2024"\n}\n', 'title', 'A "b"'),
      '{\n  "title": "A \\"b\\"",\n  "date": "2024"\n}\n',
    );
    assert.strictEqual(set('{\n  "date": "2024"\n}\n', 'title', 'New'), '{\n  "title": "New",\n  "date": "2024"\n}\n');
  });

  it('keeps CRLF line breaks', () => {
    assert.strictEqual(
      set('---\r\ndate: 2024-01-01\r\n---\r\nBody\r\n', 'title', 'New'),
      '---\r\ntitle: New\r\ndate: 2024-01-01\r\n---\r\nBody\r\n',
    );
  });

  it('gives a post without frontmatter one, and leaves a broken one alone', () => {
    assert.strictEqual(set('Body\n', 'title', 'New: post'), '---\ntitle: "New: post"\n---\n\nBody\n');
    assert.strictEqual(setStringFieldEdit('---\ntitle: [unclosed\n---\n', 'title', 'x'), undefined);
  });
});
