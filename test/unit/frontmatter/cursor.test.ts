import * as assert from 'assert';
import { cursorContext, hoverTarget } from '../../../src/core/frontmatter/cursor';
import { parseFrontmatter } from '../../../src/core/frontmatter/parse';

/** Context at the `|` marker. */
function at(textWithCursor: string) {
  const offset = textWithCursor.indexOf('|');
  return cursorContext(textWithCursor.replace('|', ''), offset);
}

describe('cursorContext', () => {
  it('knows when a field name is being written', () => {
    assert.deepStrictEqual(at('---\nti|\n---\n'), { kind: 'key', prefixStart: 4, prefix: 'ti' });
    assert.deepStrictEqual(at('---\ntitle: x\n|\n---\n')?.kind, 'key');
    assert.deepStrictEqual(at('+++\n  da|\n+++\n'), { kind: 'key', prefixStart: 6, prefix: 'da' });
  });

  it('knows which field a value belongs to', () => {
    assert.deepStrictEqual(at('---\ndraft: t|\n---\n'), {
      kind: 'value',
      key: 'draft',
      inList: false,
      prefixStart: 11,
      prefix: 't',
      quote: '',
    });
    assert.deepStrictEqual(at('---\nimage: "/up|\n---\n'), {
      kind: 'value',
      key: 'image',
      inList: false,
      prefixStart: 12,
      prefix: '/up',
      quote: '"',
    });
  });

  it('knows a list item in block, flow and TOML lists', () => {
    assert.deepStrictEqual(at('---\ntags:\n  - a\n  - ma|\n---\n'), {
      kind: 'value',
      key: 'tags',
      inList: true,
      prefixStart: 20,
      prefix: 'ma',
      quote: '',
    });
    assert.deepStrictEqual(at('---\ntags: [a, g|\n---\n'), {
      kind: 'value',
      key: 'tags',
      inList: true,
      prefixStart: 14,
      prefix: 'g',
      quote: '',
    });
    assert.deepStrictEqual(at('+++\ntags = ["a", "g|\n+++\n')?.prefix, 'g');
    assert.deepStrictEqual(at('+++\ntags = [\n  "a",\n  "g|\n]\n+++\n'), {
      kind: 'value',
      key: 'tags',
      inList: true,
      prefixStart: 23,
      prefix: 'g',
      quote: '"',
    });
  });

  it('is undefined outside the frontmatter and in JSON', () => {
    assert.strictEqual(at('---\ntitle: x\n---\nbody|'), undefined);
    assert.strictEqual(at('no frontmatter|'), undefined);
    assert.strictEqual(at('{\n  "ti|"\n}\n'), undefined);
  });
});

describe('hoverTarget', () => {
  it('finds the key or tag under the cursor', () => {
    const text = '---\ntitle: T\ntags: [gan, vae]\n---\n';
    const parsed = parseFrontmatter(text);
    const key = hoverTarget(parsed, text.indexOf('itle'));
    assert.strictEqual(key?.kind === 'key' && key.field.key, 'title');
    const tag = hoverTarget(parsed, text.indexOf('vae') + 1);
    assert.deepStrictEqual(tag?.kind === 'tag' && tag.tag, 'vae');
    assert.strictEqual(hoverTarget(parsed, text.indexOf(' T')), undefined);
  });
});
