/**
 * Posts benchmark: a cold `inkwell check` of 10,000 generated posts (the CLI
 * itself, in process: walk, read, parse, index, validate, report), re-validating one 50 KB post
 * as the editor does on each debounced edit, and peak memory. The reference,
 * measured in the same run on the same files, is gray-matter (the parser most
 * frontmatter tools use) only parsing them, without any validation.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import matter from 'gray-matter';
import { toSlash } from '../src/core/frontmatter/images';
import { validatePost } from '../src/core/frontmatter/validate';
import { readPosts, run as runCheck } from '../src/cli/check';
import type { CliIo } from '../src/cli/io';
import { PostIndex } from '../src/core/posts/postIndex';

const POSTS = 10_000;
const EDITS = 400;

/** A deterministic pseudo-random generator, so every run checks the same site. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WORDS =
  'model latent image sample train data noise layer token prompt weight loss gradient batch epoch decoder encoder attention vector space blog post draft writing local offline'.split(
    ' ',
  );

function sentence(r: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(r() * WORDS.length)]);
  const s = out.join(' ');
  return s[0].toUpperCase() + s.slice(1) + '.';
}

/** One generated post: mostly YAML, some TOML and JSON; a few with the usual mistakes. */
function generatePost(i: number, r: () => number): string {
  const tagPool = 300;
  const tags = Array.from({ length: 1 + Math.floor(r() * 5) }, () => `topic-${Math.floor(r() ** 2 * tagPool)}`);
  if (r() < 0.02) tags.push('Topic 1'); // a variant spelling
  const title = sentence(r, 3 + Math.floor(r() * 6)).slice(0, -1);
  const description = sentence(r, 8 + Math.floor(r() * 14));
  const date = r() < 0.01 ? '2023/05/08' : `20${10 + Math.floor(r() * 14)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`;
  const body = Array.from({ length: 4 + Math.floor(r() * 12) }, () => sentence(r, 20 + Math.floor(r() * 30))).join('\n\n');
  const kind = r();
  if (kind < 0.05) {
    return `+++\ntitle = ${JSON.stringify(title)}\ndate = ${date.includes('/') ? JSON.stringify(date) : date}\ndescription = ${JSON.stringify(description)}\ntags = ${JSON.stringify(tags)}\n+++\n\n${body}\n`;
  }
  if (kind < 0.1) {
    return `${JSON.stringify({ title, date, description, tags }, null, 2)}\n\n${body}\n`;
  }
  const image = r() < 0.3 ? `image: /uploads/post-${i % 50}.png\n` : '';
  return `---\ntitle: ${title}\ndate: ${date}\ndescription: ${description}\ntags:\n${tags.map((t) => `  - ${t}`).join('\n')}\n${image}---\n\n${body}\n`;
}

/** Writes the generated site once into bench/.cache (reused by later runs). */
function ensureSite(): string {
  const dir = path.resolve(__dirname, '.cache', `posts-${POSTS}`);
  const marker = path.join(dir, '.complete');
  if (fs.existsSync(marker)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'posts'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'static', 'uploads'), { recursive: true });
  for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(dir, 'static', 'uploads', `post-${i}.png`), 'png');
  const r = rng(42);
  for (let i = 0; i < POSTS; i++) fs.writeFileSync(path.join(dir, 'posts', `post-${String(i).padStart(5, '0')}.md`), generatePost(i, r));
  fs.writeFileSync(marker, '');
  return dir;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export async function benchPosts(): Promise<void> {
  const site = ensureSite();
  const files = fs.readdirSync(path.join(site, 'posts')).map((f) => path.join(site, 'posts', f));
  const staticFolders = ['static', 'public', '.'];

  // 1. Cold check: `inkwell check <site> --format json`, in this process, the first time.
  const rssBefore = process.memoryUsage().rss;
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let report = '';
  const io: CliIo = { out: (l) => (report += l), err: () => {}, cwd: site };
  const c0 = cpuMs();
  const t0 = performance.now();
  await runCheck(['--format', 'json'], io);
  const coldMs = performance.now() - t0;
  const coldCpuMs = cpuMs() - c0;
  const problems = (JSON.parse(report) as { problems: unknown[] }).problems.length;
  const heapAfter = process.memoryUsage().heapUsed;
  const tr = performance.now();
  const sources = readPosts(files, 2048, () => {});
  const readMs = performance.now() - tr;

  // Warm check, same work again (JIT warmed).
  const c1 = cpuMs();
  const t1 = performance.now();
  await runCheck(['--format', 'json'], { ...io, out: () => {} });
  const warmMs = performance.now() - t1;
  const warmCpuMs = cpuMs() - c1;

  // Reference: gray-matter only parsing the same files (options bypass its content cache).
  const c2 = cpuMs();
  const t2 = performance.now();
  for (const f of files) matter(fs.readFileSync(f, 'utf8'), { excerpt: false });
  const grayMatterMs = performance.now() - t2;
  const grayMatterCpuMs = cpuMs() - c2;

  // 2. Re-validating one 50 KB post, as the editor does after each debounced edit.
  const index = new PostIndex();
  index.transaction(() => sources.forEach((s) => index.upsert(s.path, s.text)));
  const r = rng(7);
  let big = generatePost(1, r);
  while (big.length < 50 * 1024) big += '\n' + sentence(r, 40);
  const postPath = toSlash(path.join(site, 'posts', 'big.md'));
  const options = {
    postPath,
    postId: postPath,
    siteRoot: toSlash(site),
    staticFolders,
    fileExists: (p: string) => fs.existsSync(p),
    tags: index,
  };
  const times: number[] = [];
  const refTimes: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    // Each "edit" changes the text, as typing does, so no cache can help.
    const text = big.replace(/\n\n/, `\n\nEdit ${i}.\n\n`);
    const a = performance.now();
    index.upsert(postPath, text);
    validatePost(text, options);
    times.push(performance.now() - a);
    const b = performance.now();
    matter(text, { excerpt: false });
    refTimes.push(performance.now() - b);
  }
  const p50 = percentile(times, 50),
    p95 = percentile(times, 95);
  const refP95 = percentile(refTimes, 95);

  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  const totalKB = files.reduce((n, f) => n + fs.statSync(f).size, 0) / 1024;
  const load = os.loadavg()[0];
  console.log(
    `\n## Posts: frontmatter checks (${os.cpus()[0]?.model ?? 'CPU'}, ${os.cpus().length} cores, load average ${load.toFixed(1)}, Node ${process.version})\n`,
  );
  console.log(
    `Inputs: ${POSTS.toLocaleString('en')} generated posts (${(totalKB / 1024).toFixed(1)} MB; 90% YAML, 5% TOML, 5% JSON; ${problems} problems found), one ${(big.length / 1024).toFixed(0)} KB post edited ${EDITS} times.`,
  );
  console.log('Reference: gray-matter parsing the same files without validating them, in the same run.');
  if (load > os.cpus().length)
    console.log(
      `Note: the machine is oversubscribed (load ${load.toFixed(1)} on ${os.cpus().length} cores), so wall times are inflated; CPU time is the steadier number.`,
    );
  console.log('\n| measure | Inkwell | reference (gray-matter parse only) | ratio | goal |');
  console.log('|---|---:|---:|---:|---|');
  console.log(
    `| cold \`inkwell check\` of ${POSTS.toLocaleString('en')} posts (walk, read, parse, index, validate, JSON), wall | ${coldMs.toFixed(0)} ms (reading alone: ${readMs.toFixed(0)} ms) | ${grayMatterMs.toFixed(0)} ms | ${(coldMs / grayMatterMs).toFixed(2)}× | < 1500 ms: ${coldMs < 1500 ? 'met' : 'MISSED'} |`,
  );
  console.log(
    `| cold check, CPU time | ${coldCpuMs.toFixed(0)} ms | ${grayMatterCpuMs.toFixed(0)} ms | ${(coldCpuMs / grayMatterCpuMs).toFixed(2)}× | < 1500 ms: ${coldCpuMs < 1500 ? 'met' : 'MISSED'} |`,
  );
  console.log(
    `| warm check of the same posts, wall / CPU | ${warmMs.toFixed(0)} / ${warmCpuMs.toFixed(0)} ms | | ${(warmCpuMs / grayMatterCpuMs).toFixed(2)}× (CPU) | |`,
  );
  console.log(`| re-validate one 50 KB post, p50 | ${p50.toFixed(3)} ms | ${percentile(refTimes, 50).toFixed(3)} ms | | |`);
  console.log(
    `| re-validate one 50 KB post, p95 | ${p95.toFixed(3)} ms | ${refP95.toFixed(3)} ms | ${(p95 / refP95).toFixed(2)}× | < 3 ms: ${p95 < 3 ? 'met' : 'MISSED'} |`,
  );
  console.log(`| peak RSS of the process | ${maxRssMB.toFixed(0)} MB (${(rssBefore / 2 ** 20).toFixed(0)} MB before the check) | | | |`);
  console.log(`| JS heap with the results of ${POSTS.toLocaleString('en')} posts held | ${(heapAfter / 2 ** 20).toFixed(0)} MB | | | |`);
}

if (require.main === module) void benchPosts();
