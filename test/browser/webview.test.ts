/**
 * The preview's webview script in real Chromium, on a page from the real builder
 * with the real CSP: update ordering, body-only updates, scroll sync both ways
 * and clicks turned into messages.
 *
 * Run: npx mocha --no-config --require tsx/cjs --timeout 60000 test/browser/webview.test.ts
 */
import * as assert from 'assert';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildPreviewHtml } from '../../src/preview/html';
import type { HostToWebview, WebviewToHost } from '../../src/preview/previewMessages';
import { makeNonce } from '../../src/util/nonce';
import { waitFor } from '../support/waitFor';
import { bundleWebviewScript, installHostApi, launchChromium, ORIGIN, servePreviewPage } from './harness';

const HEADER =
  '<header class="inkwell-header" data-line="0"><h1 class="inkwell-title">First Title</h1><ul class="inkwell-tags"><li><a class="inkwell-tag" href="#" data-tag="gan">gan</a></li></ul></header>';
/** 120 paragraphs, one every other editor line from line 10. */
const LONG_BODY =
  Array.from({ length: 120 }, (_, i) => `<p data-line="${10 + 2 * i}">Paragraph ${i} ${'words '.repeat(30)}</p>`).join('\n') +
  '<p><a href="other-post.md">another post</a> <a href="https://example.org/">the web</a></p>';

describe('preview webview script (real Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let script: string;
  let context: BrowserContext;
  let page: Page;
  let messages: WebviewToHost[];

  before(async () => {
    script = await bundleWebviewScript();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  /** Opens the test page; `state` as the host writes it (the integration tests' hosts ask for the text). */
  async function openPage(state: Record<string, string | number | boolean | undefined>): Promise<void> {
    messages = [];
    context = await browser.newContext({ viewport: { width: 800, height: 600 } });
    await installHostApi(context, messages);
    const html = buildPreviewHtml({
      cspSource: ORIGIN,
      nonce: makeNonce(),
      scriptUri: `${ORIGIN}/preview.js`,
      styleUris: [`${ORIGIN}/preview.css`],
      allowHttpsImages: false,
      title: 'First Title',
      headerHtml: HEADER,
      bodyHtml: LONG_BODY,
      kind: 'article',
      state,
    });
    await servePreviewPage(context, html, script);
    page = await context.newPage();
    await page.goto(`${ORIGIN}/index.html`);
    await waitForMessage((m) => m.type === 'rendered' && m.version === 1);
  }

  beforeEach(() => openPage({ uri: 'file:///a.md', version: 1, reporttext: true }));
  afterEach(async () => {
    await context?.close();
  });

  /** Waits until the page has posted a message matching `match`. */
  async function waitForMessage(match: (m: WebviewToHost) => boolean, what = 'a message'): Promise<WebviewToHost> {
    return waitFor(() => messages.find(match), what).catch((err: Error) => {
      throw new Error(`${err.message}; got ${JSON.stringify(messages.map((m) => m.type))}`);
    });
  }

  const post = (message: HostToWebview) => page.evaluate((m) => window.postMessage(m, '*'), message);
  const rendered = () => messages.filter((m): m is Extract<WebviewToHost, { type: 'rendered' }> => m.type === 'rendered');

  it('applies updates newest-first and drops a stale one', async () => {
    await post({ type: 'update', version: 3, uri: 'file:///a.md', bodyHtml: '<p>three</p>' });
    await post({ type: 'update', version: 2, uri: 'file:///a.md', bodyHtml: '<p>two</p>' });
    await post({ type: 'update', version: 4, uri: 'file:///a.md', bodyHtml: '<p>four</p>' });
    await waitForMessage((m) => m.type === 'rendered' && m.version === 4, 'version 4');
    assert.deepStrictEqual(
      rendered().map((m) => m.version),
      [1, 3, 4],
    );
    assert.ok(rendered()[2].text.includes('four'));
    assert.ok(!rendered().some((m) => m.text.includes('two')));
  });

  it('reports its first render as loaded (updates wait for it), and the text only when built to', async () => {
    const first = rendered()[0];
    assert.deepStrictEqual([first.version, first.loaded, first.title], [1, true, 'First Title']);
    assert.ok(first.text.includes('Paragraph 0'), 'a page built to report it sends its text');
    await post({ type: 'update', version: 2, uri: 'file:///a.md', bodyHtml: '<p>two</p>' });
    await waitForMessage((m) => m.type === 'rendered' && m.version === 2);
    assert.strictEqual(rendered()[1].loaded, false, 'only the first report says the page loaded');
    // As in the window: no text (reading innerText costs the page a layout), the rest as before.
    await context.close();
    await openPage({ uri: 'file:///a.md', version: 1 });
    const plain = rendered()[0];
    assert.deepStrictEqual([plain.loaded, plain.text, plain.title, plain.tags], [true, '', 'First Title', ['gan']]);
  });

  it('keeps the header on a body-only update and replaces it when sent', async () => {
    await post({ type: 'update', version: 2, uri: 'file:///a.md', bodyHtml: '<p>new body</p>' });
    const bodyOnly = await waitForMessage((m) => m.type === 'rendered' && m.version === 2);
    assert.strictEqual(bodyOnly.type === 'rendered' && bodyOnly.title, 'First Title');
    await post({
      type: 'update',
      version: 3,
      uri: 'file:///a.md',
      headerHtml: '<header><h1 class="inkwell-title">Second Title</h1></header>',
      bodyHtml: '<p>new body</p>',
    });
    const both = await waitForMessage((m) => m.type === 'rendered' && m.version === 3);
    assert.strictEqual(both.type === 'rendered' && both.title, 'Second Title');
  });

  it('scrolls to the editor line and reports the line at the top when the reader scrolls', async () => {
    await post({ type: 'scrollToLine', line: 110 });
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-line="110"]');
      return !!el && Math.abs(el.getBoundingClientRect().top) < 24;
    });
    assert.ok(!messages.some((m) => m.type === 'revealLine'), 'a scroll for the editor is not echoed back');
    await page.mouse.move(400, 300);
    await page.mouse.wheel(0, 900);
    const reveal = await waitForMessage((m) => m.type === 'revealLine', 'revealLine');
    assert.ok(reveal.type === 'revealLine' && reveal.line > 110, JSON.stringify(reveal));
  });

  it('turns clicks into messages and never navigates', async () => {
    await page.click('a.inkwell-tag');
    await page.click('text=another post');
    await page.click('text=the web');
    await waitForMessage((m) => m.type === 'openLink' && m.href === 'https://example.org/', 'the web link');
    assert.deepStrictEqual(
      messages.filter((m) => m.type !== 'rendered' && m.type !== 'revealLine'),
      [
        { type: 'previewTag', tag: 'gan' },
        { type: 'openLink', href: 'other-post.md' },
        { type: 'openLink', href: 'https://example.org/' },
      ],
    );
    assert.strictEqual(page.url(), `${ORIGIN}/index.html`);
  });
});
