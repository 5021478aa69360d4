/**
 * Text generation speed: time to first token (TTFT) and decode tokens/s with the KV cache,
 * greedy, for three models in fp32, int8 and q4: the shipped inkwell-gpt, a distilgpt2-shaped
 * GPT-2 and a SmolLM2-135M-shaped Llama (random weights, built into bench/.cache/ on the first
 * run with /usr/bin/python3; the variants by training/quantize.py).
 *
 * Every row is measured with its references in the same run:
 *  1. transformers.js loading the very same file (same threads, same prompt), the engines taking
 *     turns run by run, at least 5 runs each, median and spread (min–max).
 *  2. The memory-bandwidth bound: decode reads each weight once per token, so it can be no faster
 *     than read bandwidth / bytes read per token. The bandwidth is measured with all threads
 *     reading, by tools that are not the kernel under test: a C read loop compiled here
 *     (bench/readbw.c), Debian's sysbench when installed, plain JavaScript workers; the highest
 *     is used, so the bound is never set low. ONNX Runtime's own matrix-vector product is printed
 *     beside it. Bytes per token: bench/onnx_tools.py.
 * Also: where each token's time goes (inside session.run or around it, for both engines; inside
 * session.run, per operator from ONNX Runtime's profiler), the
 * session-option sweep, the host's event-loop delay while the runtime child process generates,
 * and loading: a model opened plainly, opened while its optimized graph is saved, opened from that
 * saved graph (generation/optimizedModelCache.ts), against transformers.js loading the same file.
 * The load average is printed before and after: a busy machine moves every number.
 *
 * Run: npm run bench -- generation  (or: npx tsx bench/generation.ts)
 * Settings: INKWELL_BENCH_THREADS (2), INKWELL_BENCH_TOKENS (64), INKWELL_BENCH_RUNS (5, at least 5),
 * INKWELL_BENCH_MODELS (comma-separated labels: shipped, distilgpt2, smollm2), INKWELL_BENCH_TABLES
 * (comma-separated, all by default: dtype, process, sessions, spin, q4, load, profile, graph), INKWELL_BENCH_PROMPT
 * (short by default; long: 1,800 characters of a sample post, ~355 tokens).
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadAverage, median, spread } from './stats';
import { Worker } from 'worker_threads';
import * as ort from 'onnxruntime-node';
import { loadModelInProcess } from '../src/cli/continue';
import { generateText, type LoadedTextModel } from '../src/generation/generate';
import { OptimizedModelCache } from '../src/generation/optimizedModelCache';
import type { SessionLike } from '../src/generation/onnxTypes';
import { RuntimeClient } from '../src/runtime/client';
import type { Dtype } from '../src/generation/layout';
import type { SessionTuning } from '../src/generation/sessionOptions';
import type { SamplingOptions } from '../src/generation/textRequest';
import { EventLoopLag } from '../test/support/eventLoopLag';

const repo = path.join(__dirname, '..');
const cacheDir = path.join(repo, 'bench', '.cache');
const threads = Number(process.env.INKWELL_BENCH_THREADS ?? 2);
const newTokens = Number(process.env.INKWELL_BENCH_TOKENS ?? 64);
const runs = Math.max(5, Number(process.env.INKWELL_BENCH_RUNS ?? 5));
const onlyModels = process.env.INKWELL_BENCH_MODELS?.split(',').filter(Boolean);
const tables = new Set(
  (process.env.INKWELL_BENCH_TABLES ?? 'dtype,process,sessions,spin,q4,load,profile,graph').split(',').filter(Boolean),
);
const greedy: SamplingOptions = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 };
const shortPrompt =
  'Generative models learn the distribution of their training data and sample new examples from it. ' +
  'In this post we look at how a small transformer continues a paragraph of text, token by token, ' +
  'and what it costs to run one on a laptop without a GPU.';
/** The prompt of every table: INKWELL_BENCH_PROMPT=long gives the first 1,800 characters of a sample post instead. */
const prompt = process.env.INKWELL_BENCH_PROMPT === 'long' ? longPrompt() : shortPrompt;

interface BenchModel {
  key: string;
  label: string;
  dir: string;
}

/** One generation: its timings, and the time the engine spent inside session.run while decoding. */
interface Timing {
  ttftMs: number;
  tokensPerSecond: number;
  tokens: number;
  /** ms per decoded token (after the first) inside session.run. */
  runMsPerToken: number;
  /** The tokens generated, where the engine reports them. */
  ids?: readonly number[];
  /** Tokens in the prompt, where the engine reports them. */
  promptTokens?: number;
}

function python(args: string[]): string {
  return execFileSync('/usr/bin/python3', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

// ---------------------------------------------------------------------------------------------
// Read bandwidth, all threads

const BANDWIDTH_BYTES = 256 * 2 ** 20; // far beyond any cache

/**
 * ONNX Runtime's fp32 matrix-vector product reading a 256 MiB weight with `threads` intra-op
 * threads (the kernel of decoding): bytes read per second, best of 8.
 */
async function ortReadBandwidth(): Promise<number> {
  const file = path.join(cacheDir, 'readbw-gemv.onnx');
  fs.mkdirSync(cacheDir, { recursive: true });
  if (!fs.existsSync(file)) python([path.join(repo, 'bench', 'onnx_tools.py'), 'readbw', file]);
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  const x = new ort.Tensor('float32', new Float32Array(4096).fill(1), [1, 4096]);
  let best = Infinity;
  try {
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await session.run({ X: x });
      if (i >= 2) best = Math.min(best, performance.now() - t);
    }
  } finally {
    await session.release();
  }
  return BANDWIDTH_BYTES / (best / 1000);
}

/**
 * bench/readbw.c compiled with the system's C compiler (-O3 -march=native, once, into bench/.cache):
 * `threads` threads summing their slices of a 1 GiB buffer, best of 12 passes. Undefined without a
 * C compiler.
 */
function compiledReadBandwidth(): number | undefined {
  const binary = compiled('readbw');
  if (!binary) return undefined;
  try {
    return Number(execFileSync(binary, [String(threads), '1024', '12'], { encoding: 'utf8' }).split(' ')[0]);
  } catch {
    return undefined;
  }
}

/** bench/NAME.c compiled with the system's C compiler (-O3 -march=native, once, into bench/.cache); undefined without one. */
function compiled(name: 'readbw' | 'gemv'): string | undefined {
  const binary = path.join(cacheDir, name);
  try {
    if (!fs.existsSync(binary)) {
      fs.mkdirSync(cacheDir, { recursive: true });
      execFileSync('cc', ['-O3', '-march=native', '-pthread', '-o', binary, path.join(repo, 'bench', `${name}.c`)], { stdio: 'ignore' });
    }
    return binary;
  } catch {
    return undefined;
  }
}

/**
 * Debian's sysbench reading 256 MiB blocks with `threads` threads (its default 1 KiB block stays in
 * the cache and measures that instead). Undefined when sysbench is not installed.
 */
function sysbenchReadBandwidth(): number | undefined {
  try {
    const out = execFileSync(
      'sysbench',
      ['memory', `--threads=${threads}`, '--memory-oper=read', '--memory-block-size=256M', '--memory-total-size=16G', 'run'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const mib = /\(([\d.]+) MiB\/sec\)/.exec(out)?.[1];
    return mib ? Number(mib) * 2 ** 20 : undefined;
  } catch {
    return undefined;
  }
}

/** `threads` JavaScript workers each summing their share of one 256 MB buffer at once: bytes read per second, best of 8. */
async function workerReadBandwidth(): Promise<number> {
  const shared = new SharedArrayBuffer(BANDWIDTH_BYTES);
  new Float64Array(shared).fill(1);
  const share = BANDWIDTH_BYTES / 8 / threads;
  // Four independent sums, so the loop is bound by loads rather than by the latency of one add chain.
  const source = `
    const { parentPort, workerData } = require('worker_threads');
    const a = new Float64Array(workerData.buffer, workerData.offset * 8, workerData.length);
    parentPort.on('message', () => {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let i = 0; i < a.length; i += 4) { s0 += a[i]; s1 += a[i + 1]; s2 += a[i + 2]; s3 += a[i + 3]; }
      parentPort.postMessage(s0 + s1 + s2 + s3);
    });`;
  const workers = Array.from(
    { length: threads },
    (_, i) => new Worker(source, { eval: true, workerData: { buffer: shared, offset: i * share, length: share } }),
  );
  const pass = () => Promise.all(workers.map((w) => new Promise((resolve) => (w.once('message', resolve), w.postMessage(0)))));
  let best = Infinity;
  try {
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await pass();
      if (i >= 2) best = Math.min(best, performance.now() - t);
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return BANDWIDTH_BYTES / (best / 1000);
}

// ---------------------------------------------------------------------------------------------
// Models

export function ensureFixture(shape: 'distilgpt2' | 'smollm2'): string {
  const dir = path.join(cacheDir, `${shape}-shape`);
  if (!fs.existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
    console.log(`\n(building the ${shape}-shaped model in bench/.cache, once)`);
    fs.mkdirSync(cacheDir, { recursive: true });
    python([path.join(repo, 'test', 'fixtures', 'make_text_models.py'), '--shape', shape, '--out', dir]);
  }
  return dir;
}

/** The variants the tables compare, by transformers.js's names. */
const DTYPE_ROWS: ReadonlyArray<{ dtype: Dtype; file: string; bits?: 4 | 8 }> = [
  { dtype: 'fp32', file: 'model.onnx' },
  { dtype: 'int8', file: 'model_int8.onnx', bits: 8 },
  { dtype: 'q4', file: 'model_q4.onnx', bits: 4 },
];

/** Builds a fixture's int8 and q4 variants with training/quantize.py, once (the shipped model ships its own). */
export function ensureVariants(dir: string): void {
  for (const row of DTYPE_ROWS) {
    if (!row.bits || fs.existsSync(path.join(dir, 'onnx', row.file))) continue;
    console.log(`\n(quantizing ${path.basename(dir)} to ${row.dtype} with training/quantize.py, once)`);
    python([path.join(repo, 'training', 'quantize.py'), dir, '--bits', String(row.bits)]);
  }
}

function benchModels(): BenchModel[] {
  const models: BenchModel[] = [];
  const shipped = path.join(repo, 'models', 'inkwell-gpt');
  const want = (key: string) => !onlyModels || onlyModels.includes(key);
  if (want('shipped') && fs.existsSync(path.join(shipped, 'onnx', 'model.onnx'))) {
    models.push({ key: 'shipped', label: 'inkwell-gpt (shipped)', dir: shipped });
  }
  if (want('distilgpt2')) models.push({ key: 'distilgpt2', label: 'distilgpt2-shaped', dir: ensureFixture('distilgpt2') });
  if (want('smollm2')) models.push({ key: 'smollm2', label: 'SmolLM2-135M-shaped', dir: ensureFixture('smollm2') });
  for (const m of models) if (m.key !== 'shipped') ensureVariants(m.dir);
  return models;
}

/** readBytes's answers by folder: the variants do not change during a run, and every table asks. */
const bytesByDir = new Map<string, Map<Dtype, { file: number; read: number }>>();

/** Bytes one decode step reads from each of a folder's variants (bench/onnx_tools.py weights, once per folder a run). */
export function readBytes(dir: string): Map<Dtype, { file: number; read: number }> {
  let bytes = bytesByDir.get(dir);
  if (!bytes) bytesByDir.set(dir, (bytes = measureBytes(dir)));
  return bytes;
}

function measureBytes(dir: string): Map<Dtype, { file: number; read: number }> {
  const present = DTYPE_ROWS.filter((r) => fs.existsSync(path.join(dir, 'onnx', r.file)));
  const out = JSON.parse(
    python([path.join(repo, 'bench', 'onnx_tools.py'), 'weights', ...present.map((r) => path.join(dir, 'onnx', r.file))]),
  ) as Record<string, { file_bytes: number; read_per_token: number }>;
  return new Map(
    present.map((r) => {
      const v = out[path.join(dir, 'onnx', r.file)];
      return [r.dtype, { file: v.file_bytes, read: v.read_per_token }];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Engines

/** Records how long each `run` of a session takes (the profile's "inside session.run"). */
class RunClock {
  readonly calls: number[] = [];

  /** Per decoded token after the first: the mean of every run but the prompt step's. */
  perDecodedToken(): number {
    const steps = this.calls.slice(1);
    return steps.length ? steps.reduce((a, b) => a + b, 0) / steps.length : 0;
  }

  reset(): void {
    this.calls.length = 0;
  }

  /** `run`, timed. */
  time<A extends unknown[], R>(run: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    const calls = this.calls;
    return async (...args) => {
      const t = performance.now();
      const out = await run(...args);
      calls.push(performance.now() - t);
      return out;
    };
  }

  wrap(session: SessionLike): SessionLike {
    return {
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      inputMetadata: session.inputMetadata,
      run: this.time((feeds: Parameters<SessionLike['run']>[0]) => session.run(feeds)),
    };
  }
}

/** One engine under test: `run` generates `tokens` new tokens greedily and reports timings. */
interface Engine {
  name: string;
  run(tokens: number): Promise<Timing>;
  dispose(): Promise<void>;
}

/** The model without end-of-text tokens, so every run decodes exactly `newTokens`. */
function withoutEos(model: LoadedTextModel, clock: RunClock): LoadedTextModel {
  return {
    ...model,
    session: clock.wrap(model.session),
    withPast: model.withPast && { ...model.withPast, session: clock.wrap(model.withPast.session) },
    spec: { ...model.spec, eosTokenIds: [] },
    tokenizer: { encode: model.tokenizer.encode, decode: model.tokenizer.decode },
  };
}

async function inkwellInProcess(
  dir: string,
  dtype: Dtype,
  tuning?: SessionTuning,
  name = 'Inkwell (in process)',
  intraOpThreads = threads,
  text = prompt,
): Promise<Engine> {
  const loaded = await loadModelInProcess(dir, intraOpThreads, dtype, { tuning });
  const clock = new RunClock();
  const model = withoutEos(loaded, clock);
  return {
    name,
    async run(tokens) {
      clock.reset();
      const r = await generateText(model, { prompt: text, maxTokens: tokens, stop: [], sampling: greedy });
      return {
        ttftMs: r.ttftMs,
        tokensPerSecond: r.tokensPerSecond,
        tokens: r.tokens.length,
        runMsPerToken: clock.perDecodedToken(),
        ids: r.tokens,
        promptTokens: r.promptTokens.length,
      };
    },
    dispose: () => loaded.release(),
  };
}

/** Through the runtime child process, as the editor runs it (below-normal priority, IPC per token). */
function inkwellRuntimeProcess(dir: string, dtype: Dtype): Engine {
  const scriptPath = path.join(repo, 'dist', 'runtime.js');
  if (!fs.existsSync(scriptPath)) throw new Error('dist/runtime.js is missing: run `node esbuild.js` first.');
  const client = new RuntimeClient({ scriptPath, options: () => ({ threads }), idleShutdownMs: () => 0 });
  return {
    name: 'Inkwell (runtime process, as in the editor)',
    async run(tokens) {
      const r = await client.request('text.generate', { model: dir, dtype, prompt, maxTokens: tokens, stop: [], sampling: greedy });
      return { ttftMs: r.ttftMs, tokensPerSecond: r.tokensPerSecond, tokens: r.tokens.length, runMsPerToken: NaN };
    },
    dispose: async () => client.dispose(),
  };
}

/** transformers.js on the same folder, offline, loading the same variant; its decoder session's runs are timed too. */
async function transformersJs(dir: string, dtype: Dtype): Promise<Engine> {
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
  const clock = new RunClock();
  // The decoder session's own `run`, timed (an own property shadows the prototype's method).
  const session = (model as unknown as { sessions: Record<string, { run: (...args: unknown[]) => Promise<unknown> }> }).sessions.model;
  session.run = clock.time(session.run.bind(session));
  const inputs = tokenizer(prompt);
  return {
    name: 'transformers.js',
    async run(tokens) {
      clock.reset();
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
      return {
        ttftMs: tokenStamps[0] - start,
        tokensPerSecond: ((tokenStamps.length - 1) * 1000) / decodeMs,
        tokens: tokenStamps.length,
        runMsPerToken: clock.perDecodedToken(),
      };
    },
    dispose: async () => {
      await model.dispose();
    },
  };
}

/** Runs the engines in turns (A, B, A, B, ...) after one warm-up each, so that a busy machine slows them alike. */
async function alternate(
  engines: Engine[],
  n = runs,
  onRun?: (engine: number, run: () => Promise<Timing>) => Promise<Timing>,
): Promise<Timing[][]> {
  const results = engines.map(() => [] as Timing[]);
  try {
    for (const e of engines) await e.run(4); // sessions loaded, first-run allocations done
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < engines.length; k++) {
        const run = () => engines[k].run(newTokens);
        results[k].push(await (onRun ? onRun(k, run) : run()));
      }
    }
  } finally {
    for (const e of engines) await e.dispose();
  }
  return results;
}

const decodeMedian = (t: Timing[]) => median(t.map((x) => x.tokensPerSecond));

/** "46%": the share of `bandwidth` that reading `bytesPerToken` at `tokensPerSecond` takes. */
const ofBound = (bytesPerToken: number, tokensPerSecond: number, bandwidth: number) =>
  `${((100 * bytesPerToken * tokensPerSecond) / bandwidth).toFixed(0)}%`;

// ---------------------------------------------------------------------------------------------
// Tables

/**
 * Each model in fp32, int8 and q4: Inkwell in process against transformers.js on the same file,
 * the bound from the file's bytes read per token, and where a decoded token's time goes.
 */
async function dtypeTables(models: BenchModel[], bandwidth: number): Promise<string[]> {
  console.log('\n### By model and dtype (Inkwell in process vs transformers.js on the same file)\n');
  console.log(
    `${newTokens} new tokens, greedy; ${runs} runs per engine after a warm-up, engines taking turns; median (min–max). ` +
      `Bound = ${(bandwidth / 1e9).toFixed(1)} GB/s / bytes read per token. Load average at the start: ${loadAverage()}.\n`,
  );
  console.log(
    '| model | dtype | file | read/token | engine | TTFT ms | decode tok/s | vs transformers.js | vs own fp32 | % of bound | ms/token in session.run | ms/token around it |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  const goals: string[] = [];
  for (const m of models) {
    const bytes = readBytes(m.dir);
    let ownFp32 = 0;
    for (const row of DTYPE_ROWS) {
      const b = bytes.get(row.dtype);
      if (!b) continue;
      const [ink, ref] = await alternate([await inkwellInProcess(m.dir, row.dtype), await transformersJs(m.dir, row.dtype)]);
      const bound = bandwidth / b.read;
      const refTps = decodeMedian(ref);
      const inkTps = decodeMedian(ink);
      if (row.dtype === 'fp32') ownFp32 = inkTps;
      for (const [name, t] of [
        ['Inkwell', ink],
        ['transformers.js', ref],
      ] as const) {
        const tps = decodeMedian(t);
        const perToken = 1000 / tps;
        const inside = median(t.map((x) => x.runMsPerToken));
        console.log(
          `| ${m.label} | ${row.dtype} | ${(b.file / 1e6).toFixed(1)} MB | ${(b.read / 1e6).toFixed(1)} MB | ${name} | ${spread(t.map((x) => x.ttftMs))} | ` +
            `${spread(t.map((x) => x.tokensPerSecond))} | ${(tps / refTps).toFixed(2)}x | ${name === 'Inkwell' && ownFp32 ? `${(tps / ownFp32).toFixed(2)}x` : ''} | ` +
            `${((100 * tps) / bound).toFixed(0)}% | ${inside.toFixed(2)} | ${(perToken - inside).toFixed(2)} |`,
        );
      }
      const ttft = median(ink.map((x) => x.ttftMs)) / median(ref.map((x) => x.ttftMs));
      goals.push(
        `${m.label} ${row.dtype}: decode ${(inkTps / refTps).toFixed(2)}x transformers.js, TTFT ${ttft.toFixed(2)}x theirs, ` +
          `${((100 * inkTps) / bound).toFixed(0)}% of the bound${row.dtype !== 'fp32' && ownFp32 ? `, ${(inkTps / ownFp32).toFixed(2)}x own fp32` : ''}`,
      );
    }
  }
  console.log(`\nLoad average at the end: ${loadAverage()}.`);
  return goals;
}

/** The editor's path: the runtime child process (IPC per token) next to in process and transformers.js, with the host's event-loop delay. */
async function runtimeProcessTable(models: BenchModel[], bandwidth: number): Promise<void> {
  console.log('\n### Through the runtime process, as the editor runs it (fp32 and q4)\n');
  console.log(`Bound = ${(bandwidth / 1e9).toFixed(1)} GB/s / bytes read per token. Load average at the start: ${loadAverage()}.\n`);
  console.log('| model | dtype | engine | TTFT ms | decode tok/s | vs transformers.js | % of bound |');
  console.log('|---|---|---|---|---|---|---|');
  const lags: string[] = [];
  for (const m of models) {
    const bytes = readBytes(m.dir);
    for (const dtype of ['fp32', 'q4'] as const) {
      if (!fs.existsSync(path.join(m.dir, 'onnx', DTYPE_ROWS.find((r) => r.dtype === dtype)!.file))) continue;
      const engines = [inkwellRuntimeProcess(m.dir, dtype), await inkwellInProcess(m.dir, dtype), await transformersJs(m.dir, dtype)];
      // One histogram over all measured runs of the runtime process, sampled only while it
      // generates. (A run of a fast model lasts ~100 ms: a per-run p99 of 1 ms samples would be
      // that run's worst sample, so a single garbage collection of this process set it.)
      const lag = new EventLoopLag();
      const results = await alternate(engines, runs, async (k, run) => {
        if (k !== 0) return run();
        return lag.during(run);
      });
      const refTps = decodeMedian(results[2]);
      const read = bytes.get(dtype)?.read;
      engines.forEach((e, k) => {
        const t = results[k];
        const share = read ? ofBound(read, decodeMedian(t), bandwidth) : 'n/a';
        console.log(
          `| ${m.label} | ${dtype} | ${e.name} | ${spread(t.map((x) => x.ttftMs))} | ${spread(t.map((x) => x.tokensPerSecond))} | ${(decodeMedian(t) / refTps).toFixed(2)}x | ${share} |`,
        );
      });
      lags.push(`${m.label} ${dtype}: ${lag.summary()}`);
    }
  }
  console.log(
    `\nHost event-loop delay while the runtime process generates (all measured runs, 1 ms resolution; goal: p99 < 10 ms): ${lags.join('; ')}.`,
  );
}

/**
 * Loading, by model and dtype: the whole load (files chosen, tokenizer read, sessions created) of
 * Inkwell plainly, Inkwell saving its optimized graph into an empty cache (a first load), Inkwell
 * from that cache (every later load) and transformers.js, taking turns; then two requests of 32
 * greedy tokens to each loaded model: the first one's time to first token (what the writer waits
 * for after the load), the second one's decode speed (a cached graph must decode as fast as the
 * model it came from).
 */
async function loadTable(models: BenchModel[]): Promise<void> {
  console.log('\n### Loading a model: plainly, while caching its optimized graph, from the cache\n');
  console.log(
    `Each run loads in this process with the files in the page cache (warm disk); ${runs} runs each, variants taking turns; median (min–max). Load average at the start: ${loadAverage()}.\n`,
  );
  console.log('| model | dtype | variant | load ms | vs transformers.js | first request: TTFT ms | next request: decode tok/s |');
  console.log('|---|---|---|---|---|---|---|');
  const ortVersion = ort.env.versions?.node ?? 'unknown';
  for (const m of models.filter((x) => x.key !== 'shipped')) {
    for (const dtype of ['fp32', 'q4'] as const) {
      if (!fs.existsSync(path.join(m.dir, 'onnx', DTYPE_ROWS.find((r) => r.dtype === dtype)!.file))) continue;
      const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-bench-cache-'));
      const warm = new OptimizedModelCache({ dir: path.join(cacheRoot, 'warm'), maxBytes: 8 * 1024 ** 3, ortVersion });
      await (await loadModelInProcess(m.dir, threads, dtype, { cache: warm })).release();
      let fresh = 0;
      type Loaded = { ms: number; ttft: number; tps: number };
      const inkwell = (cache: () => OptimizedModelCache | undefined) => async (): Promise<Loaded> => {
        const started = performance.now();
        const loaded = await loadModelInProcess(m.dir, threads, dtype, { cache: cache() });
        const ms = performance.now() - started;
        const model = withoutEos(loaded, new RunClock());
        const first = await generateText(model, { prompt, maxTokens: 32, stop: [], sampling: greedy });
        const next = await generateText(model, { prompt, maxTokens: 32, stop: [], sampling: greedy });
        await loaded.release();
        return { ms, ttft: first.ttftMs, tps: next.tokensPerSecond };
      };
      const variants: Array<{ name: string; load: () => Promise<Loaded> }> = [
        { name: 'Inkwell, no cache', load: inkwell(() => undefined) },
        {
          name: 'Inkwell, first load (saves the optimized graph)',
          load: inkwell(
            () => new OptimizedModelCache({ dir: path.join(cacheRoot, `fresh-${fresh++}`), maxBytes: 8 * 1024 ** 3, ortVersion }),
          ),
        },
        { name: 'Inkwell, later loads (from the cache)', load: inkwell(() => warm) },
        {
          // What the editor does: a fresh runtime process, the background load, then the writer's first request.
          name: 'Inkwell runtime process: background load (cache), then the first request',
          load: async () => {
            const client = new RuntimeClient({
              scriptPath: path.join(repo, 'dist', 'runtime.js'),
              options: () => ({ threads, modelCache: { dir: path.join(cacheRoot, 'warm'), maxBytes: 8 * 1024 ** 3 } }),
              idleShutdownMs: () => 0,
            });
            try {
              const { loadMs } = await client.request('text.preload', { model: m.dir, dtype });
              const request = { model: m.dir, dtype, prompt, maxTokens: 32, stop: [], sampling: greedy };
              const first = await client.request('text.generate', request);
              const next = await client.request('text.generate', request);
              return { ms: loadMs, ttft: first.ttftMs, tps: next.tokensPerSecond };
            } finally {
              client.dispose();
            }
          },
        },
        {
          name: 'transformers.js',
          load: async () => {
            const started = performance.now();
            const engine = await transformersJs(m.dir, dtype);
            const ms = performance.now() - started;
            const ttft = (await engine.run(32)).ttftMs;
            const tps = (await engine.run(32)).tokensPerSecond;
            await engine.dispose();
            return { ms, ttft, tps };
          },
        },
      ];
      const results = variants.map(() => [] as Loaded[]);
      try {
        for (let i = 0; i < runs; i++) {
          for (let k = 0; k < variants.length; k++) {
            results[k].push(await variants[k].load());
            for (const name of fs.readdirSync(cacheRoot))
              if (name.startsWith('fresh-')) fs.rmSync(path.join(cacheRoot, name), { recursive: true, force: true });
          }
        }
      } finally {
        fs.rmSync(cacheRoot, { recursive: true, force: true });
      }
      const ref = median(results[variants.length - 1].map((r) => r.ms));
      variants.forEach((v, k) => {
        const r = results[k];
        console.log(
          `| ${m.label} | ${dtype} | ${v.name} | ${spread(
            r.map((x) => x.ms),
            0,
          )} | ${(median(r.map((x) => x.ms)) / ref).toFixed(2)}x | ${spread(
            r.map((x) => x.ttft),
            0,
          )} | ${spread(r.map((x) => x.tps))} |`,
        );
      });
    }
  }
  console.log('\nGoal: a later load of the distilgpt2-shaped fp32 model <= 1 s.');
}

/** Inkwell's session options against one departure at a time, on the distilgpt2 shape in fp32 and q4, taking turns. */
async function sessionOptionSweep(models: BenchModel[]): Promise<void> {
  const model = models.find((m) => m.key === 'distilgpt2');
  if (!model) return;
  const variants: Array<{ name: string; tuning?: SessionTuning; threads?: number }> = [
    { name: "Inkwell's options (all optimizations, sequential, arena and memory pattern on, no spinning)" },
    { name: 'graph optimization: extended', tuning: { graphOptimizationLevel: 'extended' } },
    { name: 'graph optimization: basic', tuning: { graphOptimizationLevel: 'basic' } },
    { name: 'worker threads spin', tuning: { allowSpinning: true } },
    { name: 'CPU memory arena off', tuning: { enableCpuMemArena: false } },
    { name: 'memory pattern off', tuning: { enableMemPattern: false } },
    { name: 'parallel execution mode, 2 inter-op threads', tuning: { executionMode: 'parallel', interOpNumThreads: 2 } },
    ...(threads > 1 ? [{ name: `${threads - 1} intra-op thread${threads > 2 ? 's' : ''}`, threads: threads - 1 }] : []),
    { name: `${threads * 2} intra-op threads (more than the cores)`, threads: threads * 2 },
  ];
  console.log(`\n### Session options (${model.label}, Inkwell in process)\n`);
  console.log(
    `${threads} intra-op threads unless said; ${runs} runs each, variants taking turns; median (min–max). Load average at the start: ${loadAverage()}.\n`,
  );
  console.log("| dtype | session options | TTFT ms | decode tok/s | vs Inkwell's options |");
  console.log('|---|---|---|---|---|');
  for (const dtype of ['fp32', 'q4'] as const) {
    const engines: Engine[] = [];
    for (const v of variants) engines.push(await inkwellInProcess(model.dir, dtype, v.tuning, v.name, v.threads));
    const results = await alternate(engines);
    const base = decodeMedian(results[0]);
    engines.forEach((e, k) => {
      const t = results[k];
      console.log(
        `| ${dtype} | ${e.name} | ${spread(t.map((x) => x.ttftMs))} | ${spread(t.map((x) => x.tokensPerSecond))} | ${(decodeMedian(t) / base).toFixed(2)}x |`,
      );
    });
  }
  console.log(`\nLoad average at the end: ${loadAverage()}.`);
}

/**
 * Whether ONNX Runtime's worker threads should spin between operators: Inkwell's sessions (they
 * sleep) against the same with spinning, taking turns, on a quiet machine and then beside one
 * CPU-bound process (a plain busy loop, as a build or a second program would be), since spinning
 * can only win when a core is free to spin on.
 */
async function spinTable(models: BenchModel[]): Promise<void> {
  console.log(`
### Worker threads that spin, on a quiet and on a busy machine (Inkwell in process)
`);
  console.log(
    `${threads} intra-op threads; ${runs} runs each, the two taking turns; median (min–max). "Busy": one more process spinning on a core all along. Load average at the start: ${loadAverage()}.
`,
  );
  console.log('| model | dtype | machine | sleeping: TTFT ms | decode tok/s | spinning: TTFT ms | decode tok/s | spinning vs sleeping |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const m of models.filter((x) => x.key !== 'smollm2')) {
    for (const dtype of ['fp32', 'q4'] as const) {
      for (const busy of [false, true]) {
        const hog = busy ? spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }) : undefined;
        try {
          const [sleeping, spinning] = await alternate([
            await inkwellInProcess(m.dir, dtype, undefined, 'sleeping'),
            await inkwellInProcess(m.dir, dtype, { allowSpinning: true }, 'spinning'),
          ]);
          console.log(
            `| ${m.label} | ${dtype} | ${busy ? 'busy' : 'quiet'} | ${spread(sleeping.map((x) => x.ttftMs))} | ${spread(sleeping.map((x) => x.tokensPerSecond))} | ` +
              `${spread(spinning.map((x) => x.ttftMs))} | ${spread(spinning.map((x) => x.tokensPerSecond))} | ${(decodeMedian(spinning) / decodeMedian(sleeping)).toFixed(2)}× |`,
          );
        } finally {
          hog?.kill();
        }
      }
    }
  }
}

/** The q4 settings training/quantize.py offers, each in its own folder (the loader finds `onnx/model_q4.onnx` by name). */
const Q4_SETTINGS: ReadonlyArray<{ key: string; name: string; args: string[] }> = [
  { key: 'default', name: 'block 32, accuracy level 4 (int8 activations; the default)', args: [] },
  { key: 'b128', name: 'block 128, accuracy level 4', args: ['--block-size', '128'] },
  { key: 'acc0', name: 'block 32, accuracy level 0 (fp32 activations)', args: ['--accuracy-level', '0'] },
];

/** A folder with the model's config and tokenizer and a q4 file made with `args` (built once). */
function ensureQ4Variant(dir: string, key: string, args: string[]): string {
  if (!args.length) return dir;
  const variant = path.join(cacheDir, `${path.basename(dir)}-q4-${key}`);
  const file = path.join(variant, 'onnx', 'model_q4.onnx');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.join(variant, 'onnx'), { recursive: true });
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.json')) fs.copyFileSync(path.join(dir, f), path.join(variant, f));
    console.log(`\n(quantizing ${path.basename(dir)} with ${args.join(' ')}, once)`);
    python([path.join(repo, 'training', 'quantize.py'), dir, '--bits', '4', ...args, '--out', file]);
  }
  return variant;
}

/** q4 files of the distilgpt2 shape made with different quantizer settings, Inkwell in process, taking turns. */
async function q4SettingsSweep(models: BenchModel[]): Promise<void> {
  const model = models.find((m) => m.key === 'distilgpt2');
  if (!model) return;
  const dirs = Q4_SETTINGS.map((q) => ensureQ4Variant(model.dir, q.key, q.args));
  console.log(`\n### q4 quantizer settings (${model.label}, Inkwell in process)\n`);
  console.log(`${runs} runs each, variants taking turns; median (min–max). Load average at the start: ${loadAverage()}.\n`);
  console.log('| training/quantize.py --bits 4 | file | decode tok/s | vs the default |');
  console.log('|---|---|---|---|');
  const engines: Engine[] = [];
  for (let i = 0; i < dirs.length; i++) engines.push(await inkwellInProcess(dirs[i], 'q4', undefined, Q4_SETTINGS[i].name));
  const results = await alternate(engines);
  const base = decodeMedian(results[0]);
  engines.forEach((e, k) => {
    const t = results[k];
    const size = fs.statSync(path.join(dirs[k], 'onnx', 'model_q4.onnx')).size;
    console.log(
      `| ${e.name} | ${(size / 1e6).toFixed(0)} MB | ${spread(t.map((x) => x.tokensPerSecond))} | ${(decodeMedian(t) / base).toFixed(2)}x |`,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Where a step's time goes

/** Operators that multiply by a weight matrix: the reads the bound is about. */
const PRODUCT_OPS = new Set(['MatMul', 'FusedMatMul', 'Gemm', 'MatMulNBits', 'MatMulInteger', 'DynamicQuantizeMatMul', 'QGemm']);

interface ProfileEvent {
  cat?: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string };
}

/** Per decode step (milliseconds): the whole run, the largest product, the other products, other operators by type. */
interface StepProfile {
  steps: number;
  run: number;
  largest: number;
  products: number;
  others: Map<string, number>;
}

/**
 * ONNX Runtime's profiles (one file per session) as time per decode step. In each file a node
 * belongs to the run whose span holds it; each file's first three runs (the prompt step and two
 * warm-up steps, or a prompt-only session's one run) are left out.
 */
function stepProfile(files: string[]): StepProfile {
  const runs: Array<{ dur: number; nodes: ProfileEvent[] }> = [];
  for (const file of files) {
    const events = JSON.parse(fs.readFileSync(file, 'utf8')) as ProfileEvent[];
    const spans = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts);
    const mine = spans.map((span) => ({ span, nodes: [] as ProfileEvent[] }));
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
      mine.find(({ span }) => e.ts >= span.ts && e.ts <= span.ts + span.dur)?.nodes.push(e);
    }
    runs.push(...mine.slice(3).map(({ span, nodes }) => ({ dur: span.dur, nodes })));
  }
  const n = Math.max(1, runs.length);
  const perNode = new Map<string, { op: string; us: number }>();
  let run = 0;
  for (const r of runs) {
    run += r.dur;
    for (const e of r.nodes) {
      const row = perNode.get(e.name) ?? { op: e.args?.op_name ?? '?', us: 0 };
      row.us += e.dur;
      perNode.set(e.name, row);
    }
  }
  const products = [...perNode.values()].filter((v) => PRODUCT_OPS.has(v.op));
  const largest = Math.max(0, ...products.map((v) => v.us));
  const others = new Map<string, number>();
  for (const v of perNode.values()) if (!PRODUCT_OPS.has(v.op)) others.set(v.op, (others.get(v.op) ?? 0) + v.us / n / 1000);
  return {
    steps: runs.length,
    run: run / n / 1000,
    largest: largest / n / 1000,
    products: products.reduce((a, v) => a + v.us, 0) / n / 1000,
    others: new Map([...others].sort((a, b) => b[1] - a[1])),
  };
}

/** Bytes of the fp32 LM head of a model folder (vocabulary × hidden size × 4), from its config.json. */
function lmHeadBytes(dir: string): number {
  const c = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, number>;
  return c.vocab_size * (c.hidden_size ?? c.n_embd) * 4;
}

/**
 * Where a decode step's time goes in Inkwell's sessions: ONNX Runtime's profiler over one greedy
 * request of `newTokens` tokens per model and dtype (fp32, q4), split into the largest weight
 * product (the LM head), the other products, every other operator, and the time between
 * operators (the run less its kernels). Profiling adds a little to each operator.
 */
async function profileTable(models: BenchModel[], bandwidth: number): Promise<void> {
  console.log("\n### Where a decode step goes (ONNX Runtime's profiler)\n");
  console.log(
    `One greedy request of ${newTokens} tokens per row, Inkwell's session options with profiling on, ${threads} threads; per step, the prompt step and two warm-up steps left out. ` +
      `Bound = ${(bandwidth / 1e9).toFixed(1)} GB/s. Load average at the start: ${loadAverage()}.\n`,
  );
  console.log(
    '| model | dtype | step ms | largest product (LM head) | other products | other operators (largest three) | between operators | products read | step % of bound |',
  );
  console.log('|---|---|--:|--:|--:|---|--:|--:|--:|');
  for (const m of models) {
    const bytes = readBytes(m.dir);
    for (const dtype of ['fp32', 'q4'] as const) {
      const read = bytes.get(dtype)?.read;
      if (read === undefined) continue;
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-profile-'));
      try {
        const loaded = await loadModelInProcess(m.dir, threads, dtype, { tuning: { profileFilePrefix: path.join(folder, 'step') } });
        try {
          await generateText(withoutEos(loaded, new RunClock()), { prompt, maxTokens: newTokens, stop: [], sampling: greedy });
        } finally {
          await loaded.release(); // the profile is written as the session closes
        }
        const p = stepProfile(fs.readdirSync(folder).map((f) => path.join(folder, f)));
        const otherMs = [...p.others.values()].reduce((a, b) => a + b, 0);
        const top = [...p.others]
          .slice(0, 3)
          .map(([op, ms]) => `${op} ${ms.toFixed(2)}`)
          .join(', ');
        const rate = (b: number, ms: number) =>
          `${(b / ms / 1e6).toFixed(1)} GB/s (${((100 * b) / ms / 1e6 / (bandwidth / 1e9)).toFixed(0)}%)`;
        const head = dtype === 'fp32' ? ` · ${rate(lmHeadBytes(m.dir), p.largest)}` : '';
        console.log(
          `| ${m.label} | ${dtype} | ${p.run.toFixed(2)} | ${p.largest.toFixed(2)}${head} | ${(p.products - p.largest).toFixed(2)} | ` +
            `${otherMs.toFixed(2)} (${top}) | ${(p.run - p.products - otherMs).toFixed(2)} | ${rate(read, p.products)} | ${((100 * read) / (p.run / 1000) / bandwidth).toFixed(0)}% |`,
        );
      } finally {
        fs.rmSync(folder, { recursive: true, force: true });
      }
    }
  }
  console.log(
    '\nProducts read: the bytes a step reads over the time of all its products (the share of the bound the kernels reach); at 85 % of the bound a step ' +
      'may take no longer than read / (0.85 × bound), whatever the other operators and the time between them.',
  );
}

/** A long prompt: the body of a sample post, its frontmatter left out, cut at a word near `chars`. */
function longPrompt(chars = 1800): string {
  const post = fs.readFileSync(path.join(repo, 'samples', 'blog', 'posts', 'exploring-generative-ai.md'), 'utf8');
  const body = post.replace(/^---\n[\s\S]*?\n---\n/, '');
  return body.slice(0, body.lastIndexOf(' ', chars));
}

/**
 * The distilgpt2-shaped fixture rebuilt by bench/graph_variants.py into bench/.cache, once: a model
 * folder whose onnx/ holds the fused fp32 and q4 graphs (so Inkwell's own loader runs them), and
 * beside it the in-place-cache and products-alone graphs. Returns python's lines.
 */
function fusedFixture(dir: string): { dir: string; built: string[] } {
  const out = path.join(cacheDir, 'distilgpt2-shape-fused');
  const built: string[] = [];
  fs.mkdirSync(path.join(out, 'onnx'), { recursive: true });
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.json')) fs.copyFileSync(path.join(dir, f), path.join(out, f));
  const tool = path.join(repo, 'bench', 'graph_variants.py');
  const make = (mode: string, src: string, dst: string, ...flags: string[]) => {
    if (!fs.existsSync(dst)) built.push(python([tool, mode, path.join(dir, 'onnx', src), dst, ...flags]).trim());
  };
  make('fused', 'model.onnx', path.join(out, 'onnx', 'model.onnx'));
  make('fused', 'model_q4.onnx', path.join(out, 'onnx', 'model_q4.onnx'));
  make('fused', 'model.onnx', path.join(out, 'in-place-kv.onnx'), '--in-place-kv');
  make('products', 'model.onnx', path.join(out, 'products.onnx'));
  make('products', 'model_q4.onnx', path.join(out, 'products_q4.onnx'));
  return { dir: out, built };
}

/**
 * The weight products of a GPT-2-shaped fixture (make_text_models.py) as bench/gemv.c takes them,
 * K:N in the order a step runs them: per layer the attention's QKV and output, the MLP's two,
 * then the LM head. The same matrices as its products-alone graph.
 */
function productShapes(dir: string): string[] {
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
    n_embd: number;
    n_layer: number;
    n_inner?: number | null;
    vocab_size: number;
  };
  const h = config.n_embd;
  const inner = config.n_inner ?? 4 * h;
  const layer = [`${h}:${3 * h}`, `${h}:${h}`, `${h}:${inner}`, `${inner}:${h}`];
  return [...Array.from({ length: config.n_layer }, () => layer).flat(), `${h}:${config.vocab_size}`];
}

/** ms per run of a products-alone graph: `n` runs after a warm-up, each its inputs random. */
async function productsAlone(file: string, n: number): Promise<number[]> {
  const session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const width = Number(name.slice(1));
      feeds[name] = new ort.Tensor(
        'float32',
        Float32Array.from({ length: width }, () => Math.random() - 0.5),
        [1, 1, width],
      );
    }
    await session.run(feeds);
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await session.run(feeds);
      times.push(performance.now() - t);
    }
    return times;
  } finally {
    await session.release();
  }
}

/**
 * Greedy decoding straight on a session, no Inkwell around it, for the one graph Inkwell's loader
 * cannot run: GroupQueryAttention with one fixed-length buffer per cache tensor, fed as the past
 * and pre-allocated as the present (`inPlace`), or the export with each present handed back as the
 * next past. ms per decoded token and the tokens.
 */
async function rawDecode(
  file: string,
  promptIds: readonly number[],
  tokens: number,
  inPlace: boolean,
): Promise<{ ms: number; ids: number[] }> {
  const session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const pasts = session.inputNames.filter((n) => n.startsWith('past_key_values.'));
  const [heads, headSize] = [12, 64];
  const capacity = promptIds.length + tokens + 1;
  const fixed = new Map<string, ort.Tensor>();
  const int64 = (values: readonly number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
  try {
    let ids = [...promptIds];
    let past: Record<string, ort.OnnxValue> | undefined;
    let cached = 0;
    const out: number[] = [];
    let start = 0;
    for (let step = 0; step < tokens; step++) {
      if (step === 1) start = performance.now();
      const total = cached + ids.length;
      const feeds: Record<string, ort.Tensor> = {
        input_ids: int64(ids, [1, ids.length]),
        attention_mask: int64(new Array<number>(total).fill(1), [1, total]),
        position_ids: int64(
          ids.map((_, i) => cached + i),
          [1, ids.length],
        ),
        num_logits_to_keep: int64([1], []),
      };
      const fetches: Record<string, ort.Tensor | null> = { logits: null };
      for (const name of pasts) {
        const present = name.replace('past_key_values.', 'present.');
        if (inPlace) {
          let t = fixed.get(name);
          if (!t)
            fixed.set(name, (t = new ort.Tensor('float32', new Float32Array(heads * capacity * headSize), [1, heads, capacity, headSize])));
          feeds[name] = t;
          fetches[present] = t;
        } else {
          feeds[name] =
            (past?.[present] as ort.Tensor | undefined) ?? new ort.Tensor('float32', new Float32Array(0), [1, heads, 0, headSize]);
          fetches[present] = null;
        }
      }
      if (inPlace) {
        feeds.seqlens_k = new ort.Tensor('int32', Int32Array.from([total - 1]), [1]);
        feeds.total_sequence_length = new ort.Tensor('int32', Int32Array.from([total]), []);
      }
      const result = await session.run(feeds, fetches);
      const logits = result.logits.data as Float32Array;
      let best = 0;
      for (let v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
      out.push(best);
      past = result;
      cached = total;
      ids = [best];
    }
    return { ms: (performance.now() - start) / (tokens - 1), ids: out };
  } finally {
    await session.release();
  }
}

const GRAPH_TABLE_HEAD =
  '| model | dtype | prompt | graph | decode tok/s | vs first | % of bound | tokens |\n|---|---|---|---|---|---|---|---|';

/** {@link rawDecode} of `promptIds` as an engine: each run opens the session, decodes, and closes it. */
function bareEngine(name: string, file: string, promptIds: readonly number[], inPlace: boolean): Engine {
  return {
    name,
    async run(tokens) {
      const r = await rawDecode(file, promptIds, tokens, inPlace);
      return {
        ttftMs: NaN,
        tokensPerSecond: 1000 / r.ms,
        tokens: r.ids.length,
        runMsPerToken: NaN,
        ids: r.ids,
        promptTokens: promptIds.length,
      };
    },
    dispose: async () => undefined,
  };
}

/** Two engines' runs taking turns: a table row each, the second's ratio against the first, and whether every run gave the first run's tokens. */
async function pairRows(cells: string, read: number, bandwidth: number, engines: [Engine, Engine]): Promise<void> {
  const [a, b] = await alternate(engines);
  const reference = a[0].ids?.join(',');
  const same = (t: Timing[]) => (t.every((x) => x.ids?.join(',') === reference) ? 'identical' : 'differ');
  const prompt = `${a[0].promptTokens ?? '?'} tokens`;
  const percent = (tps: number) => ofBound(read, tps, bandwidth);
  const [ma, mb] = [decodeMedian(a), decodeMedian(b)];
  console.log(
    `| ${cells} | ${prompt} | ${engines[0].name} | ${spread(a.map((t) => t.tokensPerSecond))} | 1.00× | ${percent(ma)} | ${same(a)} |`,
  );
  console.log(
    `| ${cells} | ${prompt} | ${engines[1].name} | ${spread(b.map((t) => t.tokensPerSecond))} | ${(mb / ma).toFixed(2)}× | ${percent(mb)} | ${same(b)} |`,
  );
}

/**
 * What rewriting the graph buys. First what Inkwell does at load (cacheByPosition.ts): the export's
 * KV cache taken and given back by position, against the export as it is, whole greedy requests
 * in process at a short and a long prompt. Then what it does not do, measured on the
 * distilgpt2-shaped fixture (bench/graph_variants.py): the export rebuilt with ONNX Runtime's fused
 * operators; the weight products alone, the floor no rewrite goes under, beside the same products
 * computed by a plain C matrix-vector kernel (bench/gemv.c: what a kernel of Inkwell's own would
 * read, taking turns with ONNX Runtime); and an in-place cache
 * (GroupQueryAttention on one fixed buffer per cache tensor, bare sessions).
 */
async function graphTable(models: BenchModel[], bandwidth: number): Promise<void> {
  const long = longPrompt();
  const exported = { rewrite: false };
  console.log('\n### Rewriting the graph: the cache by position, and what fusing would add\n');
  console.log(
    `${newTokens} new tokens, greedy; ${runs} runs per engine after a warm-up, taking turns; median (min–max). Bound = ${(bandwidth / 1e9).toFixed(1)} GB/s / bytes read per token. ` +
      `"As exported": Inkwell in process with the graph as the file has it; "by position": the same with the cache taken and given back by position (Inkwell's default). ` +
      `Load average at the start: ${loadAverage()}.\n`,
  );
  console.log(GRAPH_TABLE_HEAD);
  for (const m of models.filter((x) => x.key !== 'smollm2')) {
    const bytes = readBytes(m.dir);
    for (const dtype of ['fp32', 'q4'] as const) {
      const read = bytes.get(dtype)?.read ?? NaN;
      for (const text of [shortPrompt, long]) {
        await pairRows(`${m.label} | ${dtype}`, read, bandwidth, [
          await inkwellInProcess(m.dir, dtype, exported, 'as exported', threads, text),
          await inkwellInProcess(m.dir, dtype, undefined, 'by position', threads, text),
        ]);
      }
    }
  }
  if (!models.some((m) => m.key === 'distilgpt2')) return;
  const dir = ensureFixture('distilgpt2');
  const fused = fusedFixture(dir);
  const bytes = readBytes(dir);
  console.log(
    `\nFused (bench/graph_variants.py: SkipLayerNormalization, MultiHeadAttention, FastGelu around the export's own weight products, both graphs as exported)` +
      `${fused.built.length ? `; built now: ${fused.built.join('; ')}` : ''}:\n`,
  );
  console.log(GRAPH_TABLE_HEAD);
  for (const dtype of ['fp32', 'q4'] as const) {
    const read = bytes.get(dtype)?.read ?? NaN;
    for (const text of [shortPrompt, long]) {
      await pairRows(`distilgpt2-shaped | ${dtype}`, read, bandwidth, [
        await inkwellInProcess(dir, dtype, exported, 'as exported', threads, text),
        await inkwellInProcess(fused.dir, dtype, exported, 'fused', threads, text),
      ]);
    }
    const alone = path.join(fused.dir, dtype === 'fp32' ? 'products.onnx' : 'products_q4.onnx');
    if (dtype === 'q4') {
      const tps = (await productsAlone(alone, runs * 20)).map((ms) => 1000 / ms);
      console.log(
        `| distilgpt2-shaped | q4 | — | weight products alone (the floor) | ${spread(tps)} | | ${ofBound(read, median(tps), bandwidth)} | |`,
      );
      continue;
    }
    // fp32: ONNX Runtime's products and a plain C kernel's on the same shapes, in turns.
    const shapes = productShapes(dir);
    const gemv = compiled('gemv');
    const ortTps: number[] = [];
    const cTps: number[] = [];
    for (let round = 0; round < runs; round++) {
      ortTps.push(1000 / median(await productsAlone(alone, 20)));
      if (gemv) cTps.push(1 / Number(execFileSync(gemv, [String(threads), '20', ...shapes], { encoding: 'utf8' }).split(' ')[0]));
    }
    console.log(
      `| distilgpt2-shaped | fp32 | — | weight products alone (the floor) | ${spread(ortTps)} | | ${ofBound(read, median(ortTps), bandwidth)} | |`,
    );
    if (cTps.length) {
      console.log(
        `| distilgpt2-shaped | fp32 | — | the same products by a plain C kernel (bench/gemv.c) | ${spread(cTps)} | ${(median(cTps) / median(ortTps)).toFixed(2)}× ONNX Runtime's | ${ofBound(read, median(cTps), bandwidth)} | |`,
      );
    }
  }
  // The in-place cache, fp32, long prompt: bare sessions taking turns.
  const loaded = await loadModelInProcess(dir, threads, 'fp32');
  const promptIds = loaded.tokenizer.encode(long);
  await loaded.release();
  await pairRows('distilgpt2-shaped | fp32', bytes.get('fp32')?.read ?? NaN, bandwidth, [
    bareEngine('as exported, bare session', path.join(dir, 'onnx', 'model.onnx'), promptIds, false),
    bareEngine('fused, in-place cache (pre-allocated presents), bare session', path.join(fused.dir, 'in-place-kv.onnx'), promptIds, true),
  ]);
  console.log(
    '\nThe in-place rows run without Inkwell (its loader does not know the extra inputs): each step hands onnxruntime-node the same fixed-length ' +
      'buffers as past and as pre-allocated present, which an in-place cache needs from the binding.',
  );
}

/**
 * The memory-bandwidth bound of decoding, in bytes per second read with `threads` threads, from
 * tools that are not the kernel under test (the highest of them, so it is never set low), and a
 * sentence that names each measurement, ONNX Runtime's own MatMul included.
 */
export async function memoryBound(): Promise<{ bandwidth: number; described: string }> {
  const ortBandwidth = await ortReadBandwidth();
  const jsBandwidth = await workerReadBandwidth();
  const compiled = compiledReadBandwidth();
  const sysbench = sysbenchReadBandwidth();
  const bandwidth = Math.max(jsBandwidth, compiled ?? 0, sysbench ?? 0);
  const gbs = (v: number | undefined, missing = '') => (v === undefined ? missing : `${(v / 1e9).toFixed(1)} GB/s`);
  const described =
    `Memory read bandwidth with ${threads} threads, independent of ONNX Runtime: compiled C loop (bench/readbw.c) ${gbs(compiled, 'n/a (no C compiler)')}, ` +
    `sysbench (256 MiB blocks) ${gbs(sysbench, 'n/a (not installed)')}, JavaScript workers ${gbs(jsBandwidth)}; the highest, ${gbs(bandwidth)}, ` +
    `sets the bound. ONNX Runtime's own fp32 MatMul [1×4096]·[4096×16384] reads ${gbs(ortBandwidth)} (${((100 * ortBandwidth) / bandwidth).toFixed(0)}% of it).`;
  return { bandwidth, described };
}

export async function benchGeneration(): Promise<void> {
  const models = benchModels();
  console.log('\n## Text generation (greedy, KV cache)\n');
  const { bandwidth, described } = await memoryBound();
  console.log(
    `Machine: ${os.cpus()[0]?.model ?? 'CPU'}, ${os.cpus().length} logical CPUs. ONNX Runtime threads: ${threads}. Prompt: ${prompt.length} characters. ` +
      `${described} Load average: ${loadAverage()}.`,
  );
  const goals = tables.has('dtype') ? await dtypeTables(models, bandwidth) : [];
  if (tables.has('process'))
    await runtimeProcessTable(
      models.filter((m) => m.key !== 'smollm2'),
      bandwidth,
    );
  if (tables.has('sessions')) await sessionOptionSweep(models);
  if (tables.has('spin')) await spinTable(models);
  if (tables.has('q4')) await q4SettingsSweep(models);
  if (tables.has('load')) await loadTable(models);
  if (tables.has('profile')) await profileTable(models, bandwidth);
  if (tables.has('graph')) await graphTable(models, bandwidth);
  console.log(
    '\nGoals: decode >= 1.5x transformers.js on fp32 and >= 1.2x on q4; TTFT no worse; q4 >= 3x own fp32 (distilgpt2); >= 85% of the bound.',
  );
  for (const g of goals) console.log(`- ${g}`);
}

if (require.main === module) {
  benchGeneration().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
