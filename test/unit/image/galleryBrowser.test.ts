/**
 * The image gallery page in real Chromium: the real page builder, the real
 * webview script (bundled from source), the real Content-Security-Policy and
 * real generated PNGs. Checks that candidates show under the CSP and that
 * Use, Vary and More send the right messages.
 *
 * Needs /usr/bin/chromium (or INKWELL_CHROMIUM); skipped when there is none.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { chromium, Browser, Page } from 'playwright-core';
import { buildGalleryHtml, GalleryHostMessage, GalleryWebviewMessage } from '../../../src/preview/galleryPage';
import { loadImageModel } from '../../../src/runtime/process/handlers/image';
import { renderPng } from '../../../src/generation/image/render';
import { makeNonce } from '../../../src/util/nonce';
import chromiumArgs from '../../../scripts/chromiumArgs.json';
import { bundleForBrowser } from '../../support/bundle';
import { waitFor } from '../../support/waitFor';

const ORIGIN = 'https://inkwell.test';
const repo = path.resolve(__dirname, '..', '..', '..');
const executablePath = process.env.INKWELL_CHROMIUM ?? '/usr/bin/chromium';

describe('image gallery page (real Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let page: Page;
  const messages: GalleryWebviewMessage[] = [];
  const blocked: string[] = [];

  before(async function () {
    if (!fs.existsSync(executablePath)) this.skip();
    const script = await bundleForBrowser('src/webview/gallery.ts');
    const css = fs.readFileSync(path.join(repo, 'media', 'gallery.css'), 'utf8');
    const html = buildGalleryHtml({
      cspSource: ORIGIN,
      nonce: makeNonce(),
      scriptUri: `${ORIGIN}/gallery.js`,
      styleUri: `${ORIGIN}/gallery.css`,
      title: 'Images for notes.md',
      subtitle: 'Tiny GAN',
      alt: 'Notes on evaluation',
      canVary: true,
      upscale: 'nearest',
    });
    browser = await chromium.launch({ executablePath, args: chromiumArgs });
    const context = await browser.newContext();
    await context.exposeBinding('__inkwellHost', (_source, json: string) => {
      messages.push(JSON.parse(json) as GalleryWebviewMessage);
    });
    // The webview host's API, as VS Code provides it (harness, not page content).
    await context.addInitScript('window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__inkwellHost(JSON.stringify(m)) });');
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (url === `${ORIGIN}/` || url === `${ORIGIN}/index.html`) return route.fulfill({ contentType: 'text/html', body: html });
      if (url === `${ORIGIN}/gallery.js`) return route.fulfill({ contentType: 'text/javascript', body: script });
      if (url === `${ORIGIN}/gallery.css`) return route.fulfill({ contentType: 'text/css', body: css });
      blocked.push(url);
      return route.abort();
    });
    page = await context.newPage();
    await page.goto(`${ORIGIN}/index.html`);
  });

  after(async () => {
    await browser?.close();
  });

  async function send(message: GalleryHostMessage): Promise<void> {
    await page.evaluate((m) => window.postMessage(m, '*'), message as unknown as Record<string, unknown>);
  }

  async function waitForMessage(type: GalleryWebviewMessage['type']): Promise<GalleryWebviewMessage> {
    return waitFor(() => messages.find((m) => m.type === type), `a '${type}' message from the gallery`);
  }

  it('runs its script under the CSP and says it is ready', async () => {
    await waitForMessage('ready');
  });

  it('shows generated candidates from data: URLs under the CSP', async () => {
    const model = await loadImageModel(
      ort,
      (f) => ort.InferenceSession.create(f),
      path.join(repo, 'test', 'fixtures', 'models', 'tiny-gan'),
    );
    try {
      const images = await model.generator.generate([1, 2, 3]);
      const items = images.map((g, i) => ({
        id: i + 1,
        src: `data:image/png;base64,${renderPng(model.generator, g, { size: 32, upscale: 'nearest' }).toString('base64')}`,
        caption: `seed ${g.seed}`,
      }));
      await send({ type: 'items', items, replace: true });
    } finally {
      await model.decoder.release();
    }
    await page.waitForFunction(() => {
      const imgs = Array.from(document.querySelectorAll('#grid img')) as HTMLImageElement[];
      return imgs.length === 3 && imgs.every((i) => i.complete && i.naturalWidth === 32);
    });
    const captions = await page.locator('.gallery-caption').allTextContents();
    assert.deepStrictEqual(captions, ['seed 1', 'seed 2', 'seed 3']);
    assert.deepStrictEqual(blocked, [], 'nothing else was requested');
    if (process.env.INKWELL_GALLERY_SCREENSHOT) await page.screenshot({ path: process.env.INKWELL_GALLERY_SCREENSHOT });
  });

  it('Use sends the candidate and the alt text typed; Vary and More send theirs', async () => {
    await page.fill('#alt', 'A grid of tiny icons');
    await page.locator('.gallery-card').nth(1).locator('button.use').click();
    assert.deepStrictEqual(await waitForMessage('use'), { type: 'use', id: 2, alt: 'A grid of tiny icons', hero: false });
    await page.locator('.gallery-card').nth(2).locator('button', { hasText: 'Vary' }).click();
    assert.deepStrictEqual(await waitForMessage('vary'), { type: 'vary', id: 3 });
    await page.click('#more');
    assert.deepStrictEqual(await waitForMessage('more'), { type: 'more' });
  });

  it('"Use as hero image" goes with Use, and the subtitle follows the host', async () => {
    messages.length = 0;
    await page.check('#hero');
    await page.locator('.gallery-card').nth(0).locator('button.use').click();
    assert.deepStrictEqual(await waitForMessage('use'), { type: 'use', id: 1, alt: 'A grid of tiny icons', hero: true });
    await page.uncheck('#hero');
    await send({ type: 'subtitle', text: 'Tiny GAN (test fixture) · GAN · new images' });
    await page.waitForFunction(
      () => document.querySelector('.gallery-subtitle')!.textContent === 'Tiny GAN (test fixture) · GAN · new images',
    );
  });

  it('disables its buttons while busy and marks a used candidate', async () => {
    await send({ type: 'status', busy: true, text: 'Saving…' });
    await page.waitForFunction(() => (document.getElementById('more') as HTMLButtonElement).disabled);
    assert.strictEqual(await page.textContent('#status'), 'Saving…');
    await send({ type: 'used', id: 2, link: 'images/notes-2.png' });
    await send({ type: 'status', busy: false, text: 'Inserted images/notes-2.png' });
    await page.waitForFunction(() => !(document.getElementById('more') as HTMLButtonElement).disabled);
    assert.strictEqual(await page.locator('.gallery-card.used button.use').textContent(), 'Inserted');
    await send({ type: 'error', message: 'The model runtime stopped.' });
    await page.waitForFunction(() => document.getElementById('status')!.classList.contains('error'));
    assert.strictEqual(await page.textContent('#status'), 'The model runtime stopped.');
  });
});
