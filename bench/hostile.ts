/**
 * Hostile posts (test/support/hostileInputs.ts) at every entry point a post's text
 * reaches on the extension host: the validator, the post index, the article preview,
 * the plugin in VS Code's Markdown preview and reading time. The input doubles from
 * 16 KB to 256 KB, so linear growth shows as a doubling per row; the reference is a
 * normal post of the same size, timed alternately with it in the same run. A second
 * table gives the peak memory each case adds, in a fresh process per case.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { validatePost } from '../src/core/frontmatter/validate';
import { PostIndex } from '../src/core/posts/postIndex';
import { readingStats } from '../src/core/posts/readingTime';
import { createArticleRenderer } from '../src/core/render/engine';
import { frontMatterHeaderPlugin } from '../src/core/render/frontMatterPlugin';
import { createArticleMarkdown } from '../src/core/render/markdown';
import { HOSTILE_CASES, normalPost } from '../test/support/hostileInputs';
import { timePair } from './render';

const SIZES = [16_000, 32_000, 64_000, 128_000, 256_000];

/** The entry points, each a function of the post's text. */
export function hostileEntryPoints(): Record<string, (text: string) => unknown> {
  const renderer = createArticleRenderer();
  const images = { allowHttpsImages: false, resolveLocal: () => undefined };
  const md = createArticleMarkdown();
  frontMatterHeaderPlugin(md, { locale: () => 'en', resolveImage: () => undefined });
  const index = new PostIndex();
  return {
    validator: (text) => validatePost(text),
    'post index': (text) => index.upsert('post', text),
    'article preview': (text) => renderer.render(text, { locale: 'en', images }),
    'Markdown preview': (text) => md.render(text, {}),
    'reading time': (text) => readingStats(text),
  };
}

export async function benchHostile(): Promise<void> {
  const entry = hostileEntryPoints();
  const names = Object.keys(entry);
  console.log('\n## Hostile posts: time at every entry point as the input doubles\n');
  console.log('Each cell: median ms of the hostile post (7 runs), then in brackets the normal post of the same size, timed alternately.');
  console.log('Every entry point runs all five on each keystroke or preview update, so the sum per row is what one edit costs.\n');
  console.log(`| case | size | ${names.join(' | ')} | sum (normal) |`);
  console.log(`|---|--:|${names.map(() => '--:').join('|')}|--:|`);
  let worst = { ms: 0, where: '' };
  for (const c of HOSTILE_CASES) {
    for (const size of SIZES) {
      const text = c.make(size);
      const normal = normalPost(size);
      const cells: string[] = [];
      let sum = 0;
      let sumNormal = 0;
      for (const name of names) {
        const [{ median: ms }, { median: ref }] = timePair(
          () => entry[name](text),
          () => entry[name](normal),
          7,
          1,
        );
        sum += ms;
        sumNormal += ref;
        cells.push(`${ms.toFixed(1)} (${ref.toFixed(1)})`);
      }
      if (sum > worst.ms) worst = { ms: sum, where: `${c.name} at ${size / 1000} KB` };
      console.log(`| ${c.name} | ${size / 1000} KB | ${cells.join(' | ')} | ${sum.toFixed(1)} (${sumNormal.toFixed(1)}) |`);
    }
  }
  console.log(`\nSlowest hostile post, all entry points together: ${worst.ms.toFixed(0)} ms (${worst.where}); goal: under 1000 ms.`);

  console.log('\n## Hostile posts: peak memory\n');
  console.log(
    'A fresh Node process per case runs every entry point on the 256 KB post; the table gives the growth of its peak resident set over the same process on a normal 256 KB post (goal: no input adds 256 MB).\n',
  );
  console.log('| case | peak RSS growth over a normal post |');
  console.log('|---|--:|');
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const peak = (name: string) => Number(execFileSync(tsx, [path.join(__dirname, 'hostileMemory.ts'), name], { encoding: 'utf8' }).trim());
  const base = peak('normal');
  for (const c of HOSTILE_CASES) console.log(`| ${c.name} | ${((peak(c.name) - base) / 2 ** 20).toFixed(1)} MB |`);
}
