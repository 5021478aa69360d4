/**
 * Layout of the preview pages in real Chromium, with the real page builder, the
 * real stylesheet and the real CSP: what a reader sees, checked without screenshots
 * (bounding boxes, the element under a point, computed colours).
 *
 * Run: npx mocha test/browser/pageLayout.test.ts
 */
import * as assert from 'assert';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createArticleRenderer } from '../../src/core/render/engine';
import type { TagTreePost } from '../../src/core/render/tagTree';
import { buildPreviewHtml } from '../../src/preview/html';
import type { WebviewToHost } from '../../src/preview/previewMessages';
import { makeNonce } from '../../src/util/nonce';
import { bundleWebviewScript, installHostApi, launchChromium, ORIGIN, servePreviewPage } from './harness';

/** Theme colours VS Code puts on the webview's <html> (a light theme). */
const THEME: Record<string, string> = {
  '--vscode-editor-background': 'rgb(255, 255, 255)',
  '--vscode-editor-foreground': 'rgb(30, 30, 30)',
  '--vscode-badge-background': 'rgb(0, 122, 204)',
  '--vscode-badge-foreground': 'rgb(255, 255, 255)',
  '--vscode-textLink-foreground': 'rgb(0, 94, 180)',
  // As in VS Code's own themes: the symbol icon colour for keywords is the plain text colour.
  '--vscode-symbolIcon-keywordForeground': 'rgb(30, 30, 30)',
  '--vscode-debugTokenExpression-boolean': 'rgb(0, 0, 255)',
  '--vscode-debugTokenExpression-string': 'rgb(163, 21, 21)',
  '--vscode-textCodeBlock-background': 'rgb(240, 240, 240)',
  '--vscode-editorInfo-foreground': 'rgb(26, 133, 255)',
  '--vscode-editorWarning-foreground': 'rgb(191, 136, 3)',
  '--vscode-testing-iconPassed': 'rgb(56, 138, 52)',
};

const POSTS: TagTreePost[] = [
  { id: 'file:///blog/posts/a.md', title: 'First post', date: '2024-03-01', tags: ['gan'], description: 'About GANs.' },
  { id: 'file:///blog/posts/b.md', title: 'Second post', date: '2024-02-01', tags: ['gan'] },
];

describe('preview page layout (real Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let script: string;
  let context: BrowserContext;
  let page: Page;
  const renderer = createArticleRenderer();

  before(async () => {
    script = await bundleWebviewScript();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await context?.close();
  });

  /** Loads a page built by the real builder, with the theme's colours set on <html>. */
  async function load(kind: 'article' | 'tag', headerHtml: string, bodyHtml: string): Promise<void> {
    const messages: WebviewToHost[] = [];
    context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    await installHostApi(context, messages);
    const html = buildPreviewHtml({
      cspSource: ORIGIN,
      nonce: makeNonce(),
      scriptUri: `${ORIGIN}/preview.js`,
      styleUris: [`${ORIGIN}/preview.css`],
      allowHttpsImages: false,
      title: 'Page',
      headerHtml,
      bodyHtml,
      kind,
      state: { uri: 'file:///blog/posts/a.md', version: 1 },
    });
    await servePreviewPage(context, html, script);
    page = await context.newPage();
    await page.goto(`${ORIGIN}/index.html`);
    // The CSP forbids inline styles; CSSOM changes are what VS Code itself does to set theme variables.
    await page.evaluate((theme) => {
      for (const [k, v] of Object.entries(theme)) document.documentElement.style.setProperty(k, v);
    }, THEME);
  }

  /** The colour a reader sees behind an element: the first opaque background up its ancestors. */
  const backdrop = (selector: string) =>
    page.evaluate((sel) => {
      for (let el: Element | null = document.querySelector(sel); el; el = el.parentElement) {
        const bg = getComputedStyle(el).backgroundColor;
        if (bg && bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') return bg;
      }
      return 'none';
    }, selector);

  it('a tag page shows its title on the page background, not inside a tag chip', async () => {
    const body = renderer.renderTagPage('gan', POSTS, { locale: 'en', image: () => undefined });
    await load('tag', '', body);
    const layout = await page.evaluate(() => {
      const title = document.querySelector('h1.inkwell-title')!;
      const box = title.getBoundingClientRect();
      const hit = document.elementFromPoint(box.left + Math.min(40, box.width / 2), box.top + box.height / 2);
      const bodyStyle = getComputedStyle(document.body);
      return {
        box: { left: box.left, top: box.top, width: box.width, height: box.height },
        hitInsideTitle: !!hit && title.contains(hit),
        bodyWidth: document.body.getBoundingClientRect().width,
        viewport: window.innerWidth,
        bodyRadius: bodyStyle.borderTopLeftRadius,
      };
    });
    assert.ok(layout.box.width > 100 && layout.box.height > 20 && layout.box.top >= 0 && layout.box.left >= 0, JSON.stringify(layout.box));
    assert.ok(layout.hitInsideTitle, 'nothing covers the title');
    assert.strictEqual(layout.bodyWidth, layout.viewport, 'the page spans the window');
    assert.strictEqual(layout.bodyRadius, '0px', 'the page has square corners');
    assert.strictEqual(await backdrop('h1.inkwell-title'), THEME['--vscode-editor-background']);
    // The card titles are readable on the page too.
    assert.strictEqual(await backdrop('.inkwell-card h2 a'), await backdrop('.inkwell-cards'));
  });

  it('an article shows highlighted code and styled callouts, figures and details in theme colours', async () => {
    const post = [
      '---',
      'title: Styled',
      'date: 2024-03-01',
      '---',
      '```js',
      'const answer = "forty-two";',
      '```',
      '',
      '<div class="note">A note for readers.</div>',
      '',
      '<div class="warning">Mind the gap.</div>',
      '',
      '<figure><figcaption>A caption</figcaption></figure>',
      '',
      '<details><summary>More</summary>Hidden text.</details>',
      '',
      '> A quotation.',
      '',
    ].join('\n');
    const rendered = renderer.render(post, { locale: 'en', images: { resolveLocal: () => undefined, allowHttpsImages: false } });
    await load('article', rendered.headerHtml, rendered.bodyHtml);
    const colour = (selector: string) =>
      page.evaluate((sel) => {
        const el = document.querySelector(sel);
        return el ? getComputedStyle(el).color : 'missing';
      }, selector);
    assert.strictEqual(
      await colour('pre code .hljs-keyword'),
      THEME['--vscode-debugTokenExpression-boolean'],
      'keywords in the theme colour',
    );
    assert.notStrictEqual(await colour('pre code .hljs-keyword'), await colour('pre code'), 'keywords stand out from the code');
    assert.strictEqual(await colour('pre code .hljs-string'), THEME['--vscode-debugTokenExpression-string'], 'strings in the theme colour');
    const box = (selector: string) =>
      page.evaluate((sel) => {
        const el = document.querySelector(sel);
        if (!el) return 'missing';
        const s = getComputedStyle(el);
        return `${s.borderLeftWidth} ${s.borderLeftStyle} ${s.borderLeftColor}`;
      }, selector);
    assert.strictEqual(await box('.inkwell-body div.note'), `4px solid ${THEME['--vscode-editorInfo-foreground']}`);
    assert.strictEqual(await box('.inkwell-body div.warning'), `4px solid ${THEME['--vscode-editorWarning-foreground']}`);
    assert.notStrictEqual(await box('.inkwell-body blockquote'), 'missing');
    const figcaption = await page.evaluate(() => getComputedStyle(document.querySelector('figcaption')!).fontSize);
    const bodyFont = await page.evaluate(() => getComputedStyle(document.body).fontSize);
    assert.ok(parseFloat(figcaption) < parseFloat(bodyFont), 'the caption is set smaller than the text');
    assert.strictEqual(await page.evaluate(() => getComputedStyle(document.querySelector('summary')!).cursor), 'pointer');
  });

  it('TypeScript satisfies and as are highlighted, and a long code line scrolls inside its block instead of being cut', async () => {
    const long = `const url = "${'x'.repeat(400)}";`;
    const post = [
      '---',
      'title: Code',
      'date: 2024-03-01',
      '---',
      '```ts',
      'const c = { port: 1 } satisfies Config;',
      'const el = node as HTMLInputElement;',
      long,
      '```',
      '',
    ].join('\n');
    const rendered = renderer.render(post, { locale: 'en', images: { resolveLocal: () => undefined, allowHttpsImages: false } });
    await load('article', rendered.headerHtml, rendered.bodyHtml);
    const keywords = await page.evaluate(() =>
      Array.from(document.querySelectorAll('pre code .hljs-keyword')).map((k) => [k.textContent, getComputedStyle(k).color]),
    );
    for (const word of ['satisfies', 'as'])
      assert.deepStrictEqual(
        keywords.find(([w]) => w === word),
        [word, THEME['--vscode-debugTokenExpression-boolean']],
        `${word} is a highlighted keyword (${JSON.stringify(keywords)})`,
      );
    const layout = await page.evaluate(() => {
      const pre = document.querySelector('pre')!;
      const before = pre.scrollLeft;
      pre.scrollLeft = 10_000;
      const box = pre.getBoundingClientRect();
      return {
        preWidth: pre.clientWidth,
        preScrollWidth: pre.scrollWidth,
        scrolled: pre.scrollLeft - before,
        preRight: box.right,
        viewport: window.innerWidth,
        pageScrollWidth: document.scrollingElement!.scrollWidth,
        wraps: getComputedStyle(pre.querySelector('code')!).whiteSpace,
      };
    });
    assert.ok(layout.preScrollWidth > layout.preWidth, `the line is wider than its block: ${JSON.stringify(layout)}`);
    assert.ok(layout.scrolled > 0, `the block scrolls sideways to the end of the line: ${JSON.stringify(layout)}`);
    assert.ok(
      layout.preRight <= layout.viewport && layout.pageScrollWidth <= layout.viewport,
      `the page itself does not: ${JSON.stringify(layout)}`,
    );
  });

  it('a post dated after today gets a "Scheduled" badge in the article header and on the tag page; a past one none', async () => {
    const post = ['---', 'title: Later', 'date: 2999-01-01', '---', 'Soon.', ''].join('\n');
    const rendered = renderer.render(post, { locale: 'en', images: { resolveLocal: () => undefined, allowHttpsImages: false } });
    await load('article', rendered.headerHtml, rendered.bodyHtml);
    const badges = () =>
      page.evaluate(() =>
        Array.from(document.querySelectorAll('.inkwell-future')).map((b) => [
          b.previousElementSibling?.getAttribute('datetime'),
          b.textContent,
        ]),
      );
    await page.waitForFunction(() => document.querySelector('.inkwell-future'));
    assert.deepStrictEqual(await badges(), [['2999-01-01', 'Scheduled']]);
    assert.notStrictEqual(await backdrop('.inkwell-future'), await backdrop('.inkwell-facts'), 'the badge has a background of its own');
    await context.close();
    const cards = renderer.renderTagPage(
      'gan',
      [...POSTS, { id: 'file:///blog/posts/c.md', title: 'Later', date: '2999-01-01', tags: ['gan'] }],
      {
        locale: 'en',
        image: () => undefined,
      },
    );
    await load('tag', '', cards);
    await page.waitForFunction(() => document.querySelector('.inkwell-future'));
    assert.deepStrictEqual(await badges(), [['2999-01-01', 'Scheduled']], 'only the future post has the badge');
  });
});
