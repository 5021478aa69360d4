/**
 * Render benchmarks: the article preview's render of a 50 KB post (goal: under
 * 25 ms) and the tag tree built from 10,000 posts. Each has a reference measured
 * in the same run: plain markdown-it for the render, a bare group-by for the tree.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import MarkdownIt from 'markdown-it';
import { createArticleRenderer } from '../src/core/render/engine';
import { buildTagTree, TagTreePost } from '../src/core/render/tagTree';
import type { ImagePolicy } from '../src/core/render/urlPolicy';

const RENDER_GOAL_MS = 25;

/** Median and 95th percentile of `runs` timed calls after `warmup` untimed ones. */
function time(fn: () => unknown, runs: number, warmup: number): { median: number; p95: number } {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(runs / 2)], p95: samples[Math.min(runs - 1, Math.floor(runs * 0.95))] };
}

/** A ~50 KB post made of the sample posts' bodies: prose, code, lists and raw HTML blocks. */
function fiftyKbPost(): string {
  const dir = path.resolve(__dirname, '..', 'samples', 'blog', 'posts');
  const bodies = fs.readdirSync(dir).filter((f) => f.endsWith('.md')).sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8').replace(/^(---|\+\+\+)\n[\s\S]*?\n\1\n/, ''));
  const header = '---\ntitle: A Long Post\ndate: 2024-03-01\ndescription: Every sample post, several times.\ntags: [bench, generative-ai]\nimage: /uploads/gan-grid.png\n---\n';
  let body = '';
  for (let i = 0; body.length < 50_000; i++) body += `\n## Part ${i + 1}\n\n${bodies[i % bodies.length]}\n![figure](images/figure-${i}.png)\n`;
  // Cut at a paragraph boundary just under 50 KB so the input size is the one the goal names.
  const cut = body.lastIndexOf('\n\n', 50 * 1024 - header.length);
  return header + body.slice(0, cut) + '\n';
}

/** Deterministic synthetic posts: 1–5 of 300 tags each, dates over ten years, some undated. */
function syntheticPosts(count: number): TagTreePost[] {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
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
  const images: ImagePolicy = { allowHttpsImages: false, resolveLocal: (p) => `https://file+.vscode-resource.vscode-cdn.net/blog/static${p}` };
  const renderer = createArticleRenderer();
  const plain = new MarkdownIt({ html: true, linkify: true });
  const ours = time(() => renderer.render(text, { locale: 'en-US', images }), 40, 10);
  const reference = time(() => plain.render(text), 40, 10);

  const posts = syntheticPosts(10_000);
  const tree = time(() => buildTagTree(posts), 30, 5);
  const filtered = time(() => buildTagTree(posts, 'tag-1'), 30, 5);
  const groupOnly = time(() => {
    const byTag = new Map<string, TagTreePost[]>();
    for (const p of posts) for (const t of p.tags) (byTag.get(t) ?? byTag.set(t, []).get(t)!).push(p);
    return byTag;
  }, 30, 5);

  const ms = (v: number) => v.toFixed(2);
  console.log(`\n## Render (article preview and tag tree)\n`);
  const load = os.loadavg().map((l) => l.toFixed(1)).join(', ');
  console.log(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores, load average ${load}), Node ${process.version}. Times are per call after warm-up; other work on the machine inflates both columns alike, so compare the ratio.\n`);
  console.log('| Case | Input | Median ms | p95 ms | Reference | Reference median ms | Ratio | Goal |');
  console.log('|---|---|---|---|---|---|---|---|');
  console.log(`| Article render (header, markdown-it, sanitize, image resolution) | ${(text.length / 1024).toFixed(1)} KB post | ${ms(ours.median)} | ${ms(ours.p95)} | plain markdown-it render | ${ms(reference.median)} | ${(ours.median / reference.median).toFixed(2)}× | < ${RENDER_GOAL_MS} ms: ${ours.median < RENDER_GOAL_MS ? 'met' : 'NOT met'} |`);
  console.log(`| Tag tree build (group, sort tags, sort posts) | 10,000 posts, 300 tags | ${ms(tree.median)} | ${ms(tree.p95)} | group-by into a Map, no sorting | ${ms(groupOnly.median)} | ${(tree.median / groupOnly.median).toFixed(2)}× | |`);
  console.log(`| Tag tree build with filter "tag-1" | 10,000 posts | ${ms(filtered.median)} | ${ms(filtered.p95)} | group-by into a Map, no sorting | ${ms(groupOnly.median)} | ${(filtered.median / groupOnly.median).toFixed(2)}× | |`);
}

if (require.main === module) void benchRender();
