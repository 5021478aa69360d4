import * as assert from 'assert';
import { BodyRenderer } from '../../../src/core/render/body';
import { createArticleMarkdown } from '../../../src/core/render/markdown';
import { sanitizeArticleHtml } from '../../../src/core/render/sanitize';
import type { ImagePolicy } from '../../../src/core/render/urlPolicy';

const images: ImagePolicy = { allowHttpsImages: false, resolveLocal: (p) => (p.includes('missing') ? undefined : `https://res.test/${p.replace(/^\//, '')}`) };

describe('BodyRenderer', () => {
  it('vets links and images of Markdown-only text like the sanitizer does', () => {
    const text = '[js](javascript:alert(1)) [web](https://example.org) [post](other.md) ![cat](img/cat.png "Cat") ![gone](img/missing.png) ![far](https://cdn.test/x.png)\n';
    const fast = new BodyRenderer(createArticleMarkdown()).render(text, images);
    const slow = sanitizeArticleHtml(createArticleMarkdown().render(text), images);
    assert.strictEqual(fast, slow);
    assert.ok(!fast.includes('javascript:'));
    assert.ok(fast.includes('<img src="https://res.test/img/cat.png" alt="cat" title="Cat" />'));
  });

  it('sanitizes every segment that holds raw HTML, wherever it is', () => {
    const text = '# Title\n\nPlain *prose*.\n\n<img src=x onerror=alert(1)>\n\nMore prose with <b onclick="x()">inline</b> HTML.\n\n<script>alert(1)</script>\n';
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
});
