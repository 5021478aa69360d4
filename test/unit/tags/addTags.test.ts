import * as assert from 'assert';
import { parseFrontmatter } from '../../../src/core/frontmatter/parse';
import { addTagsEdits } from '../../../src/core/tags/addTags';
import { applyEdits } from '../../../src/core/tags/renameTag';

/** The text with `tags` merged in, checked to read back as `expected` tags. */
function add(text: string, tags: string[], expected: string[]): string {
  const r = addTagsEdits(text, tags);
  assert.ok(r, 'edits');
  const out = applyEdits(text, r.edits);
  const parsed = parseFrontmatter(out);
  assert.deepStrictEqual(parsed.errors, [], out);
  const value = parsed.data.tags;
  assert.deepStrictEqual(value, expected, out);
  return out;
}

describe('tags: add tags in the style the post uses', () => {
  it('appends YAML block items indented like the last one, after its comment', () => {
    assert.strictEqual(
      add(
        '---\ntags:\n  - gan  # the main one\n  - ml\ndate: 2024-01-01\n---\n',
        ['vae', 'GAN', 'deep learning'],
        ['gan', 'ml', 'vae', 'deep learning'],
      ),
      '---\ntags:\n  - gan  # the main one\n  - ml\n  - vae\n  - deep learning\ndate: 2024-01-01\n---\n',
    );
    assert.strictEqual(add('---\ntags:\n- "gan"\n---\n', ['vae'], ['gan', 'vae']), '---\ntags:\n- "gan"\n- "vae"\n---\n');
    assert.strictEqual(
      add('---\ntitle: x\ntags:\n  - gan\n---\n', ['yes'], ['gan', 'yes']),
      '---\ntitle: x\ntags:\n  - gan\n  - "yes"\n---\n',
    );
  });

  it('appends to YAML inline lists with their separator and quotes', () => {
    assert.strictEqual(
      add('---\ntags: [gan, ml] # topics\n---\n', ['vae'], ['gan', 'ml', 'vae']),
      '---\ntags: [gan, ml, vae] # topics\n---\n',
    );
    assert.strictEqual(
      add("---\ntags: ['gan']\n---\n", ['vae', "it's"], ['gan', 'vae', "it's"]),
      "---\ntags: ['gan', 'vae', 'it''s']\n---\n",
    );
    assert.strictEqual(add('---\ntags: []\n---\n', ['gan', 'a: b'], ['gan', 'a: b']), '---\ntags: [gan, "a: b"]\n---\n');
  });

  it('leaves out tags the post has in any case or spelling, and repeats among the new ones', () => {
    assert.strictEqual(
      add('---\ntags: [Machine Learning, gan]\n---\n', ['machine-learning', 'GAN', 'vae', 'VAE'], ['Machine Learning', 'gan', 'vae']),
      '---\ntags: [Machine Learning, gan, vae]\n---\n',
    );
    assert.deepStrictEqual(addTagsEdits('---\ntags: [gan]\n---\n', ['Gan']), { edits: [], added: [] });
  });

  it('turns a single tag into a list and adds a missing or empty field', () => {
    assert.strictEqual(add('---\ntags: gan\n---\n', ['vae'], ['gan', 'vae']), '---\ntags: [gan, vae]\n---\n');
    assert.strictEqual(add('---\ntags:\ndate: 2024-01-01\n---\n', ['vae'], ['vae']), '---\ntags: [vae]\ndate: 2024-01-01\n---\n');
    assert.strictEqual(add('---\ndate: 2024-01-01\n---\n', ['vae'], ['vae']), '---\ntags: [vae]\ndate: 2024-01-01\n---\n');
    assert.strictEqual(add('Body\n', ['vae'], ['vae']), '---\ntags: [vae]\n---\n\nBody\n');
  });

  it('appends to TOML arrays, keeping their quotes', () => {
    assert.strictEqual(add('+++\ntags = ["gan", "ml"]\n+++\n', ['vae'], ['gan', 'ml', 'vae']), '+++\ntags = ["gan", "ml", "vae"]\n+++\n');
    assert.strictEqual(add("+++\ntags = ['gan']\n+++\n", ['vae'], ['gan', 'vae']), "+++\ntags = ['gan', 'vae']\n+++\n");
    assert.strictEqual(add('+++\ntitle = "x"\n+++\n', ['vae'], ['vae']), '+++\ntags = ["vae"]\ntitle = "x"\n+++\n');
  });

  it('appends to JSON arrays, one a line when the array has one a line', () => {
    assert.strictEqual(
      add('{\n  "tags": [\n    "gan",\n    "ml"\n  ]\n}\n', ['vae', 'deep learning'], ['gan', 'ml', 'vae', 'deep learning']),
      '{\n  "tags": [\n    "gan",\n    "ml",\n    "vae",\n    "deep learning"\n  ]\n}\n',
    );
    assert.strictEqual(add('{\n  "tags": ["gan"]\n}\n', ['vae'], ['gan', 'vae']), '{\n  "tags": ["gan", "vae"]\n}\n');
    assert.strictEqual(
      add('{\n  "tags": [\n    "gan"\n  ]\n}\n', ['vae'], ['gan', 'vae']),
      '{\n  "tags": [\n    "gan",\n    "vae"\n  ]\n}\n',
    );
    assert.strictEqual(add('{\n  "title": "x"\n}\n', ['vae'], ['vae']), '{\n  "tags": ["vae"],\n  "title": "x"\n}\n');
  });

  it('keeps CRLF line breaks and leaves broken frontmatter alone', () => {
    assert.strictEqual(add('---\r\ntags:\r\n  - gan\r\n---\r\n', ['vae'], ['gan', 'vae']), '---\r\ntags:\r\n  - gan\r\n  - vae\r\n---\r\n');
    assert.strictEqual(addTagsEdits('---\ntags: [gan\n---\n', ['vae']), undefined);
  });
});
