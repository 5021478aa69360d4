import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { summarizeText } from '../../../src/core/posts/summary';
import { cutAtWord, postBody } from '../../../src/core/suggest/plainText';
import { descriptionBounds, summarySettings } from '../../../src/core/suggest/siteSettings';
import { fallbackSuggestions, suggest, SuggestContext, SuggestionProvider } from '../../../src/core/suggest/suggest';
import type { WorkspacePost } from '../../../src/core/suggest/tags';
import { titleFromFileName } from '../../../src/core/suggest/title';
import { NO_BODY } from '../../../src/core/suggest/types';
import { growth } from '../frontmatter/timing';

const SAMPLE = path.resolve(__dirname, '../../../samples/blog/posts');
const samplePaths = fs.readdirSync(SAMPLE).map((f) => path.join(SAMPLE, f));
const sample = (name: string) => ({ path: path.join(SAMPLE, name), text: fs.readFileSync(path.join(SAMPLE, name), 'utf8') });
const asWorkspace = (posts: ReadonlyArray<{ path: string; text: string }>) => (): WorkspacePost[] =>
  posts.map((p) => ({ id: p.path, tags: summarizeText(p.path, p.text).tags, body: postBody(p.text) }));
const sampleWorkspace = asWorkspace(samplePaths.map((p) => ({ path: p, text: fs.readFileSync(p, 'utf8') })));

const texts = (r: { candidates: Array<{ text: string }> }) => r.candidates.map((c) => c.text);
const sources = (r: { candidates: Array<{ source: string }> }) => r.candidates.map((c) => c.source);
const hugo = (summaryLength = 70): SuggestContext => ({
  site: summarySettings({ entries: ['hugo.toml'], contents: { 'hugo.toml': `summaryLength = ${summaryLength}\n` } }, 'hugo'),
});

describe('suggestions without a model', () => {
  describe('on the sample blog', () => {
    it('titles a post from its first sentence and its file name', () => {
      const r = fallbackSuggestions('title', sample('gans-in-one-afternoon.md'));
      assert.deepStrictEqual(sources(r), ['first-sentence', 'file-name']);
      assert.strictEqual(r.candidates[1].text, 'Gans in one afternoon');
      assert.match(r.candidates[0].text, /^A generative adversarial network is two models locked in an…$/);
      assert.ok([...r.candidates[0].text].length <= 60, 'no longer than the validator allows');
    });

    it('puts a section heading found after the prose after the first sentence', () => {
      const r = fallbackSuggestions('title', sample('exploring-generative-ai.md'));
      assert.deepStrictEqual(sources(r), ['first-sentence', 'first-heading', 'file-name']);
      assert.strictEqual(r.candidates[1].text, 'The Foundation');
    });

    it('describes a post by its first paragraph, cut on a word to 160 characters', () => {
      const r = fallbackSuggestions('description', sample('exploring-generative-ai.md'));
      assert.deepStrictEqual(sources(r), ['first-paragraph']);
      const text = r.candidates[0].text;
      assert.ok([...text].length <= 160 && text.endsWith('…'), text);
      assert.ok(text.startsWith('Generative AI refers to a subset of artificial intelligence techniques'));
      assert.ok(/\w…$/.test(text) && !text.includes('  '), 'ends on a whole word');
    });

    it('reads the TOML post and keeps a short paragraph whole', () => {
      const r = fallbackSuggestions('description', sample('notes-on-evaluation.md'));
      assert.deepStrictEqual(texts(r), [
        'Accuracy does not apply when there is no single right answer. For images people use FID; for text, perplexity and human judgement. Both have blind spots.',
      ]);
      const toml = fallbackSuggestions('title', sample('fine-tuning-gpt-on-your-posts.md'));
      // Its first sentence is 62 characters long: cut to the validator's 60.
      assert.strictEqual(toml.candidates[0].text, 'Pre-trained language models have read far more than any of…');
    });

    it('ranks the tags of the other posts, never the post’s own, with the words that made them', () => {
      const r = fallbackSuggestions('tags', sample('gans-in-one-afternoon.md'), { workspace: sampleWorkspace });
      const tags = texts(r);
      assert.ok(tags.length > 0 && tags.length <= 5, tags.join());
      for (const own of ['generative-ai', 'gan', 'machine-learning']) assert.ok(!tags.includes(own), own);
      // The long introduction to generative models talks of generators and discriminators too.
      assert.strictEqual(r.candidates[0].source, 'workspace-tags');
      assert.ok(r.candidates[0].words!.includes('discriminator'), String(r.candidates[0].words));
      const scores = r.candidates.map((c) => c.score!);
      assert.deepStrictEqual(
        [...scores].sort((a, b) => b - a),
        scores,
        'best first',
      );
      assert.ok(scores.every((s) => s > 0 && s <= 1));
      const toml = texts(fallbackSuggestions('tags', sample('fine-tuning-gpt-on-your-posts.md'), { workspace: sampleWorkspace }));
      assert.ok(toml.length && !toml.some((t) => ['generative-ai', 'gpt', 'writing'].includes(t)), `TOML tags are its own: ${toml.join()}`);
    });

    it('treats another spelling of an own tag as its own, and offers a tag in the spelling most posts use', () => {
      const r = fallbackSuggestions('tags', sample('notes-on-evaluation.md'), { workspace: sampleWorkspace });
      assert.ok(!texts(r).some((t) => /machine.?learning/i.test(t)), texts(r).join());
      const post = {
        path: '/site/new.md',
        text: '---\ntitle: t\n---\nAn essay on generator and discriminator networks, images and training.\n',
      };
      const spelled = fallbackSuggestions('tags', post, { workspace: sampleWorkspace });
      assert.ok(texts(spelled).includes('machine-learning'), texts(spelled).join());
      assert.ok(!texts(spelled).includes('Machine Learning'));
    });
  });

  describe('site generators', () => {
    const divided =
      '---\ntitle: t\n---\nThe opening line of the post.\n\nA second paragraph before the divider.\n\n<!--more-->\n\nAfter the divider.\n';

    it("takes Hugo's summary from before <!--more-->", () => {
      const r = fallbackSuggestions('description', { path: 'p.md', text: divided }, hugo());
      assert.deepStrictEqual(r.candidates, [
        { text: 'The opening line of the post. A second paragraph before the divider.', source: 'hugo-summary' },
      ]);
      // Without the divider, the first paragraph (too short alone, so joined by the next) says the same: offered once.
      const without = fallbackSuggestions('description', { path: 'p.md', text: divided.replace('<!--more-->', '') }, hugo(10));
      assert.deepStrictEqual(sources(without), ['hugo-summary']);
      assert.strictEqual(without.candidates[0].text, 'The opening line of the post. A second paragraph before the divider.');
    });

    it("ends Hugo's automatic summary with the paragraph that reaches summaryLength words", () => {
      const six = (n: number) => `Paragraph ${n} has exactly six words.`;
      const text = `---\ntitle: t\n---\n# Heading\n\n${six(1)}\n\n${six(2)}\n\n${six(3)}\n`;
      const r = fallbackSuggestions('description', { path: 'p.md', text }, hugo(10));
      assert.strictEqual(r.candidates[0].text, `${six(1)} ${six(2)}`);
      assert.strictEqual(hugo().site!.summaryLength, 70);
    });

    it("takes Jekyll's excerpt before the site's excerpt_separator, or the post's own", () => {
      const listing = {
        entries: ['_config.yml', '_posts/'],
        contents: { '_config.yml': 'title: Blog\nexcerpt_separator: <!--excerpt-->\n' },
      };
      const site = summarySettings(listing, 'jekyll');
      assert.strictEqual(site.excerptSeparator, '<!--excerpt-->');
      const text = '---\ntitle: t\n---\nFirst paragraph.\n\nSecond *paragraph*.\n<!--excerpt-->\nThird.\n';
      const r = fallbackSuggestions('description', { path: '_posts/2024-05-01-x.md', text }, { site });
      assert.deepStrictEqual(r.candidates[0], { text: 'First paragraph. Second paragraph.', source: 'jekyll-excerpt' });
      const own = text.replace('title: t', 'title: t\nexcerpt_separator: "Second"');
      assert.strictEqual(fallbackSuggestions('description', { path: 'x.md', text: own }, { site }).candidates[0].text, 'First paragraph.');
      const byDefault = summarySettings({ entries: [], contents: {} }, 'jekyll');
      assert.strictEqual(
        fallbackSuggestions('description', { path: 'x.md', text: text.replace(/\r?\n/g, '\r\n') }, { site: byDefault }).candidates[0].text,
        'First paragraph.',
      );
    });

    it('cuts descriptions to the maxLength of a custom schema', () => {
      const bounds = descriptionBounds({ properties: { description: { type: 'string', maxLength: 40 } } });
      assert.deepStrictEqual(bounds, { min: 40, max: 40 });
      assert.deepStrictEqual(descriptionBounds({ properties: { description: { minLength: 20, maxLength: 200 } } }), { min: 20, max: 200 });
      assert.deepStrictEqual(descriptionBounds(undefined), { min: 50, max: 160 });
      const r = fallbackSuggestions('description', sample('gans-in-one-afternoon.md'), { descriptionBounds: bounds });
      assert.strictEqual(r.candidates[0].text, 'A generative adversarial network is two…');
    });
  });
  describe('posts with little or odd prose', () => {
    it('says so for an empty body, and still names the post by its file', () => {
      const post = { path: 'content/posts/2024-05-01-my-first-post.md', text: '---\ntitle: t\ntags: [a]\n---\n\n' };
      const title = fallbackSuggestions('title', post);
      assert.deepStrictEqual(title.candidates, [{ text: 'My first post', source: 'file-name' }]);
      assert.match(title.note!, /no body to suggest from/);
      for (const kind of ['description', 'tags'] as const) {
        const r = fallbackSuggestions(kind, post, { workspace: sampleWorkspace });
        assert.deepStrictEqual(r, { kind, candidates: [], note: NO_BODY });
      }
      assert.strictEqual(
        fallbackSuggestions('description', { path: 'x.md', text: '---\ntitle: t\n' }).note,
        NO_BODY,
        'unclosed frontmatter: no body',
      );
    });

    it('titles a post that is only a heading by it, and suggests no description', () => {
      const post = { path: 'only-heading.md', text: '---\ntitle: t\n---\n# Notes from the Lisbon meetup\n' };
      assert.deepStrictEqual(fallbackSuggestions('title', post).candidates, [
        { text: 'Notes from the Lisbon meetup', source: 'first-heading' },
        { text: 'Only heading', source: 'file-name' },
      ]);
      const d = fallbackSuggestions('description', post);
      assert.deepStrictEqual(d.candidates, []);
      assert.match(d.note!, /no paragraph of prose/);
    });

    it('reads HTML-heavy bodies as text: no tags, code, images, comments or entities', () => {
      const text = [
        '---',
        '{"title": "t", "tags": ["html"]}',
        '---',
        '<div class="intro"><!-- a note --><img src="/x.png" alt="A cat"><p>Static sites &amp; <b>bold</b> ideas,<br>rendered &lt;fast&gt;.</p>',
        '<h2>Setup</h2><pre><code>npm install</code></pre><script>alert(1)</script><p>Second.</p></div>',
        '',
      ].join('\n');
      const post = { path: 'html.md', text: text.replace('---\n{', '{').replace('}\n---', '}') };
      const d = fallbackSuggestions('description', post);
      assert.strictEqual(d.candidates[0].text, 'Static sites & bold ideas, rendered <fast>. Second.');
      const t = fallbackSuggestions('title', post);
      assert.deepStrictEqual(texts(t), ['Static sites & bold ideas, rendered <fast>', 'Html']);
    });

    it('turns file names into words', () => {
      assert.strictEqual(titleFromFileName('my-first-post.md'), 'My first post');
      assert.strictEqual(titleFromFileName('_posts/2024-05-01-hello_world.markdown'), 'Hello world');
      assert.strictEqual(titleFromFileName('content/posts/lisbon-trip/index.md'), 'Lisbon trip');
      assert.strictEqual(titleFromFileName('C:\\blog\\2023-06-02-gan-notes.md'), 'Gan notes');
    });

    it('cuts on word boundaries', () => {
      assert.strictEqual(cutAtWord('The quick brown fox jumps over the lazy dog', 20), 'The quick brown fox…');
      assert.strictEqual(cutAtWord('Short enough', 20), 'Short enough');
      assert.strictEqual(cutAtWord('Supercalifragilistic', 10), 'Supercali…');
      assert.strictEqual(cutAtWord('Ends, with a comma here', 11), 'Ends, with…');
    });
  });

  describe('bounds', function () {
    this.timeout(300_000);
    const paragraph = 'Static site generators turn Markdown posts into pages that load quickly and cost little to host. ';
    const bigPost = (kb: number) => `---\ntitle: t\n---\n${(paragraph.repeat(5) + '\n\n').repeat(Math.ceil((kb * 1024) / 500))}`;

    it('reads only the opening of a 1 MB post for titles and descriptions', () => {
      const small = { path: 'a.md', text: bigPost(100) };
      const large = { path: 'a.md', text: bigPost(1024) };
      const d = fallbackSuggestions('description', large, hugo());
      assert.ok(d.candidates.length && [...d.candidates[0].text].length <= 160);
      const run = (p: typeof small) => {
        fallbackSuggestions('title', p);
        fallbackSuggestions('description', p, hugo());
      };
      // Ten times the text: the work stays that of the first 64 KB (the split and the line endings are linear but cheap).
      const g = growth(run, small, large, 4);
      assert.ok(g.ratio < 4, `1 MB took ${g.ratio.toFixed(1)}× the time of 100 KB`);
    });

    it('ranks tags in time linear in the number of posts, whatever their size', () => {
      const words = ['gan', 'vae', 'gpt', 'hugo', 'jekyll', 'astro', 'css', 'rust', 'go', 'linux', 'cooking', 'travel'];
      const make = (count: number, kb: number): WorkspacePost[] =>
        Array.from({ length: count }, (_, i) => {
          const topic = words[i % words.length];
          const filler = `${topic}${i % 97} notes about ${topic} and word${i % 1013} in post ${i}. `;
          return { id: `p${i}.md`, tags: [topic, `t${i % 50}`], body: filler.repeat(Math.ceil((kb * 1024) / filler.length)) };
        });
      const post = { path: 'new.md', text: '---\ntitle: t\n---\nA post about gan training, vae latent spaces and gan mode collapse.\n' };
      const best = fallbackSuggestions('tags', post, { workspace: () => make(120, 2) });
      assert.deepStrictEqual(texts(best).slice(0, 2).sort(), ['gan', 'vae']);
      const byCount = growth(
        (posts: WorkspacePost[]) => fallbackSuggestions('tags', post, { workspace: () => posts }),
        make(100, 4),
        make(1000, 4),
        25,
      );
      assert.ok(byCount.ratio < 25, `ten times the posts took ${byCount.ratio.toFixed(1)}× the time`);
      const bySize = growth(
        (posts: WorkspacePost[]) => fallbackSuggestions('tags', post, { workspace: () => posts }),
        make(50, 25),
        make(50, 250),
        3,
      );
      assert.ok(bySize.ratio < 3, `posts ten times longer took ${bySize.ratio.toFixed(1)}× the time`);
    });
  });

  describe('sources', () => {
    it('tries a provider first and falls back when it has nothing', async () => {
      const calls: string[] = [];
      const silent: SuggestionProvider = { name: 'silent', suggest: async (kind) => (calls.push(kind), undefined) };
      const post = sample('vae-latent-walks.md');
      const r = await suggest('title', post, {}, [silent]);
      assert.deepStrictEqual(calls, ['title']);
      assert.deepStrictEqual(r, fallbackSuggestions('title', post));
      const model: SuggestionProvider = {
        name: 'model',
        suggest: async (kind) => ({ kind, candidates: [{ text: 'Latent walks, explained', source: 'first-heading' }] }),
      };
      assert.deepStrictEqual(texts(await suggest('title', post, {}, [model, silent])), ['Latent walks, explained']);
    });
  });
});
