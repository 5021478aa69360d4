import * as assert from 'assert';
import { BodyRenderer } from '../../../src/core/render/body';
import { createArticleMarkdown } from '../../../src/core/render/markdown';
import { sanitizeArticleHtml } from '../../../src/core/render/sanitize';
import type { ImagePolicy } from '../../../src/core/render/urlPolicy';

const images: ImagePolicy = {
  allowHttpsImages: false,
  resolveLocal: (p) => (p.includes('missing') ? undefined : `https://res.test/${p.replace(/^\//, '')}`),
};

describe('BodyRenderer', () => {
  it('vets links and images of Markdown-only text like the sanitizer does', () => {
    const text =
      '[js](javascript:alert(1)) [web](https://example.org) [post](other.md) ![cat](img/cat.png "Cat") ![gone](img/missing.png) ![far](https://cdn.test/x.png)\n';
    const fast = new BodyRenderer(createArticleMarkdown()).render(text, images);
    const slow = sanitizeArticleHtml(createArticleMarkdown().render(text), images);
    assert.strictEqual(fast, slow);
    assert.ok(!fast.includes('javascript:'));
    assert.ok(fast.includes('<img src="https://res.test/img/cat.png" alt="cat" title="Cat" />'));
  });

  it('sanitizes every segment that holds raw HTML, wherever it is', () => {
    const text =
      '# Title\n\nPlain *prose*.\n\n<img src=x onerror=alert(1)>\n\nMore prose with <b onclick="x()">inline</b> HTML.\n\n<script>alert(1)</script>\n';
    const out = new BodyRenderer(createArticleMarkdown()).render(text, images);
    assert.ok(!/onerror|onclick|<script/.test(out), out);
    assert.ok(out.includes('<h1 data-line="0">Title</h1>'));
    assert.ok(out.includes('<b>inline</b>'));
  });

  it('keeps an element that wraps Markdown in one piece', () => {
    const text = '<details>\n<summary>More</summary>\n\n- one\n- two\n\n</details>\n\nAfter.\n';
    const out = new BodyRenderer(createArticleMarkdown()).render(text, images);
    assert.match(out, /<details>\s*<summary>More<\/summary>\s*<ul data-line="3">[\s\S]*<\/ul>\s*<\/details>/);
    assert.ok(out.indexOf('</details>') < out.indexOf('After.'));
  });

  it('gives the same output from its cache after an edit elsewhere', () => {
    const renderer = new BodyRenderer(createArticleMarkdown());
    const text = '<div><p>Raw <i>block</i></p></div>\n\nProse.\n';
    const first = renderer.render(text, images);
    const edited = renderer.render(text + '\nMore prose.\n', images);
    assert.ok(edited.startsWith(first.slice(0, first.indexOf('Prose.'))));
    assert.strictEqual(renderer.render(text, images), first);
  });

  describe('the sanitized-segment cache', () => {
    const html = '<figure><img src="pic.png" alt="Pic"><figcaption>Raw HTML</figcaption></figure>\n';
    /** A post's policy: its folder and the files in it, as the preview builds it. */
    const postPolicy = (folder: string, files: Set<string>, allowHttpsImages = false): ImagePolicy => ({
      allowHttpsImages,
      resolveLocal: (p) => (files.has(`${folder}/${p}`) ? `https://res.test/${folder}/${p}` : undefined),
    });

    it("does not show one post's image in another post with the same HTML", () => {
      const renderer = new BodyRenderer(createArticleMarkdown());
      const files = new Set(['a/pic.png']);
      const a = renderer.render(html, postPolicy('a', files));
      assert.ok(a.includes('<img src="https://res.test/a/pic.png"'), a);
      const b = renderer.render(html, postPolicy('b', files));
      assert.ok(!b.includes('res.test/a/pic.png'), b);
      assert.ok(b.includes('(Image not found: pic.png)'), b);
    });

    it('shows an image added after the first render', () => {
      const renderer = new BodyRenderer(createArticleMarkdown());
      const files = new Set<string>();
      assert.ok(renderer.render(html, postPolicy('a', files)).includes('(Image not found: pic.png)'));
      files.add('a/pic.png');
      const after = renderer.render(html + '\nAn edit elsewhere.\n', postPolicy('a', files));
      assert.ok(after.includes('<img src="https://res.test/a/pic.png"'), after);
    });

    it('drops a remote image once https images are turned off', () => {
      const renderer = new BodyRenderer(createArticleMarkdown());
      const remote = '<p><img src="https://cdn.test/x.png" alt="X"></p>\n';
      assert.ok(renderer.render(remote, postPolicy('a', new Set(), true)).includes('<img src="https://cdn.test/x.png"'));
      const off = renderer.render(remote, postPolicy('a', new Set(), false));
      assert.ok(!off.includes('<img'), off);
      assert.ok(off.includes('Remote image not loaded (enable inkwell.preview.allowHttpsImages)'), off);
    });
  });
});
