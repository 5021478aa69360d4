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
import * as path from 'path';
import { loadAverage, median, spread } from './stats';
import { loadModelInProcess, type InProcessModel } from '../src/cli/continue';
import { DecoderRun } from '../src/generation/decoder';
import { encodePrompt, generateText } from '../src/generation/generate';
import { postBody } from '../src/core/suggest/plainText';
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

/** A count summed over the runs, per run (rounded). */
const perRun = (n: number) => (n / runs).toFixed(0);

/** One greedy generation of exactly `newTokens` tokens (no end-of-text): its tokens, speed and drafts. */
async function once(model: InProcessModel, speculative: SpeculativeMode) {
  const params: TextGenerationParams = { prompt, maxTokens: newTokens, sampling: greedy, stop: [], endAtSentence: false, speculative };
  const result = await generateText(model, params);
  return { tokens: result.tokens, tokensPerSecond: result.tokensPerSecond, draft: result.draft };
}

export async function benchSpeculative(): Promise<void> {
  await benchPromptLookup();
  await benchCopyHeavy();
  await benchDraftModel();
  await benchVerification();
}

/**
 * Draft-model drafts against plain greedy decoding on the distilgpt2-shaped fp32 model (random
 * weights, GPT-2's tokenizer), with two drafts that share its tokenizer: the same weights in q4
 * (a quantized copy of the model drafting for it: it agrees often and runs ~2× faster) and the
 * tiny-gpt2 test fixture (random weights of its own: it almost never agrees, so the row shows
 * what drafts that miss cost, and `auto` pausing them). Taking turns, every run's tokens checked
 * against plain decoding. On a prompt without repeats, so prompt lookup finds little.
 */
export async function benchDraftModel(): Promise<void> {
  const targetDir = path.join(repo, 'bench', '.cache', 'distilgpt2-shape');
  const tiny = path.join(repo, 'test', 'fixtures', 'models', 'tiny-gpt2');
  if (!fs.existsSync(path.join(targetDir, 'onnx', 'model_q4.onnx'))) {
    console.log('\n(draft-model table skipped: run `npm run bench -- generation` once to build bench/.cache/distilgpt2-shape)');
    return;
  }
  const strip = (m: InProcessModel): InProcessModel => ({ ...m, spec: { ...m.spec, eosTokenIds: [] } });
  const target = await loadModelInProcess(targetDir, threads, 'fp32');
  const drafts = [
    { label: 'the same weights in q4', model: await loadModelInProcess(targetDir, threads, 'q4') },
    { label: 'tiny-gpt2 (random, 2 layers)', model: await loadModelInProcess(tiny, threads, 'fp32') },
  ];
  const plainPrompt =
    'Generative models learn the distribution of their training data and sample new examples from it. In this post we look at';
  const run = async (speculative: SpeculativeMode, draft?: InProcessModel) => {
    const params: TextGenerationParams = {
      prompt: plainPrompt,
      maxTokens: newTokens,
      sampling: greedy,
      stop: [],
      endAtSentence: false,
      speculative,
    };
    const r = await generateText(strip(target), params, { draft });
    return { tokens: r.tokens, tokensPerSecond: r.tokensPerSecond, draft: r.draft };
  };
  try {
    console.log('\n### Draft-model drafts against plain greedy decoding (distilgpt2-shaped, fp32)\n');
    console.log(
      `${threads} threads, ${newTokens} new tokens, ${runs} runs each taking turns, a prompt without repeats. Load average before: ${loadAverage()}.\n`,
    );
    console.log('| draft model | mode | tokens/s, median (min–max) | ratio to plain | drafts accepted / proposed (per run) |');
    console.log('|---|---|---|---|---|');
    for (const d of drafts) {
      await run('off');
      await run('draft', d.model);
      const results: Record<string, { tps: number[]; proposed: number; accepted: number }> = {};
      const variants: Array<[string, SpeculativeMode]> = [
        ['plain', 'off'],
        ['draft', 'draft'],
        ['auto', 'auto'],
      ];
      for (let i = 0; i < runs; i++) {
        const plain = await run('off');
        for (const [name, mode] of variants) {
          const r = name === 'plain' ? plain : await run(mode, d.model);
          assert.deepStrictEqual(r.tokens, plain.tokens, `${name} changed the tokens`);
          const row = (results[name] ??= { tps: [], proposed: 0, accepted: 0 });
          row.tps.push(r.tokensPerSecond);
          row.proposed += r.draft?.proposed ?? 0;
          row.accepted += r.draft?.accepted ?? 0;
        }
      }
      const base = median(results.plain.tps);
      for (const [name] of variants) {
        const row = results[name];
        const rate = row.proposed
          ? `${perRun(row.accepted)} / ${perRun(row.proposed)} (${((100 * row.accepted) / row.proposed).toFixed(0)}%)`
          : '–';
        console.log(`| ${d.label} | ${name} | ${spread(row.tps)} | ${(median(row.tps) / base).toFixed(2)} | ${rate} |`);
      }
    }
    console.log('\nTokens identical to plain decoding in every run.');
  } finally {
    await target.release();
    for (const d of drafts) await d.model.release();
  }
}

/** One generation the copy-heavy bench times: a prompt and how many tokens it may take. */
interface Job {
  prompt: string;
  maxTokens: number;
}

/** Per decoding variant: tokens/s of each run, drafts summed over the runs, tokens of one run. */
interface VariantRuns {
  tps: number[];
  proposed: number;
  accepted: number;
  tokens: number;
}

/**
 * The jobs under each variant, taking turns run by run after one plain warm-up run; a run is every
 * job, its speed all tokens over all time. Under greedy decoding each speculative run's tokens are
 * checked against the plain run's. Returns the per-variant runs and plain decoding's tokens.
 */
async function takeTurns(model: InProcessModel, jobs: Job[], variants: SpeculativeMode[], sampling: SamplingOptions = greedy) {
  const pass = async (speculative: SpeculativeMode) => {
    let tokens = 0;
    let ms = 0;
    const out: number[][] = [];
    const draft = { proposed: 0, accepted: 0 };
    for (const { prompt, maxTokens } of jobs) {
      const params: TextGenerationParams = { prompt, maxTokens, sampling, stop: [], endAtSentence: false, speculative };
      const t = performance.now();
      const r = await generateText(model, params);
      ms += performance.now() - t;
      tokens += r.tokens.length;
      out.push(r.tokens);
      draft.proposed += r.draft?.proposed ?? 0;
      draft.accepted += r.draft?.accepted ?? 0;
    }
    return { tokensPerSecond: (1000 * tokens) / ms, tokens, out, draft };
  };
  await pass('off'); // warm-up
  const results = new Map<SpeculativeMode, VariantRuns>(variants.map((v) => [v, { tps: [], proposed: 0, accepted: 0, tokens: 0 }]));
  let plain: number[][] = [];
  for (let i = 0; i < runs; i++) {
    for (const v of variants) {
      const r = await pass(v);
      if (v === 'off') plain = r.out;
      else if (sampling.temperature === 0) assert.deepStrictEqual(r.out, plain, `${v} changed the tokens`);
      const row = results.get(v)!;
      row.tps.push(r.tokensPerSecond);
      row.proposed += r.draft.proposed;
      row.accepted += r.draft.accepted;
      row.tokens = r.tokens;
    }
  }
  return { results, plain };
}

/** The table of takeTurns' results: speed, ratio to plain decoding ('off'), drafts accepted. */
function printTurns(results: Map<SpeculativeMode, VariantRuns>): void {
  console.log('| decoding | tokens/s, median (min–max) | ratio to plain | drafts accepted / proposed (per run) |');
  console.log('|---|---|---|---|');
  const base = median(results.get('off')!.tps);
  for (const [v, row] of results) {
    const rate = row.proposed
      ? `${perRun(row.accepted)} / ${perRun(row.proposed)} (${((100 * row.accepted) / row.proposed).toFixed(0)}%)`
      : '–';
    console.log(`| ${v === 'off' ? 'plain' : v} | ${spread(row.tps)} | ${(median(row.tps) / base).toFixed(2)} | ${rate} |`);
  }
}

/**
 * A copy-heavy task: rewriting a held-out paragraph of 100–150 words with the shipped GPT
 * fine-tuned on rewrite exercises (training/copy_task.py writes it to bench/.cache/inkwell-gpt-copy
 * with its prompts), greedy, to its end of text. Plain, prompt-lookup and auto take turns run by
 * run; a run is all the prompts, its speed their tokens over their time. Every speculative run's
 * tokens are checked against plain decoding's. Then the other side: the same model continuing each
 * paragraph's first words with no instruction, where there is nothing to copy.
 */
export async function benchCopyHeavy(): Promise<void> {
  const dir = process.env.INKWELL_BENCH_COPY_MODEL ?? path.join(repo, 'bench', '.cache', 'inkwell-gpt-copy');
  const promptsFile = path.join(dir, 'eval-prompts.json');
  if (!fs.existsSync(promptsFile)) {
    console.log('\n(copy-heavy table skipped: build its model with /usr/bin/python3 training/copy_task.py)');
    return;
  }
  const { prompts } = JSON.parse(fs.readFileSync(promptsFile, 'utf8')) as { prompts: Array<{ paragraph: string; prompt: string }> };
  const variants: SpeculativeMode[] = ['off', 'prompt-lookup', 'auto'];
  for (const dtype of ['fp32', 'q4'] as const) {
    if (!fs.existsSync(path.join(dir, 'onnx', dtype === 'q4' ? 'model_q4.onnx' : 'model.onnx'))) continue;
    const model = await loadModelInProcess(dir, threads, dtype);
    try {
      const where = `${path.relative(repo, dir) || dir}, ${model.files.decoder.dtype}`;
      console.log(`\n### A copy-heavy task: rewriting held-out paragraphs (${where})\n`);
      console.log(
        `${prompts.length} paragraphs of 100–150 words, greedy to the end of text, ${threads} threads, ${runs} runs each taking turns ` +
          `(a run is every paragraph; its speed, all tokens over all time, prompt steps included). Load average before: ${loadAverage()}.\n`,
      );
      const rewrites = prompts.map(({ prompt, paragraph }) => ({ prompt, maxTokens: encodePrompt(model, paragraph).length + 32 }));
      const copy = await takeTurns(model, rewrites, variants);
      printTurns(copy.results);
      const texts = copy.plain.map((ids) => model.tokenizer.decode(ids).trim());
      const copied = texts.filter((text, k) => text === prompts[k].paragraph).length;
      const follow = median(texts.map((text, k) => wordsInOrder(prompts[k].paragraph, text)));
      console.log(
        `\n${copy.results.get('off')!.tokens} tokens a run; ${copied} of ${prompts.length} rewrites are the paragraph word for word, ` +
          `and a rewrite keeps a median ${(100 * follow).toFixed(0)} % of the paragraph's words in order (a model that loops instead keeps few). ` +
          `Tokens identical to plain decoding in every run. Load average after: ${loadAverage()}.`,
      );

      console.log(`\n### Nothing to copy: continuing the same paragraphs' first words (${where})\n`);
      const openings = prompts.map(({ paragraph }) => ({ prompt: paragraph.split(' ').slice(0, 12).join(' '), maxTokens: 96 }));
      console.log(
        'The first 12 words of each paragraph, no instruction, up to 96 tokens; the same turns. Three ways: greedy as the model writes ' +
          '(a small model repeats itself, and lookup copies its loops); greedy with no_repeat_ngram_size 3, where the model may repeat ' +
          'no three tokens, so the drafts lookup copies from the text are refused or, when the ban forbids them outright, left out ' +
          "before verification; and sampled with the editor's defaults (temperature 0.8, top-k 40, top-p 0.95, repetition penalty 1.1), " +
          'where drafts are kept by the speculative-sampling rule and the tokens differ run by run (same distribution).\n',
      );
      for (const [label, sampling] of [
        ['greedy, as the model writes', greedy],
        ['greedy, no_repeat_ngram_size 3', { ...greedy, noRepeatNgramSize: 3 }],
        ["sampled with the editor's defaults", { temperature: 0.8, topK: 40, topP: 0.95, repetitionPenalty: 1.1, seed: 7 }],
      ] as const) {
        console.log(`${label} (load average before: ${loadAverage()}):\n`);
        const free = await takeTurns(model, openings, variants, sampling);
        printTurns(free.results);
        const same = sampling.temperature === 0 ? '; tokens identical to plain decoding in every run' : '';
        console.log(`\n${free.results.get('off')!.tokens} tokens in the last plain run${same}.\n`);
      }
    } finally {
      await model.release();
    }
  }
}

/** The share of `source`'s words that `copy` keeps in order (longest common subsequence of words). */
function wordsInOrder(source: string, copy: string): number {
  const a = source.split(/\s+/);
  const b = copy.split(/\s+/);
  let prev = new Array<number>(b.length + 1).fill(0);
  for (const word of a) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) row[j] = word === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], row[j - 1]);
    prev = row;
  }
  return a.length ? prev[b.length] / a.length : 0;
}

async function benchPromptLookup(): Promise<void> {
  const dir = benchModelDir();
  const loaded = await loadModelInProcess(dir, threads, 'auto');
  // Without end-of-text ids every run decodes the same number of tokens.
  const model: InProcessModel = { ...loaded, spec: { ...loaded.spec, eosTokenIds: [] } };
  try {
    console.log(`\n## Speculative decoding (prompt lookup) against plain greedy decoding\n`);
    console.log(
      `Model ${path.relative(repo, dir) || dir} (${loaded.files.decoder.dtype}), ${threads} threads, ${newTokens} new tokens, ` +
        `${runs} runs each taking turns, mode ${mode}. Load average before: ${loadAverage()}.\n`,
    );
    await once(model, 'off'); // warm-up
    const plain: VariantRuns = { tps: [], proposed: 0, accepted: 0, tokens: 0 };
    const fast: VariantRuns = { tps: [], proposed: 0, accepted: 0, tokens: 0 };
    for (let i = 0; i < runs; i++) {
      const a = await once(model, 'off');
      const b = await once(model, mode);
      assert.deepStrictEqual(b.tokens, a.tokens, 'speculative decoding changed the tokens');
      plain.tps.push(a.tokensPerSecond);
      fast.tps.push(b.tokensPerSecond);
      fast.proposed += b.draft?.proposed ?? 0;
      fast.accepted += b.draft?.accepted ?? 0;
    }
    printTurns(
      new Map([
        ['off', plain],
        [mode, fast],
      ]),
    );
    console.log(`\nLoad average after: ${loadAverage()}. Tokens identical in every run.`);
  } finally {
    await loaded.release();
  }
}

/** Fed tokens per verification step the table compares: one (a plain step) and k = 2, 4, 8. */
const FED = [1, 2, 4, 8] as const;

/**
 * What verifying k tokens costs against a plain one-token step: after a 256-token prompt, steps
 * that feed 1, 2, 4 or 8 new tokens at once (then roll them back), taking turns, median of
 * `steps` each. Speculation pays when accepted tokens per step outgrow this cost.
 */
async function verificationCost(model: InProcessModel, steps = 24): Promise<Map<number, number>> {
  const ids = encodePrompt(model, `${passage.repeat(8)}`).slice(0, 256);
  const run = new DecoderRun(
    { session: model.session, makeTensor: model.makeTensor, spec: model.spec, file: model.onnxFile, withPast: model.withPast },
    ids,
  );
  await run.next(); // the prompt step
  const times = new Map<number, number[]>(FED.map((k) => [k, []]));
  for (let i = 0; i < steps; i++) {
    for (const k of FED) {
      for (let j = 0; j < k; j++) run.append(ids[(i + j) % ids.length]);
      const t = performance.now();
      await run.forward(k);
      times.get(k)!.push(performance.now() - t);
      run.rollback(k);
      await run.next(); // back to the state after the prompt (re-feeds the prompt's last token)
    }
  }
  return new Map(FED.map((k) => [k, median(times.get(k)!)]));
}

/**
 * Prompt-lookup acceptance when continuing held-out blog text: each sample post's first 600
 * characters of body as the prompt, greedy, `newTokens` tokens, drafts summed over the posts.
 */
async function heldOutAcceptance(model: InProcessModel): Promise<{ posts: number; proposed: number; accepted: number; tokens: number }> {
  const dirs = [path.join(repo, '..', 'shared', 'samples', 'posts'), path.join(repo, 'samples', 'blog', 'posts')].filter((d) =>
    fs.existsSync(d),
  );
  const files = [
    ...new Set(
      dirs.flatMap((d) =>
        fs
          .readdirSync(d)
          .filter((f) => f.endsWith('.md'))
          .map((f) => path.join(d, f)),
      ),
    ),
  ];
  const total = { posts: 0, proposed: 0, accepted: 0, tokens: 0 };
  for (const file of files) {
    const body = postBody(fs.readFileSync(file, 'utf8')).trim().slice(0, 600);
    if (body.length < 200) continue;
    const params: TextGenerationParams = {
      prompt: body,
      maxTokens: newTokens,
      sampling: greedy,
      stop: [],
      endAtSentence: false,
      speculative: 'prompt-lookup',
    };
    const result = await generateText(model, params);
    total.posts++;
    total.tokens += result.tokens.length;
    total.proposed += result.draft?.proposed ?? 0;
    total.accepted += result.draft?.accepted ?? 0;
  }
  return total;
}

/** The verification-cost and held-out acceptance tables for each model the bench can find or build. */
export async function benchVerification(): Promise<void> {
  const shapes = [
    { label: 'inkwell-gpt (shipped)', dir: path.join(repo, 'models', 'inkwell-gpt'), dtype: 'fp32' as const },
    { label: 'distilgpt2-shaped', dir: path.join(repo, 'bench', '.cache', 'distilgpt2-shape'), dtype: 'fp32' as const },
    { label: 'SmolLM2-135M-shaped', dir: path.join(repo, 'bench', '.cache', 'smollm2-shape'), dtype: 'fp32' as const },
    { label: 'SmolLM2-135M-shaped', dir: path.join(repo, 'bench', '.cache', 'smollm2-shape'), dtype: 'q4' as const },
  ].filter((s) => fs.existsSync(path.join(s.dir, 'onnx', s.dtype === 'q4' ? 'model_q4.onnx' : 'model.onnx')));
  console.log('\n### What a verification step costs: feeding k tokens at once against one\n');
  console.log(
    `After a 256-token prompt, ${threads} threads; steps of 1, 2, 4 and 8 fed tokens taking turns, median of 24 each. ` +
      'A step of k costs c(k) one-token steps; speculation with a accepted drafts per step gives (a + 1) / c(k) times plain speed.\n',
  );
  console.log(
    `| model | dtype | 1 token | ${FED.slice(1)
      .map((k) => `${k} tokens`)
      .join(' | ')} |`,
  );
  console.log(
    `|---|---|--:|${FED.slice(1)
      .map(() => '--:')
      .join('|')}|`,
  );
  for (const shape of shapes) {
    const model = await loadModelInProcess(shape.dir, threads, shape.dtype);
    try {
      const cost = await verificationCost(model);
      const one = cost.get(1)!;
      console.log(
        `| ${shape.label} | ${model.files.decoder.dtype} | ${one.toFixed(2)} ms | ${FED.slice(1)
          .map((k) => `${cost.get(k)!.toFixed(2)} ms (${(cost.get(k)! / one).toFixed(2)}×)`)
          .join(' | ')} |`,
      );
    } finally {
      await model.release();
    }
  }
  const shipped = shapes.find((s) => s.label.startsWith('inkwell-gpt'));
  if (!shipped) return;
  const model = await loadModelInProcess(shipped.dir, threads, 'fp32');
  try {
    const a = await heldOutAcceptance(model);
    console.log(
      `\nPrompt-lookup acceptance continuing held-out blog text (the sample posts' first 600 characters, greedy, ${newTokens} tokens each, ${shipped.label}): ` +
        `${a.posts} posts, ${a.tokens} tokens, ${a.accepted} of ${a.proposed} drafts accepted (${a.proposed ? ((100 * a.accepted) / a.proposed).toFixed(0) : '–'}%).`,
    );
  } finally {
    await model.release();
  }
}

if (require.main === module) void benchSpeculative();
