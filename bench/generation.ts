/**
 * Text generation speed: time to first token (TTFT) and decode tokens/s with
 * the KV cache, greedy, for the shipped model (when present) and a
 * distilgpt2-shaped model (6 layers, width 768, 12 heads, vocabulary 50257,
 * random weights; built into bench/.cache/ on first run with /usr/bin/python3).
 *
 * References measured in the same run:
 *  1. transformers.js running the same ONNX files (same threads, same prompt).
 *  2. The memory-bandwidth bound: every weight is read once per token, so
 *     decode can be no faster than bandwidth / weight bytes. Bandwidth is
 *     measured with a large Float32Array copy (bytes read + written per second).
 * Also: the host's event-loop delay (p99, max) while the runtime child process generates.
 *
 * Run: npm run bench -- generation  (or: npx tsx bench/generation.ts)
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';
import { loadModelInProcess } from '../src/cli/continue';
import { generateText, type LoadedTextModel } from '../src/generation/generate';
import { RuntimeClient } from '../src/runtime/client';
import type { Dtype } from '../src/generation/layout';
import type { SamplingOptions } from '../src/generation/textRequest';

const repo = path.join(__dirname, '..');
const cacheDir = path.join(repo, 'bench', '.cache');
const threads = Number(process.env.INKWELL_BENCH_THREADS ?? 2);
const newTokens = Number(process.env.INKWELL_BENCH_TOKENS ?? 64);
const runs = Number(process.env.INKWELL_BENCH_RUNS ?? 3);
const greedy: SamplingOptions = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 };
const prompt =
  'Generative models learn the distribution of their training data and sample new examples from it. ' +
  'In this post we look at how a small transformer continues a paragraph of text, token by token, ' +
  'and what it costs to run one on a laptop without a GPU.';

interface BenchModel {
  label: string;
  dir: string;
}

interface Timing {
  ttftMs: number;
  tokensPerSecond: number;
  tokens: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Copy bandwidth of one thread in bytes/s (read + write), best of several passes. */
function measureBandwidth(): number {
  const n = 64 * 2 ** 20; // 256 MB per array: far beyond any cache
  const src = new Float32Array(n).fill(1);
  const dst = new Float32Array(n);
  let best = Infinity;
  for (let i = 0; i < 6; i++) {
    const t = performance.now();
    dst.set(src);
    best = Math.min(best, performance.now() - t);
  }
  return (2 * n * 4) / (best / 1000);
}

/** Bytes of weights in the model's ONNX files (all read once per decoded token). */
function weightBytes(dir: string): number {
  const onnx = path.join(dir, 'onnx');
  return fs
    .readdirSync(onnx)
    .filter((f) => f.startsWith('model.onnx'))
    .reduce((sum, f) => sum + fs.statSync(path.join(onnx, f)).size, 0);
}

function ensureDistilGpt2(): string {
  const dir = path.join(cacheDir, 'distilgpt2-shape');
  if (!fs.existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
    console.log('\n(building the distilgpt2-shaped model in bench/.cache, once)');
    fs.mkdirSync(cacheDir, { recursive: true });
    execFileSync('/usr/bin/python3', [path.join(repo, 'test', 'fixtures', 'make_text_models.py'), '--shape', 'distilgpt2', '--out', dir], {
      stdio: 'inherit',
    });
  }
  return dir;
}

/** The model without end-of-text tokens, so every run decodes exactly `newTokens`. */
function withoutEos(model: LoadedTextModel): LoadedTextModel {
  return {
    ...model,
    spec: { ...model.spec, eosTokenIds: [] },
    tokenizer: { encode: model.tokenizer.encode, decode: model.tokenizer.decode },
  };
}

/** One engine under test: `run` generates `tokens` new tokens greedily and reports timings. */
interface Engine {
  name: string;
  run(tokens: number): Promise<Timing>;
  dispose(): Promise<void>;
}

async function inkwellInProcess(dir: string, dtype: Dtype = 'fp32'): Promise<Engine> {
  const loaded = await loadModelInProcess(dir, threads, dtype);
  const model = withoutEos(loaded);
  return {
    name: 'Inkwell (in process)',
    async run(tokens) {
      const r = await generateText(model, { prompt, maxTokens: tokens, stop: [], sampling: greedy });
      return { ttftMs: r.ttftMs, tokensPerSecond: r.tokensPerSecond, tokens: r.tokens.length };
    },
    dispose: () => loaded.release(),
  };
}

/** Through the runtime child process, as the editor runs it (below-normal priority, IPC per token). */
async function inkwellRuntimeProcess(dir: string): Promise<Engine> {
  const scriptPath = path.join(repo, 'dist', 'runtime.js');
  if (!fs.existsSync(scriptPath)) throw new Error('dist/runtime.js is missing: run `node esbuild.js` first.');
  const client = new RuntimeClient({ scriptPath, options: () => ({ threads }), idleShutdownMs: () => 0 });
  return {
    name: 'Inkwell (runtime process, as in the editor)',
    async run(tokens) {
      // fp32, as the other engines of this table (the folder may hold quantized variants too).
      const r = await client.request('text.generate', { model: dir, dtype: 'fp32', prompt, maxTokens: tokens, stop: [], sampling: greedy });
      return { ttftMs: r.ttftMs, tokensPerSecond: r.tokensPerSecond, tokens: r.tokens.length };
    },
    dispose: async () => client.dispose(),
  };
}

/** transformers.js on the same folder, offline, loading the same variant. */
async function transformersJs(dir: string, dtype: Dtype = 'fp32'): Promise<Engine> {
  const tjs = await import('@huggingface/transformers');
  tjs.env.allowRemoteModels = false;
  tjs.env.localModelPath = path.dirname(dir) + path.sep;
  const name = path.basename(dir);
  const tokenizer = await tjs.AutoTokenizer.from_pretrained(name);
  const model = await tjs.AutoModelForCausalLM.from_pretrained(name, {
    dtype,
    device: 'cpu',
    session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
  });
  const inputs = tokenizer(prompt);
  return {
    name: 'transformers.js (reference 1)',
    async run(tokens) {
      const stamps: number[] = [];
      // The streamer sees the prompt first, then each new token.
      const streamer = new (class extends tjs.BaseStreamer {
        override put(): void {
          stamps.push(performance.now());
        }
        override end(): void {}
      })();
      const start = performance.now();
      await model.generate({ ...inputs, max_new_tokens: tokens, min_new_tokens: tokens, do_sample: false, streamer: streamer as never });
      const tokenStamps = stamps.slice(1);
      const decodeMs = tokenStamps[tokenStamps.length - 1] - tokenStamps[0];
      return { ttftMs: tokenStamps[0] - start, tokensPerSecond: ((tokenStamps.length - 1) * 1000) / decodeMs, tokens: tokenStamps.length };
    },
    dispose: async () => {
      await model.dispose();
    },
  };
}

/**
 * Runs the engines in turns (A, B, C, A, B, C, ...) so that a busy machine
 * slows them alike; also samples this process's event loop while the runtime
 * child process generates.
 */
async function measure(dir: string): Promise<{ results: Map<string, Timing[]>; lagP99Ms: number; lagMaxMs: number }> {
  const engines = [await inkwellInProcess(dir), await inkwellRuntimeProcess(dir), await transformersJs(dir)];
  const results = new Map<string, Timing[]>(engines.map((e) => [e.name, []]));
  let lagP99Ms = 0;
  let lagMaxMs = 0;
  try {
    for (const e of engines) await e.run(4); // warm up: sessions loaded, first-run allocations done
    for (let i = 0; i < runs; i++) {
      for (const e of engines) {
        // A fresh histogram per run of the runtime process: only its generation is sampled.
        const histogram = e === engines[1] ? monitorEventLoopDelay({ resolution: 1 }) : undefined;
        histogram?.enable();
        results.get(e.name)!.push(await e.run(newTokens));
        if (histogram) {
          histogram.disable();
          lagP99Ms = Math.max(lagP99Ms, histogram.percentile(99) / 1e6);
          lagMaxMs = Math.max(lagMaxMs, histogram.max / 1e6);
        }
      }
    }
  } finally {
    for (const e of engines) await e.dispose();
  }
  return { results, lagP99Ms, lagMaxMs };
}

export async function benchGeneration(): Promise<void> {
  const models: BenchModel[] = [];
  const shipped = path.join(repo, 'models', 'inkwell-gpt');
  if (fs.existsSync(path.join(shipped, 'onnx', 'model.onnx'))) models.push({ label: 'inkwell-gpt (shipped)', dir: shipped });
  models.push({ label: 'distilgpt2-shaped (random weights)', dir: ensureDistilGpt2() });

  const bandwidth = measureBandwidth();
  console.log('\n## Text generation (greedy, KV cache)\n');
  console.log(
    `Machine: ${os.cpus()[0]?.model ?? 'CPU'}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}. ` +
      `ONNX Runtime threads: ${threads}. Prompt: ${prompt.length} characters; ${newTokens} new tokens; median of ${runs} runs, engines taking turns. ` +
      `Measured copy bandwidth: ${(bandwidth / 1e9).toFixed(1)} GB/s (one thread, read + write).\n`,
  );
  console.log('| model | weights | engine | prompt tokens | TTFT ms | decode tok/s | decode vs transformers.js | % of bandwidth bound |');
  console.log('|---|---|---|---|---|---|---|---|');
  const lagLines: string[] = [];
  for (const m of models) {
    const bytes = weightBytes(m.dir);
    const bound = bandwidth / bytes;
    const promptTokens = (await loadModelInProcess(m.dir, 1).then(async (x) => {
      const n = x.tokenizer.encode(prompt).length;
      await x.release();
      return n;
    })) as number;
    const { results, lagP99Ms, lagMaxMs } = await measure(m.dir);
    const ref = results.get('transformers.js (reference 1)')!;
    const refTps = median(ref.map((t) => t.tokensPerSecond));
    const row = (engine: string, t: Timing[]) => {
      const tps = median(t.map((x) => x.tokensPerSecond));
      console.log(
        `| ${m.label} | ${(bytes / 1e6).toFixed(0)} MB | ${engine} | ${promptTokens} | ${median(t.map((x) => x.ttftMs)).toFixed(1)} | ${tps.toFixed(1)} | ` +
          `${(tps / refTps).toFixed(2)}x | ${((100 * tps) / bound).toFixed(0)}% |`,
      );
    };
    for (const [engine, timings] of results) row(engine, timings);
    console.log(
      `| ${m.label} | ${(bytes / 1e6).toFixed(0)} MB | bandwidth bound (reference 2) | | | ${bound.toFixed(1)} | ${(bound / refTps).toFixed(2)}x | 100% |`,
    );
    lagLines.push(`${m.label}: p99 ${lagP99Ms.toFixed(1)} ms, max ${lagMaxMs.toFixed(1)} ms`);
  }
  console.log(`\nHost event-loop delay while the runtime process generates (worst run; goal: p99 < 10 ms): ${lagLines.join('; ')}.`);
  console.log('Goals: decode >= 1.5x transformers.js and >= 85% of the bandwidth bound; TTFT no worse than transformers.js.');
  await benchGenerationDtypes();
}

/** The variants of the distilgpt2-shaped model the dtype table compares, by transformers.js's names. */
const DTYPE_ROWS: ReadonlyArray<{ dtype: Dtype; file: string; bits?: 4 | 8 }> = [
  { dtype: 'fp32', file: 'model.onnx' },
  { dtype: 'int8', file: 'model_int8.onnx', bits: 8 },
  { dtype: 'q4', file: 'model_q4.onnx', bits: 4 },
];

/** Builds the int8 and q4 variants of the bench model with training/quantize.py, once. */
function ensureVariants(dir: string): void {
  for (const row of DTYPE_ROWS) {
    if (!row.bits || fs.existsSync(path.join(dir, 'onnx', row.file))) continue;
    console.log(`\n(quantizing the bench model to ${row.dtype} with training/quantize.py, once)`);
    execFileSync('/usr/bin/python3', [path.join(repo, 'training', 'quantize.py'), dir, '--bits', String(row.bits)], { stdio: 'inherit' });
  }
}

/** Median and spread (min–max) of a list. */
function spread(values: number[], digits = 1): string {
  return `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
}

/**
 * One table per dtype variant of the distilgpt2-shaped model: file size, TTFT and decode speed for
 * Inkwell (in process) and transformers.js on the same file, taking turns run by run, at least 5
 * runs each, with the median and the spread; the load average before and after is printed, since
 * a busy machine moves every number.
 */
export async function benchGenerationDtypes(): Promise<void> {
  const dir = ensureDistilGpt2();
  ensureVariants(dir);
  const n = Math.max(5, runs);
  const loadBefore = os.loadavg();
  console.log('\n## Text generation by dtype (distilgpt2-shaped, greedy, KV cache)\n');
  console.log(
    `Machine: ${os.cpus()[0]?.model ?? 'CPU'}, ${os.cpus().length} cores. ONNX Runtime threads: ${threads}. ${newTokens} new tokens; ` +
      `${n} runs per engine, Inkwell and transformers.js taking turns; median (min–max). Load average at the start: ${loadBefore.map((l) => l.toFixed(2)).join(', ')}.\n`,
  );
  console.log('| dtype | file | size | engine | TTFT ms | decode tok/s | decode vs transformers.js |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of DTYPE_ROWS) {
    const bytes = fs.statSync(path.join(dir, 'onnx', row.file)).size;
    const engines = [await inkwellInProcess(dir, row.dtype), await transformersJs(dir, row.dtype)];
    const results = engines.map(() => [] as Timing[]);
    try {
      for (const e of engines) await e.run(4);
      for (let i = 0; i < n; i++) for (let k = 0; k < engines.length; k++) results[k].push(await engines[k].run(newTokens));
    } finally {
      for (const e of engines) await e.dispose();
    }
    const refTps = median(results[1].map((t) => t.tokensPerSecond));
    engines.forEach((e, k) => {
      const t = results[k];
      const tps = median(t.map((x) => x.tokensPerSecond));
      console.log(
        `| ${row.dtype} | onnx/${row.file} | ${(bytes / 1e6).toFixed(0)} MB | ${e.name} | ${spread(t.map((x) => x.ttftMs))} | ${spread(t.map((x) => x.tokensPerSecond))} | ${(tps / refTps).toFixed(2)}x |`,
      );
    });
  }
  console.log(
    `\nLoad average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}.`,
  );
}

if (require.main === module) {
  benchGeneration().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
