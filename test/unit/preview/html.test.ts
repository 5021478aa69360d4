import * as assert from 'assert';
import { buildPreviewHtml, previewCsp } from '../../../src/preview/html';
import { isWebviewToHost } from '../../../src/preview/previewMessages';
import { makeNonce } from '../../../src/util/nonce';

const base = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/webview/preview.js',
  styleUris: ['https://file+.vscode-resource.vscode-cdn.net/ext/media/preview.css'],
  allowHttpsImages: false,
  title: 'T',
  headerHtml: '<header></header>',
  bodyHtml: '<p>x</p>',
  kind: 'article' as const,
};

describe('preview page', () => {
  it('locks the page down: nothing by default, scripts only with the nonce', () => {
    const csp = previewCsp(base.cspSource, 'abcdefghijklmnopqrst', false);
    assert.ok(csp.startsWith("default-src 'none'"));
    assert.ok(csp.includes("script-src 'nonce-abcdefghijklmnopqrst'"));
    assert.ok(csp.includes(`img-src ${base.cspSource} data:;`));
    assert.ok(csp.includes(`style-src ${base.cspSource};`));
    assert.ok(!/unsafe-(eval|inline)/.test(csp));
    assert.ok(previewCsp(base.cspSource, 'abcdefghijklmnopqrst', true).includes(`img-src ${base.cspSource} data: https:;`));
  });

  it('puts a fresh nonce on its one script and state in escaped data attributes', () => {
    const nonce = makeNonce();
    const html = buildPreviewHtml({ ...base, nonce, state: { uri: 'file:///a "b" <c>.md', version: 3, locked: false, line: undefined } });
    assert.strictEqual(html.match(/<script\b/g)?.length, 1);
    assert.ok(html.includes(`<script nonce="${nonce}" src="${base.scriptUri}"></script>`));
    assert.ok(html.includes('data-uri="file:///a &quot;b&quot; &lt;c&gt;.md"'));
    assert.ok(html.includes('data-version="3"'));
    assert.ok(!html.includes('data-line'), 'undefined state is left out');
    assert.notStrictEqual(makeNonce(), nonce);
  });

  it('refuses a weak nonce', () => {
    assert.throws(() => buildPreviewHtml({ ...base, nonce: 'short', state: {} }), /nonce/);
  });
});

describe('webview messages', () => {
  it('accepts well-formed messages and rejects anything else', () => {
    assert.ok(isWebviewToHost({ type: 'revealLine', line: 4 }));
    assert.ok(isWebviewToHost({ type: 'rendered', uri: 'file:///a.md', version: 1, text: '', title: '', tags: [] }));
    assert.ok(!isWebviewToHost({ type: 'revealLine', line: 'x' }));
    assert.ok(!isWebviewToHost({ type: 'revealLine', line: Infinity }));
    assert.ok(!isWebviewToHost({ type: 'runCommand', command: 'workbench.action.quit' }));
    assert.ok(!isWebviewToHost(null));
  });
});
