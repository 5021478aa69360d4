import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import MarkdownIt from 'markdown-it';
import { calendarDate, formatDate, toArticleMeta } from '../../../src/core/render/articleMeta';
import { blankFrontmatter, splitFrontmatter } from '../../../src/core/render/frontmatter';
import { frontMatterHeaderPlugin } from '../../../src/core/render/frontMatterPlugin';
import { createArticleRenderer } from '../../../src/core/render/engine';
import type { ImagePolicy } from '../../../src/core/render/urlPolicy';
import { readingStats } from '../../../src/core/posts/readingTime';

const samples = path.resolve(__dirname, '../../../samples/blog/posts');
const read = (name: string) => fs.readFileSync(path.join(samples, name), 'utf8');
const policy: ImagePolicy = {
  allowHttpsImages: false,
  resolveLocal: (p) => (p === '/uploads/gan-grid.png' ? 'https://file.test/static/uploads/gan-grid.png' : undefined),
};

describe('frontmatter for the preview', () => {
  it('finds YAML and TOML blocks and counts their lines', () => {
    const yaml = splitFrontmatter('---\ntitle: A\ntags: [x]\n---\nBody');
    assert.strictEqual(yaml?.format, 'yaml');
    assert.strictEqual(yaml?.lineCount, 4);
    assert.deepStrictEqual(yaml?.data, { title: 'A', tags: ['x'] });
    const toml = splitFrontmatter(read('fine-tuning-gpt-on-your-posts.md'));
    assert.strictEqual(toml?.format, 'toml');
    assert.strictEqual(toml?.data.title, 'Fine-Tuning a Small GPT on Your Own Posts');
  });

  it('treats an unterminated fence as no frontmatter and reports broken YAML in words', () => {
    assert.strictEqual(splitFrontmatter('---\ntitle: A\n\nno end'), undefined);
    // The same words and line as the Problems panel: the `[` on line 2, not where the parser stopped.
    const broken = splitFrontmatter('---\ntitle: [unclosed\n---\n');
    assert.strictEqual(
      broken?.error,
      'Line 2: This list is opened with `[` but never closed: end it with `]` on the same line, or put the value in quotes if the `[` is part of the text.',
    );
    assert.deepStrictEqual(broken?.data, {});
  });

  it('blanks the block without moving later lines', () => {
    const text = '---\na: 1\n---\n# Hi\n';
    const blanked = blankFrontmatter(text, splitFrontmatter(text));
    assert.strictEqual(blanked.split('\n').indexOf('# Hi'), 3);
  });
});

describe('article meta', () => {
  it('normalises the fields the header shows', () => {
    const meta = toArticleMeta({ title: ' T ', date: '2023-05-08 00:00:00', tags: ['a', 'b', 'a', 3], image: '/x.png', draft: true });
    assert.deepStrictEqual(meta, {
      title: 'T',
      date: '2023-05-08',
      rawDate: undefined,
      description: undefined,
      tags: ['a', 'b', '3'],
      image: '/x.png',
      draft: true,
    });
    assert.strictEqual(toArticleMeta({ date: 'next week' }).rawDate, 'next week');
    assert.strictEqual(calendarDate('2023-02-30'), undefined);
  });

  it('formats the written calendar day for the locale, whatever the time zone', () => {
    assert.strictEqual(formatDate('2023-05-08', 'en-US'), 'May 8, 2023');
    assert.strictEqual(formatDate('2023-05-08', 'de'), '8. Mai 2023');
    assert.strictEqual(formatDate('2023-05-08', 'not a locale!'), 'May 8, 2023');
  });
});

describe('renderArticle', () => {
  const renderer = createArticleRenderer();

  it('renders a sample post: header fields, resolved hero image, body with editor lines', () => {
    const text = read('gans-in-one-afternoon.md');
    const out = renderer.render(text, { locale: 'en-US', images: policy });
    assert.match(out.headerHtml, /<h1 class="inkwell-title">Training a GAN in One Afternoon<\/h1>/);
    assert.match(out.headerHtml, /<time datetime="2023-06-02">June 2, 2023<\/time>/);
    assert.match(out.headerHtml, /<img class="inkwell-hero" src="https:\/\/file\.test\/static\/uploads\/gan-grid\.png"/);
    for (const tag of ['generative-ai', 'gan', 'machine-learning']) assert.ok(out.headerHtml.includes(`data-tag="${tag}"`), tag);
    // "## The setup" is on editor line 15 (0-based 14).
    const lines = text.split('\n');
    const setup = lines.indexOf('## The setup');
    assert.ok(out.bodyHtml.includes(`<h2 data-line="${setup}">The setup</h2>`), out.bodyHtml.slice(0, 400));
    assert.match(out.bodyHtml, /<code data-line="\d+" class="language-python">/);
  });

  it('keeps raw HTML blocks and marks a missing hero image', () => {
    const out = renderer.render(read('exploring-generative-ai.md'), { locale: 'en', images: policy });
    assert.match(out.headerHtml, /inkwell-image-missing[^>]*>Hero image not found: \/uploads\/screenshot-2023-05-08-at-9-18-49-am\.png/);
    assert.match(out.bodyHtml, /<h2>Neural networks<\/h2>/);
    assert.match(out.bodyHtml, /<ol><li>Ethical concerns/);
  });

  it('escapes frontmatter values and shows a draft badge', () => {
    const out = renderer.render('---\ntitle: "<b>bold</b>"\ndraft: true\ntags: ["a\\"b"]\n---\n', { locale: 'en', images: policy });
    assert.ok(out.headerHtml.includes('&lt;b&gt;bold&lt;/b&gt;'));
    assert.ok(out.headerHtml.includes('data-tag="a&quot;b"'));
    assert.ok(out.headerHtml.includes('inkwell-draft'));
  });

  it('shows reading time and word count after the date, counting the body only', () => {
    const text = read('gans-in-one-afternoon.md');
    const { words, minutes } = readingStats(text);
    assert.ok(words > 50, `the sample post has ${words} words`);
    const out = renderer.render(text, { locale: 'en', images: policy });
    const facts = /<p class="inkwell-facts">(.*?)<\/p>/.exec(out.headerHtml)?.[1] ?? '';
    assert.match(
      facts,
      new RegExp(
        `^<time [^>]*>June 2, 2023</time> <span class="inkwell-reading" title="${words} words, about ${minutes} minutes? to read">${minutes} min read · ${words} words</span>$`,
      ),
      facts,
    );
    // Thousands in the editor's locale; one word is singular.
    const long = renderer.render(`---\ntitle: T\n---\n${'word '.repeat(1234)}`, { locale: 'de', images: policy });
    assert.match(
      long.headerHtml,
      /<span class="inkwell-reading" title="1\.234 words, about 5 minutes to read">5 min read · 1\.234 words<\/span>/,
    );
    assert.match(renderer.render('---\ntitle: T\n---\nHello\n', { locale: 'en', images: policy }).headerHtml, />1 min read · 1 word</);
    // A post without words shows no reading time.
    assert.ok(!renderer.render('---\ntitle: T\n---\n', { locale: 'en', images: policy }).headerHtml.includes('inkwell-reading'));
  });

  it('renders a long post to its last line', () => {
    const sections = Array.from(
      { length: 700 },
      (_, i) => `## Section ${i}\n\nSome *text* with <span>html</span> and a [link](https://example.org).\n`,
    );
    const out = renderer.render(read('gans-in-one-afternoon.md') + '\n' + sections.join('\n'), { locale: 'en', images: policy });
    assert.ok(out.bodyHtml.includes('>Section 699</h2>'));
    assert.strictEqual(out.bodyHtml.match(/<a href="https:\/\/example\.org" rel="noopener noreferrer">link<\/a>/g)?.length, 700);
  });
});

describe('frontMatterHeaderPlugin (VS Code preview)', () => {
  it('replaces the frontmatter with the article header and keeps line numbers', () => {
    const md = new MarkdownIt({ html: true });
    md.use(frontMatterHeaderPlugin, {
      locale: () => 'en-US',
      resolveImage: (src: string) => ({ kind: 'ok' as const, src: `../static${src}` }),
    });
    const tokensBefore = md.parse(read('gans-in-one-afternoon.md'), {});
    const heading = tokensBefore.find((t) => t.type === 'heading_open');
    assert.deepStrictEqual(heading?.map?.[0], 14, 'lines after the frontmatter keep their numbers');
    const html = md.render(read('gans-in-one-afternoon.md'), {});
    assert.ok(html.startsWith('<header class="inkwell-header code-line" data-line="0">'), html.slice(0, 120));
    assert.ok(html.includes('<img class="inkwell-hero" src="../static/uploads/gan-grid.png"'));
    assert.ok(!html.includes('title: Training'), 'the YAML itself is not shown');
    assert.ok(!html.includes('<table'), 'no front matter table');
    const { words } = readingStats(read('gans-in-one-afternoon.md'));
    assert.ok(html.includes(`min read · ${words} words</span>`), 'the same reading time as the article preview');
  });

  it('leaves documents without frontmatter alone', () => {
    const md = new MarkdownIt();
    md.use(frontMatterHeaderPlugin, { locale: () => 'en', resolveImage: () => undefined });
    assert.strictEqual(md.render('# Hi\n\n---\n\ntext'), new MarkdownIt().render('# Hi\n\n---\n\ntext'));
  });
});
