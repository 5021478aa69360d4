import * as assert from 'assert';
import { buildGalleryHtml, galleryCsp, isGalleryWebviewMessage, MAX_ALT_LENGTH } from '../../../src/preview/galleryPage';

describe('image gallery page', () => {
  const page = buildGalleryHtml({
    cspSource: 'vscode-resource:',
    nonce: 'abcdefghijklmnopqrstuv',
    scriptUri: 'vscode-resource:/media/webview/gallery.js',
    styleUri: 'vscode-resource:/media/gallery.css',
    title: 'Images for <script>alert(1)</script>.md',
    subtitle: 'x',
    alt: 'A "quoted" alt',
    canVary: true,
    upscale: 'nearest',
  });

  it('locks the page down: nothing by default, images only as data: URLs, nonce-only scripts', () => {
    const csp = galleryCsp('vscode-resource:', 'abcdefghijklmnopqrstuv');
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /img-src data:;/);
    assert.match(csp, /script-src 'nonce-abcdefghijklmnopqrstuv'/);
    assert.doesNotMatch(csp, /unsafe|https:|\*/);
    assert.ok(page.includes(`content="${csp.replace(/'/g, '&#39;')}"`), 'the policy is in the page');
  });

  it('escapes text and has exactly one script, carrying the nonce', () => {
    assert.ok(!page.includes('<script>alert(1)'), 'the title is escaped');
    assert.ok(page.includes('value="A &quot;quoted&quot; alt"'));
    const scripts = page.match(/<script\b[^>]*>/g) ?? [];
    assert.deepStrictEqual(scripts, ['<script nonce="abcdefghijklmnopqrstuv" src="vscode-resource:/media/webview/gallery.js">']);
  });

  it('refuses a weak nonce', () => {
    assert.throws(
      () =>
        buildGalleryHtml({
          cspSource: '',
          nonce: 'short',
          scriptUri: '',
          styleUri: '',
          title: '',
          subtitle: '',
          alt: '',
          canVary: false,
          upscale: 'smooth',
        }),
      /nonce/,
    );
  });
});

describe('image gallery messages', () => {
  it('accepts what the gallery page sends', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'more' },
      { type: 'vary', id: 3 },
      { type: 'use', id: 1, alt: '' },
      { type: 'use', id: 10, alt: 'A cat', hero: false },
      { type: 'use', id: 2, alt: 'x'.repeat(MAX_ALT_LENGTH), hero: true },
    ]) {
      assert.ok(isGalleryWebviewMessage(m), JSON.stringify(m));
    }
  });

  it('rejects unknown types, wrong field types and ids or alt text out of range', () => {
    for (const m of [
      null,
      undefined,
      'more',
      42,
      [],
      {},
      { type: 'saveAs', path: '/etc/passwd' },
      { type: 'vary' },
      { type: 'vary', id: '2' },
      { type: 'vary', id: 0 },
      { type: 'vary', id: -1 },
      { type: 'vary', id: 1.5 },
      { type: 'vary', id: Number.NaN },
      { type: 'vary', id: Number.MAX_SAFE_INTEGER + 1 },
      { type: 'use', id: 1 },
      { type: 'use', alt: 'no id' },
      { type: 'use', id: 1, alt: 7 },
      { type: 'use', id: 1, alt: 'x'.repeat(MAX_ALT_LENGTH + 1) },
      { type: 'use', id: 1, alt: 'a', hero: 'yes' },
      { type: 'use', id: 1, alt: 'a', hero: null },
    ]) {
      assert.ok(!isGalleryWebviewMessage(m), JSON.stringify(m) ?? String(m));
    }
  });

  it('caps the alt text field at the length the extension accepts', () => {
    const page = buildGalleryHtml({
      cspSource: 'vscode-resource:',
      nonce: 'abcdefghijklmnopqrstuv',
      scriptUri: 's',
      styleUri: 'c',
      title: 't',
      subtitle: 's',
      alt: 'a',
      canVary: true,
      upscale: 'smooth',
    });
    assert.match(page, new RegExp(`<input id="alt" type="text" maxlength="${MAX_ALT_LENGTH}"`));
  });
});
