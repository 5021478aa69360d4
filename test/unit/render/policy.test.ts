import * as assert from 'assert';
import fc from 'fast-check';
import { sanitizeArticleHtml } from '../../../src/core/render/sanitize';
import { buildTagTree, TagTreePost } from '../../../src/core/render/tagTree';
import { renderTagPage } from '../../../src/core/render/tagPage';
import { classifyLink, ImagePolicy, resolveImageSource, schemeOf } from '../../../src/core/render/urlPolicy';

const local: ImagePolicy = {
  allowHttpsImages: false,
  resolveLocal: (p) =>
    p.endsWith('.png') && !p.includes('missing') ? `https://res.test${p.startsWith('/') ? p : '/post/' + p}` : undefined,
};

describe('URL policy', () => {
  it('sees the scheme the way a browser does', () => {
    assert.strictEqual(schemeOf('java\tscript:x'), 'javascript');
    assert.strictEqual(schemeOf(' \u0001JaVaScRiPt:x'), 'javascript');
    assert.strictEqual(schemeOf('//evil.test/x'), '//');
    assert.strictEqual(schemeOf('/\\evil.test/x'), '//');
    assert.strictEqual(schemeOf('images/a.png'), undefined);
  });

  it('resolves local images and blocks remote and scripted ones', () => {
    assert.deepStrictEqual(resolveImageSource('/uploads/a%20b.png?x=1#y', local), { kind: 'ok', src: 'https://res.test/uploads/a b.png' });
    assert.deepStrictEqual(resolveImageSource('img/a.png', local), { kind: 'ok', src: 'https://res.test/post/img/a.png' });
    assert.deepStrictEqual(resolveImageSource('img/missing.png', local), { kind: 'missing', path: 'img/missing.png' });
    assert.strictEqual(resolveImageSource('https://cdn.test/a.png', local).kind, 'blocked');
    assert.strictEqual(resolveImageSource('https://cdn.test/a.png', { ...local, allowHttpsImages: true }).kind, 'ok');
    assert.strictEqual(resolveImageSource('http://cdn.test/a.png', { ...local, allowHttpsImages: true }).kind, 'blocked');
    assert.strictEqual(resolveImageSource('javascript:alert(1)', local).kind, 'blocked');
    assert.strictEqual(resolveImageSource('data:image/svg+xml,<svg onload=alert(1)>', local).kind, 'blocked');
    assert.strictEqual(resolveImageSource('data:image/png;base64,iVBORw0KGgo=', local).kind, 'ok');
  });

  it('keeps only safe link targets', () => {
    assert.deepStrictEqual(classifyLink('other.md#part'), { kind: 'local', path: 'other.md', fragment: 'part' });
    assert.deepStrictEqual(classifyLink('#top'), { kind: 'anchor', id: 'top' });
    assert.strictEqual(classifyLink('https://example.org').kind, 'external');
    assert.strictEqual(classifyLink('mailto:a@b.c').kind, 'external');
    for (const bad of [
      'javascript:x',
      'vbscript:x',
      'data:text/html,x',
      'file:///etc/passwd',
      'command:workbench.action.quit',
      '//evil.test',
      ' jav\nascript:x',
    ]) {
      assert.strictEqual(classifyLink(bad).kind, 'blocked', bad);
    }
  });
});

describe('sanitizeArticleHtml', () => {
  const clean = (html: string) => sanitizeArticleHtml(html, local);

  it('removes scripts, frames, forms, styles and event handlers but keeps prose', () => {
    const out = clean(
      '<p onclick="x()" style="color:red" id="a" class="b">Hi <b>there</b></p><script>x()</script><iframe src="x"></iframe><form action="y"><input></form><style>p{}</style><link rel=stylesheet href=x><meta http-equiv="refresh" content="0"><base href="x"><object data="x"></object><embed src="x">',
    );
    assert.strictEqual(out, '<p>Hi <b>there</b></p>');
  });

  it('keeps data-line, language classes, tables and details', () => {
    const html =
      '<h2 data-line="4">T</h2><pre><code class="language-ts evil">x</code></pre><table><tr><td colspan="2">c</td></tr></table><details open><summary>s</summary>d</details>';
    assert.strictEqual(
      clean(html),
      '<h2 data-line="4">T</h2><pre><code class="language-ts">x</code></pre><table><tr><td colspan="2">c</td></tr></table><details open><summary>s</summary>d</details>',
    );
  });

  it('turns unloadable images into visible notes', () => {
    assert.strictEqual(
      clean('<img src="/u/missing.png" alt="cat">'),
      '<span class="inkwell-image-missing" role="img" title="Image not found: /u/missing.png">cat (Image not found: /u/missing.png)</span>',
    );
    assert.strictEqual(clean('<img src="a.png" alt="ok" onerror="x()">'), '<img src="https://res.test/post/a.png" alt="ok" />');
  });

  it('never lets a dangerous attribute or URL through, whatever the input', () => {
    const fragments = fc.constantFrom(
      '<a href="',
      '<img src="',
      '" onerror="x()" ',
      '<svg onload=x()>',
      'javascript:',
      'java&#x09;script:',
      '<script>',
      '</script>',
      '<style>',
      '<iframe ',
      'srcdoc=',
      '"',
      "'",
      '>',
      '<',
      'data:text/html,',
      'text ',
      '<!--',
      '-->',
      '<math><mtext>',
      '<noscript>',
      'style="',
      'expression(',
      '/uploads/a.png',
      '<a href="//evil.test">',
    );
    const safeTags = new Set(['a', 'b', 'p', 'span', 'img', 'code', 'pre', 'div']);
    const safeAttrs = new Set(['href', 'src', 'alt', 'title', 'class', 'role', 'rel', 'data-line']);
    fc.assert(
      fc.property(fc.array(fragments, { maxLength: 25 }), (parts) => {
        const out = clean(parts.join(''));
        // sanitize-html escapes text, so every '<' left opens or closes a real element.
        for (const tag of out.match(/<[^>]*>/g) ?? []) {
          const m = /^<\/?([a-z0-9]+)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*\/?>$/.exec(tag);
          assert.ok(m, `unexpected markup ${tag} in ${out}`);
          assert.ok(safeTags.has(m[1]), `tag ${m[1]} in ${out}`);
          for (const [, name, value] of m[2].matchAll(/\s+([a-z-]+)(?:="([^"]*)")?/g)) {
            assert.ok(safeAttrs.has(name), `attribute ${name} in ${out}`);
            if (name === 'href' || name === 'src')
              assert.ok(!/^\s*(javascript|data:text|\/\/|java&)/i.test(value ?? ''), `${name}=${value} in ${out}`);
          }
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});

describe('tag tree', () => {
  const post = (id: string, tags: string[], date?: string, title = id): TagTreePost => ({
    id,
    title,
    tags,
    date,
    time: date ? Date.parse(date) : undefined,
  });
  const posts = [
    post('a', ['gan', 'ml'], '2023-06-02'),
    post('b', ['ml', 'ml'], '2023-08-04'),
    post('c', ['ML', 'vae'], '2023-06-20'),
    post('d', ['ml']),
    post('e', ['tag10']),
    post('f', ['tag9']),
  ];

  it('groups by exact tag, sorts tags by name and posts newest first', () => {
    const tree = buildTagTree(posts);
    assert.deepStrictEqual(
      tree.map((g) => g.tag),
      ['gan', 'ML', 'ml', 'tag9', 'tag10', 'vae'],
    );
    assert.deepStrictEqual(
      tree.find((g) => g.tag === 'ml')!.posts.map((p) => p.id),
      ['b', 'a', 'd'],
    );
  });

  it('filters tags by a case-insensitive substring', () => {
    assert.deepStrictEqual(
      buildTagTree(posts, ' Ta ').map((g) => g.tag),
      ['tag9', 'tag10'],
    );
    assert.deepStrictEqual(buildTagTree(posts, 'nothing'), []);
  });

  it('renders tag page cards with escaped fields, newest first', () => {
    const html = renderTagPage(
      'ml',
      buildTagTree([...posts, { ...post('x', ['ml'], '2024-01-01', '<i>x</i>'), description: 'd"' }]).find((g) => g.tag === 'ml')!.posts,
      {
        locale: 'en-US',
        image: () => undefined,
      },
    );
    assert.ok(html.includes('4 posts'));
    assert.ok(html.indexOf('&lt;i&gt;x&lt;/i&gt;') < html.indexOf('data-open="b"'));
    assert.ok(html.includes('<time datetime="2024-01-01">January 1, 2024</time>'));
    assert.ok(html.includes('d&quot;'));
  });
});
