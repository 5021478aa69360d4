/**
 * Render benchmarks: the article preview's render of a 50 KB post (goal: under
 * 25 ms) and the tag tree built from 10,000 posts. Each has a reference measured
 * in the same run: plain markdown-it for the render, a bare group-by for the tree.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import MarkdownIt from 'markdown-it';
import { renderArticle } from '../src/core/render/article';
import { createArticleRenderer } from '../src/core/render/engine';
import { createArticleMarkdown } from '../src/core/render/markdown';
import { buildTagTree, TagTreePost } from '../src/core/render/tagTree';
import type { ImagePolicy } from '../src/core/render/urlPolicy';

const RENDER_GOAL_MS = 25;

export interface Timing {
  median: number;
  p95: number;
}

/**
 * Times `subject` and `reference` alternately, call by call, so that load from
 * other processes falls on both alike; returns median and p95 of each.
 */
export function timePair(subject: () => unknown, reference: () => unknown, runs: number, warmup: number): [Timing, Timing] {
  for (let i = 0; i < warmup; i++) {
    subject();
    reference();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    subject();
    a.push(performance.now() - t0);
    t0 = performance.now();
    reference();
    b.push(performance.now() - t0);
  }
  const stats = (xs: number[]): Timing => {
    xs.sort((x, y) => x - y);
    return { median: xs[Math.floor(xs.length / 2)], p95: xs[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))] };
  };
  return [stats(a), stats(b)];
}

/** A ~50 KB post made of the sample posts' bodies: prose, code, lists and raw HTML blocks. */
function fiftyKbPost(): string {
  const dir = path.resolve(__dirname, '..', 'samples', 'blog', 'posts');
  const bodies = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8').replace(/^(---|\+\+\+)\n[\s\S]*?\n\1\n/, ''));
  const header =
    '---\ntitle: A Long Post\ndate: 2024-03-01\ndescription: Every sample post, several times.\ntags: [bench, generative-ai]\nimage: /uploads/gan-grid.png\n---\n';
  let body = '';
  for (let i = 0; body.length < 50_000; i++)
    body += `\n## Part ${i + 1}\n\n${bodies[i % bodies.length]}\n![figure](images/figure-${i}.png)\n`;
  // Cut at a paragraph boundary just under 50 KB so the input size is the one the goal names.
  const cut = body.lastIndexOf('\n\n', 50 * 1024 - header.length);
  return header + body.slice(0, cut) + '\n';
}

/** Deterministic synthetic posts: 1–5 of 300 tags each, dates over ten years, some undated. */
function syntheticPosts(count: number): TagTreePost[] {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const tags = Array.from({ length: 300 }, (_, i) => `tag-${i}`);
  return Array.from({ length: count }, (_, i) => {
    const time = rand() < 0.05 ? undefined : Date.UTC(2015, 0, 1) + Math.floor(rand() * 3650) * 86_400_000;
    const n = 1 + Math.floor(rand() * 5);
    return {
      id: `file:///blog/posts/post-${i}.md`,
      title: `Post number ${i}`,
      date: time === undefined ? undefined : new Date(time).toISOString().slice(0, 10),
      time,
      tags: Array.from({ length: n }, () => tags[Math.floor(rand() ** 2 * tags.length)]),
    };
  });
}

export async function benchRender(): Promise<void> {
  const text = fiftyKbPost();
  const images: ImagePolicy = {
    allowHttpsImages: false,
    resolveLocal: (p) => `https://file+.vscode-resource.vscode-cdn.net/blog/static${p}`,
  };
  const md = createArticleMarkdown();
  const plain = new MarkdownIt({ html: true, linkify: true });
  const options = { locale: 'en-US', images };
  // Cold: a fresh body renderer each time, so nothing is cached (the first render of a post).
  const [cold, coldRef] = timePair(
    () => renderArticle(md, text, options),
    () => plain.render(text),
    60,
    10,
  );
  // Live edit: the preview's renderer re-rendering after a one-paragraph edit.
  const live = createArticleRenderer();
  let n = 0;
  const edited = () => `${text}\nAn edit, version ${n++}.\n`;
  const [warm, warmRef] = timePair(
    () => live.render(edited(), options),
    () => plain.render(text),
    60,
    10,
  );

  const posts = syntheticPosts(10_000);
  const groupBy = () => {
    const byTag = new Map<string, TagTreePost[]>();
    for (const p of posts) for (const t of p.tags) (byTag.get(t) ?? byTag.set(t, []).get(t)!).push(p);
    return byTag;
  };
  const [tree, treeRef] = timePair(() => buildTagTree(posts), groupBy, 30, 5);
  const [filtered, filteredRef] = timePair(() => buildTagTree(posts, 'tag-1'), groupBy, 30, 5);

  const ms = (v: number) => v.toFixed(2);
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(', ');
  const kb = `${(text.length / 1024).toFixed(1)} KB post (${((text.match(/^<.*$/gm) ?? []).join('').length / 1024).toFixed(0)} KB raw HTML)`;
  const row = (name: string, input: string, t: Timing, refName: string, r: Timing, goal = '') =>
    console.log(
      `| ${name} | ${input} | ${ms(t.median)} | ${ms(t.p95)} | ${refName} | ${ms(r.median)} | ${(t.median / r.median).toFixed(2)}× | ${goal} |`,
    );
  console.log(`\n## Render (article preview and tag tree)\n`);
  console.log(
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores, load average ${load}), Node ${process.version}. Subject and reference run alternately, call by call, after warm-up, so load from other processes falls on both.\n`,
  );
  console.log('| Case | Input | Median ms | p95 ms | Reference | Reference median ms | Ratio | Goal |');
  console.log('|---|---|---|---|---|---|---|---|');
  row(
    'Article render, first (header, markdown-it, sanitize, image resolution)',
    kb,
    cold,
    'plain markdown-it render',
    coldRef,
    `< ${RENDER_GOAL_MS} ms: ${cold.median < RENDER_GOAL_MS ? 'met' : 'NOT met'}`,
  );
  row(
    'Article re-render after an edit (cached sanitized segments)',
    kb,
    warm,
    'plain markdown-it render',
    warmRef,
    `< ${RENDER_GOAL_MS} ms: ${warm.median < RENDER_GOAL_MS ? 'met' : 'NOT met'}`,
  );
  row('Tag tree build (group, sort tags, sort posts)', '10,000 posts, 300 tags', tree, 'group-by into a Map, no sorting', treeRef);
  row('Tag tree build, filter "tag-1"', '10,000 posts, 300 tags', filtered, 'group-by into a Map, no sorting', filteredRef);
}

if (require.main === module) void benchRender();
