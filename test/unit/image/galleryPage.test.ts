import * as assert from 'assert';
import { buildGalleryHtml, galleryCsp } from '../../../src/features/imageGalleryProtocol';

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
    assert.throws(() => buildGalleryHtml({ cspSource: '', nonce: 'short', scriptUri: '', styleUri: '', title: '', subtitle: '', alt: '', canVary: false, upscale: 'smooth' }), /nonce/);
  });
});
