/**
 * Speculative decoding with prompt-lookup drafts against plain decoding: greedy, the same model,
 * the same prompt (passages that repeat, which is what drafts copy), the two taking turns run by
 * run so a busy machine slows both alike. Prints the median tokens/s of each (with the spread),
 * the ratio of medians, and how many drafts were proposed and accepted; every run checks that
 * the speculative tokens are the plain ones.
 *
 * The model: INKWELL_BENCH_MODEL (a folder), else the shipped inkwell-gpt when its ONNX file is
 * there, else the distilgpt2-shaped model bench/generation.ts builds in bench/.cache, else the
 * tiny-gpt2 test fixture (random weights: few drafts are accepted, so it shows the overhead).
 *
 * Run: npm run bench -- speculative  (or: npx tsx bench/speculative.ts)
 * Settings: INKWELL_BENCH_THREADS (2), INKWELL_BENCH_TOKENS (96), INKWELL_BENCH_RUNS (5, at least 3),
 * INKWELL_BENCH_MODEL, INKWELL_BENCH_SPECULATIVE (prompt-lookup or auto; default prompt-lookup).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadModelInProcess, type InProcessModel } from '../src/cli/continue';
import { generateText } from '../src/generation/generate';
import type { SpeculativeMode } from '../src/generation/speculative';
import type { SamplingOptions, TextGenerationParams } from '../src/generation/textRequest';

const repo = path.join(__dirname, '..');
const threads = Number(process.env.INKWELL_BENCH_THREADS ?? 2);
const newTokens = Number(process.env.INKWELL_BENCH_TOKENS ?? 96);
const runs = Math.max(3, Number(process.env.INKWELL_BENCH_RUNS ?? 5));
const mode = (process.env.INKWELL_BENCH_SPECULATIVE ?? 'prompt-lookup') as SpeculativeMode;
const greedy: SamplingOptions = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 };

/** A post that quotes itself: a passage, a remark, the passage again, and the start of it once more. */
const passage =
  'To install the site generator, download the archive, unpack it into a folder of your choice, ' +
  'and add that folder to your PATH so that the command runs from any directory. ';
const prompt = `${passage}Readers asked for the steps again, so here they are once more. ${passage}And for the third time: To install`;

function benchModelDir(): string {
  const candidates = [
    process.env.INKWELL_BENCH_MODEL,
    path.join(repo, 'models', 'inkwell-gpt'),
    path.join(repo, 'bench', '.cache', 'distilgpt2-shape'),
    path.join(repo, 'test', 'fixtures', 'models', 'tiny-gpt2'),
  ];
  const dir = candidates.find((d) => d && fs.existsSync(path.join(d, 'onnx', 'model.onnx')));
  if (!dir) throw new Error('no model to run: set INKWELL_BENCH_MODEL to a model folder');
  return dir;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const spread = (values: number[]) => `${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;

/** One greedy generation of exactly `newTokens` tokens (no end-of-text): its tokens, speed and drafts. */
async function once(model: InProcessModel, speculative: SpeculativeMode) {
  const params: TextGenerationParams = { prompt, maxTokens: newTokens, sampling: greedy, stop: [], endAtSentence: false, speculative };
  const result = await generateText(model, params);
  return { tokens: result.tokens, tokensPerSecond: result.tokensPerSecond, draft: result.draft };
}

export async function benchSpeculative(): Promise<void> {
  const dir = benchModelDir();
  const loaded = await loadModelInProcess(dir, threads, 'auto');
  // Without end-of-text ids every run decodes the same number of tokens.
  const model: InProcessModel = { ...loaded, spec: { ...loaded.spec, eosTokenIds: [] } };
  try {
    console.log(`\n## Speculative decoding (prompt lookup) against plain greedy decoding\n`);
    console.log(
      `Model ${path.relative(repo, dir) || dir} (${loaded.files.decoder.dtype}), ${threads} threads, ${newTokens} new tokens, ` +
        `${runs} runs each taking turns, mode ${mode}. Load average before: ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(', ')}.\n`,
    );
    await once(model, 'off'); // warm-up
    const plain: number[] = [];
    const fast: number[] = [];
    const drafts = { proposed: 0, accepted: 0 };
    for (let i = 0; i < runs; i++) {
      const a = await once(model, 'off');
      const b = await once(model, mode);
      assert.deepStrictEqual(b.tokens, a.tokens, 'speculative decoding changed the tokens');
      plain.push(a.tokensPerSecond);
      fast.push(b.tokensPerSecond);
      drafts.proposed += b.draft?.proposed ?? 0;
      drafts.accepted += b.draft?.accepted ?? 0;
    }
    const rate = drafts.proposed ? ((100 * drafts.accepted) / drafts.proposed).toFixed(0) : '–';
    console.log('| decoding | tokens/s, median (min–max) | ratio to plain | drafts accepted / proposed (per run) |');
    console.log('|---|---|---|---|');
    console.log(`| plain | ${spread(plain)} | 1.00 | – |`);
    console.log(
      `| ${mode} | ${spread(fast)} | ${(median(fast) / median(plain)).toFixed(2)} | ${drafts.accepted / runs} / ${drafts.proposed / runs} (${rate}%) |`,
    );
    console.log(
      `\nLoad average after: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}. Tokens identical in every run.`,
    );
  } finally {
    await loaded.release();
  }
}

if (require.main === module) void benchSpeculative();
