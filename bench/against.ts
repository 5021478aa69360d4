/**
 * Decode speed of this tree against an earlier revision: the command line of each (`inkwell
 * continue --json`, greedy, the same model file, the same prompt) taking turns run by run, the
 * order flipped every run, so a busy machine slows both alike. Prints each side's median tokens/s
 * (decode only, as the CLI reports it), the ratio of medians and the paired ratios, and checks
 * that both gave the same tokens.
 *
 * Run: npx tsx bench/against.ts REV   (e.g. a commit before a refactor of the decode loop)
 * Settings: INKWELL_BENCH_MODEL (default bench/.cache/distilgpt2-shape, built by
 * `npm run bench -- generation`), INKWELL_BENCH_DTYPES (fp32,q4), INKWELL_BENCH_TOKENS (384),
 * INKWELL_BENCH_RUNS (12), INKWELL_BENCH_THREADS (2).
 *
 * REV is checked out into bench/.cache/against-<commit> (a git worktree sharing this tree's
 * node_modules, so both run the same onnxruntime-node) and built with its own esbuild.js.
 * This tree runs from its dist/ (build it first: node esbuild.js) with the optimized-model cache
 * off, so that only the code differs.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadAverage, median, spread } from './stats';

const repo = path.join(__dirname, '..');
const rev = process.argv[2];
const model = process.env.INKWELL_BENCH_MODEL ?? path.join(repo, 'bench', '.cache', 'distilgpt2-shape');
const dtypes = (process.env.INKWELL_BENCH_DTYPES ?? 'fp32,q4').split(',');
const tokens = Number(process.env.INKWELL_BENCH_TOKENS ?? 384);
const runs = Math.max(3, Number(process.env.INKWELL_BENCH_RUNS ?? 12));
const threads = Number(process.env.INKWELL_BENCH_THREADS ?? 2);
const prompt = 'Generative models learn the distribution of their training data and sample new examples from it. In this post we look at';

const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

/** A built checkout of `rev`, made once. */
function checkout(ref: string): string {
  const commit = git('rev-parse', '--verify', `${ref}^{commit}`);
  const dir = path.join(repo, 'bench', '.cache', `against-${commit.slice(0, 12)}`);
  if (!fs.existsSync(path.join(dir, 'dist', 'cli.js'))) {
    if (!fs.existsSync(dir)) git('worktree', 'add', '--detach', '-f', dir, commit);
    if (!fs.existsSync(path.join(dir, 'node_modules'))) fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
    execFileSync(process.execPath, ['esbuild.js'], { cwd: dir, stdio: 'ignore' });
  }
  return dir;
}

interface Run {
  tokensPerSecond: number;
  tokens: number[];
}

function continueOnce(dir: string, dtype: string, extra: string[]): Run {
  const args = ['dist/cli.js', 'continue', '--model', model, '--dtype', dtype, '--greedy', '--mid-sentence'];
  args.push('--max-tokens', String(tokens), '--threads', String(threads), '--json', '--prompt', prompt, ...extra);
  const out = JSON.parse(execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as {
    tokens_per_s: number;
    tokens: number[];
  };
  return { tokensPerSecond: out.tokens_per_s, tokens: out.tokens };
}

function main(): void {
  if (!rev) throw new Error('usage: npx tsx bench/against.ts REV');
  if (!fs.existsSync(path.join(repo, 'dist', 'cli.js'))) throw new Error('build this tree first: node esbuild.js');
  const before = checkout(rev);
  console.log(`\n## Decode: this tree against ${rev} (${git('rev-parse', '--short', rev)})\n`);
  console.log(
    `${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, Node ${process.version}; model ${path.relative(repo, model) || model}, ` +
      `${tokens} greedy tokens, ${threads} threads, ${runs} runs each taking turns. Load average before: ${loadAverage()}.\n`,
  );
  console.log('| dtype | before: tokens/s, median (min–max) | now | ratio of medians | paired ratios, median (min–max) |');
  console.log('|---|---|---|--:|---|');
  for (const dtype of dtypes) {
    const then: number[] = [];
    const now: number[] = [];
    for (let i = 0; i < runs; i++) {
      const order = i % 2 ? ['now', 'then'] : ['then', 'now'];
      const got: Record<string, Run> = {};
      for (const side of order) {
        got[side] = side === 'then' ? continueOnce(before, dtype, []) : continueOnce(repo, dtype, ['--model-cache', 'off']);
      }
      assert.deepStrictEqual(got.now.tokens, got.then.tokens, `${dtype}: the tokens differ from ${rev}'s`);
      then.push(got.then.tokensPerSecond);
      now.push(got.now.tokensPerSecond);
    }
    const paired = now.map((v, i) => v / then[i]);
    console.log(`| ${dtype} | ${spread(then)} | ${spread(now)} | ${(median(now) / median(then)).toFixed(3)} | ` + `${spread(paired, 3)} |`);
  }
  console.log(`\nTokens identical in every run. Load average after: ${loadAverage()}.`);
}

main();
