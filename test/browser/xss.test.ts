/**
 * Proves that a post full of XSS payloads stays inert in the article preview.
 * The page is built by the real builder (renderArticle + buildPreviewHtml, the real
 * webview script) and loaded into real Chromium with the same Content-Security-Policy
 * the webview gets. A control run without any defence shows the payloads are live.
 *
 * Run: npx mocha --no-config --require tsx/cjs --timeout 60000 test/browser/xss.test.ts
 * (needs /usr/bin/chromium, or set INKWELL_CHROMIUM)
 */
import * as assert from 'assert';
import * as path from 'path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { renderArticle } from '../../src/core/render/article';
import { blankFrontmatter, splitFrontmatter } from '../../src/core/render/frontmatter';
import { createArticleMarkdown } from '../../src/core/render/markdown';
import { classifyLink, ImagePolicy } from '../../src/core/render/urlPolicy';
import { buildPreviewHtml } from '../../src/preview/html';
import type { WebviewToHost } from '../../src/preview/previewMessages';
import { makeNonce } from '../../src/util/nonce';
import { bundleWebviewScript, installHostApi, launchChromium, ORIGIN, repoRoot as repo } from './harness';
import { LIVE_WITHOUT_DEFENCES, XSS_POST } from './xssPayloads';

const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** What one page load observed. */
interface Observed {
  fired: string[];
  /** Requests that left the test origin (exfiltration or remote content). */
  foreign: { url: string; navigation: boolean }[];
  messages: WebviewToHost[];
}

describe('article preview XSS (real Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let script: string;
  const md = createArticleMarkdown();
  const policy: ImagePolicy = {
    allowHttpsImages: false,
    resolveLocal: (p) => (p === '/uploads/gan-grid.png' ? `${ORIGIN}/static/uploads/gan-grid.png` : undefined),
  };

  before(async () => {
    script = await bundleWebviewScript();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  /** Opens `html` at ORIGIN/index.html, clicks and hovers everything clickable, and reports. */
  async function load(html: string, options: { afterLoad?: (page: Page) => Promise<void> } = {}): Promise<Observed> {
    const observed: Observed = { fired: [], foreign: [], messages: [] };
    const context: BrowserContext = await browser.newContext({ javaScriptEnabled: true });
    try {
      await context.exposeBinding('__pwned', (_source, id: unknown) => {
        observed.fired.push(String(id));
      });
      await installHostApi(context, observed.messages);
      await context.route('**/*', async (route) => {
        const request = route.request();
        const url = new URL(request.url());
        if (url.origin !== ORIGIN) {
          const navigation = request.isNavigationRequest() && request.frame() === request.frame().page().mainFrame();
          observed.foreign.push({ url: request.url(), navigation });
          // 204 keeps the page where it is, so one navigating payload does not end the run.
          return navigation ? route.fulfill({ status: 204, body: '' }) : route.abort();
        }
        if (url.pathname === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
        if (url.pathname === '/media/webview/preview.js') return route.fulfill({ contentType: 'text/javascript', body: script });
        if (url.pathname === '/media/preview.css')
          return route.fulfill({ contentType: 'text/css', path: path.join(repo, 'media/preview.css') });
        if (url.pathname.endsWith('.png')) return route.fulfill({ contentType: 'image/png', body: PNG_1PX });
        return route.fulfill({ status: 404, body: '' });
      });
      const page = await context.newPage();
      if (process.env.INKWELL_TEST_VERBOSE) page.on('console', (m) => console.log(`[page] ${m.text()}`));
      if (process.env.INKWELL_TEST_VERBOSE) page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
      await page.goto(`${ORIGIN}/index.html`, { waitUntil: 'load' });
      await interactWithEverything(page);
      if (options.afterLoad) await options.afterLoad(page);
      await settle(page);
      return observed;
    } finally {
      await context.close();
    }
  }

  function previewPage(headerHtml: string, bodyHtml: string, nonce = makeNonce()): string {
    return buildPreviewHtml({
      cspSource: ORIGIN,
      nonce,
      scriptUri: `${ORIGIN}/media/webview/preview.js`,
      styleUris: [`${ORIGIN}/media/preview.css`],
      allowHttpsImages: false,
      title: 'XSS',
      headerHtml,
      bodyHtml,
      kind: 'article',
      // Built as under the integration tests: the page reports the text a reader sees.
      state: { uri: 'file:///xss.md', version: 1, reporttext: true },
    });
  }

  const rawBody = () => md.render(blankFrontmatter(XSS_POST, splitFrontmatter(XSS_POST)));

  it('control: without sanitizer and CSP the payloads do run', async () => {
    const seen = await load(`<!DOCTYPE html><html><body>${rawBody()}</body></html>`);
    for (const id of LIVE_WITHOUT_DEFENCES)
      assert.ok(seen.fired.includes(id), `payload ${id} should fire without defences (fired: ${seen.fired.join(', ')})`);
    assert.ok(seen.foreign.length > 0, 'remote loads happen without defences');
  });

  it('the render pipeline alone (sanitizer and URL vetting, no CSP) leaves every payload inert', async () => {
    const article = renderArticle(md, XSS_POST, { locale: 'en', images: policy });
    const seen = await load(`<!DOCTYPE html><html><body>${article.headerHtml}${article.bodyHtml}</body></html>`);
    assert.deepStrictEqual(seen.fired, []);
    // Without the webview script a click on the post's ordinary https link navigates; nothing else may leave.
    assert.deepStrictEqual(
      seen.foreign.filter((f) => !(f.navigation && f.url === 'https://example.org/')),
      [],
    );
  });

  it('the CSP alone (unsanitized body) stops every payload script and remote load', async () => {
    const seen = await load(previewPage('<h1 class="inkwell-title">XSS</h1>', rawBody()));
    assert.deepStrictEqual(seen.fired, []);
    // CSP governs subresources; top-level navigation (meta refresh) is the webview host's job.
    assert.deepStrictEqual(
      seen.foreign.filter((f) => !f.navigation),
      [],
    );
  });

  it('the real preview page shows the post, runs its own script and nothing else', async () => {
    const article = renderArticle(md, XSS_POST, { locale: 'en', images: policy });
    const seen = await load(previewPage(article.headerHtml, article.bodyHtml), {
      // Later edits arrive as messages and go through innerHTML: send the payloads that way too.
      afterLoad: async (page) => {
        await page.evaluate((update) => window.postMessage(update, '*'), {
          type: 'update',
          version: 2,
          uri: 'file:///xss.md',
          headerHtml: article.headerHtml,
          bodyHtml: article.bodyHtml,
        });
        await page.waitForFunction(() => document.querySelector('.inkwell-body')?.textContent?.includes('A safe paragraph'));
        await interactWithEverything(page);
      },
    });
    assert.deepStrictEqual(seen.fired, []);
    assert.deepStrictEqual(seen.foreign, []);
    const rendered = seen.messages.filter((m): m is Extract<WebviewToHost, { type: 'rendered' }> => m.type === 'rendered');
    assert.deepStrictEqual(
      rendered.map((m) => m.version),
      [1, 2],
      'the nonce script reported both renders',
    );
    assert.match(rendered[1].title, /^XSS <script>__pwned\('title'\)<\/script>$/, 'the title is shown as text');
    assert.ok(rendered[1].text.includes('A safe paragraph at the end'));
    assert.ok(rendered[1].tags.includes('xss'));
    // Clicked links reach the host only with targets it may open.
    const links = seen.messages.filter((m): m is Extract<WebviewToHost, { type: 'openLink' }> => m.type === 'openLink');
    assert.ok(links.length > 0, 'clicks on links are reported to the host');
    for (const link of links) assert.notStrictEqual(classifyLink(link.href).kind, 'blocked', `blocked link reached the host: ${link.href}`);
  });

  it('a page whose script lacks the nonce runs nothing (the CSP is in force)', async () => {
    const html = previewPage('<h1>t</h1>', '<p>x</p>').replace(/ nonce="[^"]+"/, ' nonce="wrongwrongwrongwrong"');
    const seen = await load(html);
    assert.deepStrictEqual(seen.messages, []);
  });
});

/** Clicks, hovers and focuses every interactive element, ignoring ones that vanish or navigate. */
async function interactWithEverything(page: Page): Promise<void> {
  const handles = await page.$$('a, button, summary, input, [onclick], [onmouseover], details');
  for (const handle of handles) {
    await handle.hover({ force: true, timeout: 500 }).catch(() => undefined);
    await handle.click({ force: true, noWaitAfter: true, timeout: 500 }).catch(() => undefined);
  }
  await page.keyboard.press('Tab').catch(() => undefined);
}

/** Lets pending loads and event tasks finish: waits on conditions, then flushes the task queue. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('load').catch(() => undefined);
  await page
    .waitForFunction(() => Array.from(document.images).every((img) => img.complete), undefined, { timeout: 5000 })
    .catch(() => undefined);
  for (let i = 0; i < 3; i++) {
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))).catch(() => undefined);
  }
}
