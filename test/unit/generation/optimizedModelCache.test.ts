/**
 * The cache of optimized graphs on real ONNX models: a second load opens the cached graph (with
 * ONNX Runtime's optimizer off) and decodes the same tokens as the model itself, on every loader
 * layout that writes a graph of its own (plain, split and merged decoders, external data in
 * several files, float16 caches, q4); a model changed in place misses, a copy hits; the cache
 * stays within its size; a damaged entry is dropped and the model still loads.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { generateText } from '../../../src/generation/generate';
import type { DtypeRequest } from '../../../src/generation/layout';
import { OptimizedModelCache } from '../../../src/generation/optimizedModelCache';
import { openOnnxSession, sessionCreator } from '../../../src/generation/sessionOptions';
import { loadTextModelFolder } from '../../../src/generation/textModelLoader';
import type { SamplingOptions } from '../../../src/generation/textRequest';
import { modelsDir } from './fixtures';

const parityDir = path.join(modelsDir, 'parity');
const greedy: SamplingOptions = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 };
const PROMPT = 'The lamp is on the desk. The book is on the shelf. The';

/** `inline`: a merged decoder, whose first cached copy ONNX Runtime cannot open (see optimizedModelCache.ts). */
const LAYOUTS: ReadonlyArray<{ label: string; dir: string; dtype: DtypeRequest; inline?: boolean }> = [
  { label: 'tiny-gpt2', dir: path.join(modelsDir, 'tiny-gpt2'), dtype: 'fp32' },
  { label: 'gpt2-split (two graphs)', dir: path.join(parityDir, 'gpt2-split'), dtype: 'fp32' },
  { label: 'gpt2-merged (subgraphs: weights kept inside)', dir: path.join(parityDir, 'gpt2-merged'), dtype: 'fp32', inline: true },
  { label: 'qwen2 (GQA)', dir: path.join(parityDir, 'qwen2'), dtype: 'fp32' },
  { label: 'llama-external-data (two weight files)', dir: path.join(parityDir, 'llama-external-data'), dtype: 'fp32' },
  { label: 'llama-dtypes fp16', dir: path.join(parityDir, 'llama-dtypes'), dtype: 'fp16' },
  { label: 'llama-dtypes q4', dir: path.join(parityDir, 'llama-dtypes'), dtype: 'q4' },
  { label: 'llama-dtypes q8', dir: path.join(parityDir, 'llama-dtypes'), dtype: 'q8' },
  { label: 'tiny-gpt2/no-past (no KV cache)', dir: path.join(modelsDir, 'tiny-gpt2', 'no-past'), dtype: 'fp32' },
];

/** The files ONNX Runtime was asked to open, and the optimization level of each. */
type Opened = { file: string; level: string }[];

async function load(dir: string, dtype: DtypeRequest, cache: OptimizedModelCache | undefined, opened: Opened = []) {
  const loaded = await loadTextModelFolder(dir, dtype, {
    open: (file) =>
      openOnnxSession(
        (f, options) => {
          opened.push({ file: typeof f === 'string' ? f : '(bytes)', level: options.graphOptimizationLevel });
          return sessionCreator(ort.InferenceSession)(f, options);
        },
        file,
        1,
        { cache },
      ),
    close: (session) => session.release(),
    makeTensor: (type, data, dims) => new ort.Tensor(type, data, dims),
  });
  return {
    ...loaded,
    async tokens(): Promise<number[]> {
      return (await generateText(loaded.model, { prompt: PROMPT, maxTokens: 24, stop: [], sampling: greedy, endAtSentence: false })).tokens;
    },
    async release(): Promise<void> {
      for (const session of loaded.sessions) await session.release();
    },
  };
}

function newCache(maxBytes = 1024 ** 3): OptimizedModelCache {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-optcache-'));
  return new OptimizedModelCache({ dir, maxBytes, ortVersion: ort.env.versions?.node ?? 'test' });
}

function entries(cache: OptimizedModelCache): string[] {
  return fs.readdirSync(cache.dir).filter((name) => fs.existsSync(path.join(cache.dir, name, 'entry.json')));
}

describe('optimized model cache', () => {
  const made: OptimizedModelCache[] = [];
  const cacheFor = (maxBytes?: number) => {
    const cache = newCache(maxBytes);
    made.push(cache);
    return cache;
  };
  after(() => {
    for (const cache of made) fs.rmSync(cache.dir, { recursive: true, force: true });
  });

  for (const layout of LAYOUTS) {
    it(`the second load opens the cached graph and decodes the same tokens: ${layout.label}`, async () => {
      const plain = await load(layout.dir, layout.dtype, undefined);
      const expected = await plain.tokens();
      await plain.release();

      const cache = cacheFor();
      const first: Opened = [];
      const saving = await load(layout.dir, layout.dtype, cache, first);
      assert.deepStrictEqual(await saving.tokens(), expected, 'the load that saves decodes as the model does');
      await saving.release();
      const graphs = saving.sessions.length;
      assert.strictEqual(entries(cache).length, graphs, 'one entry per graph');
      assert.ok(
        first.every((o) => !o.file.startsWith(cache.dir) && o.level === 'all'),
        'the first load opens the model itself',
      );

      if (layout.inline) {
        // The copy with separate weights fails to open: dropped, the model itself opened and copied again, weights inside.
        const retry: Opened = [];
        const again = await load(layout.dir, layout.dtype, cache, retry);
        assert.deepStrictEqual(await again.tokens(), expected);
        await again.release();
        assert.deepStrictEqual(
          retry.map((o) => o.file.startsWith(cache.dir)),
          [true, false],
          'the cached copy was tried, then the model itself',
        );
      }
      const second: Opened = [];
      const cached = await load(layout.dir, layout.dtype, cache, second);
      assert.deepStrictEqual(await cached.tokens(), expected, 'the cached graph decodes the same tokens');
      await cached.release();
      assert.strictEqual(second.length, graphs);
      for (const o of second) {
        assert.ok(o.file.startsWith(cache.dir), `${o.file} is in the cache`);
        assert.strictEqual(o.level, 'disabled', 'no second optimization');
        const weights = fs.existsSync(path.join(path.dirname(o.file), 'model.onnx.data'));
        assert.strictEqual(weights, !layout.inline, layout.inline ? 'weights inside the graph' : 'weights in their own file');
      }
    });
  }

  it('a model changed in place misses; a copy of a cached model hits', async function () {
    this.timeout(120_000);
    const src = path.join(modelsDir, 'tiny-gpt2');
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-optcache-model-'));
    try {
      fs.cpSync(src, path.join(work, 'a'), { recursive: true });
      const cache = cacheFor();
      const a = await load(path.join(work, 'a'), 'fp32', cache);
      const expected = await a.tokens();
      await a.release();

      // The same bytes elsewhere: found by content.
      fs.cpSync(path.join(work, 'a'), path.join(work, 'b'), { recursive: true });
      const opened: Opened = [];
      const b = await load(path.join(work, 'b'), 'fp32', cache, opened);
      assert.deepStrictEqual(await b.tokens(), expected);
      await b.release();
      assert.ok(opened[0].file.startsWith(cache.dir), 'a copy opens the cached graph');

      // Another model written over a's file (same path): a new entry, the new model's tokens.
      const other = path.join(parityDir, 'gpt2-merged');
      const otherModel = await load(other, 'fp32', undefined);
      const otherTokens = await otherModel.tokens();
      await otherModel.release();
      fs.rmSync(path.join(work, 'a'), { recursive: true });
      fs.cpSync(other, path.join(work, 'a'), { recursive: true });
      const replaced: Opened = [];
      const c = await load(path.join(work, 'a'), 'fp32', cache, replaced);
      assert.deepStrictEqual(await c.tokens(), otherTokens, 'the replaced model, not the cached one');
      await c.release();
      assert.ok(!replaced[0].file.startsWith(cache.dir), 'the replaced model misses');
      assert.strictEqual(entries(cache).length, 2);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  it('stays within its size: the least recently used entry goes, and a model too large for it is not saved', async () => {
    const small = path.join(modelsDir, 'tiny-gpt2');
    const large = path.join(parityDir, 'qwen2');
    const sizeOf = (dir: string) => fs.statSync(path.join(dir, 'onnx', 'model.onnx')).size;
    // Room for the larger model's copy (its load asks for twice its size), not for both copies.
    const cache = cacheFor(2 * sizeOf(large) + 1);
    for (const dir of [small, large]) await (await load(dir, 'fp32', cache)).release();
    const names = entries(cache);
    assert.strictEqual(names.length, 1, `one entry left (${names.join(', ')})`);
    const kept = JSON.parse(fs.readFileSync(path.join(cache.dir, names[0], 'entry.json'), 'utf8')) as { source: string };
    assert.ok(kept.source.startsWith(large), 'the most recent stays');
    assert.ok(cache.totalBytes() <= 2 * sizeOf(large) + 1);

    const tiny = cacheFor(sizeOf(small));
    await (await load(small, 'fp32', tiny)).release();
    assert.deepStrictEqual(entries(tiny), [], 'too large for the cache: not saved');
  });

  it('a damaged entry is dropped and the model loads from its own file', async () => {
    const dir = path.join(modelsDir, 'tiny-gpt2');
    const cache = cacheFor();
    const first = await load(dir, 'fp32', cache);
    const expected = await first.tokens();
    await first.release();
    const [name] = entries(cache);
    fs.writeFileSync(path.join(cache.dir, name, 'model.onnx'), 'not a graph');

    const opened: Opened = [];
    const again = await load(dir, 'fp32', cache, opened);
    assert.deepStrictEqual(await again.tokens(), expected);
    await again.release();
    assert.ok(opened[0].file.startsWith(cache.dir), 'the damaged entry was tried');
    assert.ok(!opened.at(-1)!.file.startsWith(cache.dir), 'then the model itself');
    // The fallback saved a fresh copy: the next load hits again.
    const fresh: Opened = [];
    await (await load(dir, 'fp32', cache, fresh)).release();
    assert.ok(fresh[0].file.startsWith(cache.dir) && fresh.length === 1, 'a whole entry again');
  });
});
