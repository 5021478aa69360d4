import * as assert from 'assert';
import { altFromContext, frontmatterEnd, inFrontmatter, replaceFrontmatterImage } from '../../../src/core/imageInsertion';

const POST =
  '---\ntitle: GANs\nimage: /uploads/old.png # hero\n---\nGANs learn to draw by competing. The generator fakes, the discriminator judges.\n\n```js\ncode();\n```\n';

describe('image insertion: hero or inline, and alt text', () => {
  it('knows where the frontmatter ends', () => {
    assert.strictEqual(frontmatterEnd(POST), POST.indexOf('GANs learn'));
    assert.ok(inFrontmatter(POST, 5));
    assert.ok(!inFrontmatter(POST, POST.indexOf('GANs learn')));
    assert.strictEqual(frontmatterEnd('No frontmatter\n'), undefined);
    assert.strictEqual(frontmatterEnd('+++\ntitle = "x"\n---\n'), undefined, 'fences must match');
  });

  it('replaces a hero image that is already set, keeping a comment, in YAML and TOML', () => {
    const e = replaceFrontmatterImage(POST, 'images/new.png')!;
    assert.strictEqual(POST.slice(0, e.start) + e.newText + POST.slice(e.end), POST.replace('/uploads/old.png', 'images/new.png'));
    const toml = '+++\ntitle = "x"\nimage = "a.png"\n+++\nBody\n';
    const t = replaceFrontmatterImage(toml, 'images/b c.png')!;
    assert.strictEqual(toml.slice(0, t.start) + t.newText + toml.slice(t.end), toml.replace('"a.png"', '"images/b c.png"'));
    assert.strictEqual(replaceFrontmatterImage('---\ntitle: x\n---\n', 'a.png'), undefined);
  });

  it('takes the alt text from the first sentence of the paragraph at or before the cursor', () => {
    assert.strictEqual(altFromContext(POST, POST.indexOf('The generator')), 'GANs learn to draw by competing');
    assert.strictEqual(altFromContext(POST, POST.indexOf('```js') - 1), 'GANs learn to draw by competing', 'on the blank line after it');
    assert.strictEqual(altFromContext(POST, 5), undefined, 'not in the frontmatter');
    assert.strictEqual(altFromContext('---\ntitle: x\n---\n', 16), undefined, 'no prose');
    assert.strictEqual(altFromContext('A **bold** [link](x.md) here.\n', 0), 'A bold link here');
    const long = `${'word '.repeat(60)}end.`;
    const alt = altFromContext(long, 0)!;
    assert.ok(alt.length <= 126 && alt.endsWith('…'), alt);
  });
});
