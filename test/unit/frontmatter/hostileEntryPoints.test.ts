import * as assert from 'assert';
import { parseFrontmatter } from '../../../src/core/frontmatter/parse';
import { validatePost } from '../../../src/core/frontmatter/validate';
import { PostIndex } from '../../../src/core/posts/postIndex';
import { readingStats } from '../../../src/core/posts/readingTime';
import { summarize } from '../../../src/core/posts/summary';
import { createArticleRenderer } from '../../../src/core/render/engine';
import { frontMatterHeaderPlugin } from '../../../src/core/render/frontMatterPlugin';
import { createArticleMarkdown } from '../../../src/core/render/markdown';
import { HOSTILE_CASES } from '../../support/hostileInputs';
import { growth } from './timing';

/**
 * Every way a post's text enters Inkwell outside the editor UI: the validator, the post
 * index, the article preview's renderer, the plugin in VS Code's Markdown preview, the
 * reading time of the status bar and both previews (`inkwell check` has its own test, on the
 * built CLI). Each hostile post must cost time linear in its size at each of them.
 */
describe('hostile posts at every entry point', function () {
  this.timeout(300_000);

  const renderer = createArticleRenderer();
  const images = { allowHttpsImages: false, resolveLocal: () => undefined };
  const md = createArticleMarkdown();
  frontMatterHeaderPlugin(md, { locale: () => 'en', resolveImage: () => undefined });
  const index = new PostIndex();

  const entryPoints: Record<string, (text: string) => unknown> = {
    validator: (text) => validatePost(text),
    'post index': (text) => index.upsert('hostile', text),
    'article preview': (text) => renderer.render(text, { locale: 'en', images }),
    'Markdown preview plugin': (text) => md.render(text, {}),
    'reading time': (text) => readingStats(text),
  };

  for (const c of HOSTILE_CASES) {
    it(`${c.name}: ${c.what}`, () => {
      for (const [name, run] of Object.entries(entryPoints)) {
        // Sixteen times the text: linear work takes about 16x (up to twice that past a cache
        // or with the garbage collector), quadratic 256x. The frontmatter cases stay under the
        // 256 KB frontmatter limit, so the larger one is parsed, not refused.
        const small = c.make(12_000);
        const large = c.make(192_000);
        const g = growth(run, small, large, 64);
        assert.ok(
          g.ratio < 64,
          `${name}: 16x the text took ${g.ratio.toFixed(1)}x the time (${g.small.toFixed(2)} -> ${g.large.toFixed(1)} ms)`,
        );
      }
      // What each entry point says: the frontmatter cases are syntax problems, in words.
      const large = c.make(192_000);
      const parsed = parseFrontmatter(large);
      if (c.name === 'question-keys' || c.name === 'nested-dashes') {
        assert.ok(parsed.errors.length > 0, 'a problem is reported');
        for (const e of parsed.errors) assert.doesNotMatch(e.message, /call stack|Maximum/);
        assert.match(renderer.render(large, { locale: 'en', images }).headerHtml, /inkwell-frontmatter-error/);
      } else {
        assert.deepStrictEqual(parsed.errors, []);
        assert.strictEqual(summarize('x', parsed).title, 't');
      }
    });
  }
});
