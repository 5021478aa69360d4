/**
 * The KV cache taken and given back by position (cacheByPosition.ts): which graphs the rewrite
 * takes, that a rewritten graph computes the export's logits bit for bit step after step,
 * through a multi-token verification and a rollback, and that opening never fails because of it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { loadModelInProcess, type InProcessModel } from '../../../src/cli/continue';
import { BY_POSITION, cacheByPosition, NEW_ROWS, rewriteCacheByPosition } from '../../../src/generation/cacheByPosition';
import { DecoderRun, type DecoderModel } from '../../../src/generation/decoder';
import { encodePrompt } from '../../../src/generation/generate';
import type { DtypeRequest } from '../../../src/generation/layout';
import { OptimizedModelCache } from '../../../src/generation/optimizedModelCache';
import { argmax } from '../../../src/generation/sampling';
import { openOnnxSession, sessionCreator } from '../../../src/generation/sessionOptions';
import { modelsDir } from './fixtures';

const parityDir = path.join(modelsDir, 'parity');

/** Layouts and whether their cache can go by position (4-D with the sequence on axis 2, or GPT-BigCode's 3-D, wherever the weights are). */
const LAYOUTS: ReadonlyArray<{ label: string; dir: string; dtype: DtypeRequest; byPosition: boolean }> = [
  { label: 'tiny-gpt2', dir: path.join(modelsDir, 'tiny-gpt2'), dtype: 'fp32', byPosition: true },
  { label: 'tiny-llama', dir: path.join(modelsDir, 'tiny-llama'), dtype: 'fp32', byPosition: true },
  { label: 'gpt2-merged (If over two subgraphs)', dir: path.join(parityDir, 'gpt2-merged'), dtype: 'fp32', byPosition: true },
  { label: 'gpt2-split (decoder + decoder-with-past)', dir: path.join(parityDir, 'gpt2-split'), dtype: 'fp32', byPosition: true },
  { label: 'qwen2 (grouped-query heads)', dir: path.join(parityDir, 'qwen2'), dtype: 'fp32', byPosition: true },
  { label: 'phi3', dir: path.join(parityDir, 'phi3'), dtype: 'fp32', byPosition: true },
  { label: 'llama-dtypes fp16 (float16 cache)', dir: path.join(parityDir, 'llama-dtypes'), dtype: 'fp16', byPosition: true },
  { label: 'llama-dtypes q4', dir: path.join(parityDir, 'llama-dtypes'), dtype: 'q4', byPosition: true },
  {
    label: 'bigcode-mq (fused 3-D key_value cache, already by position)',
    dir: path.join(parityDir, 'bigcode-mq'),
    dtype: 'fp32',
    byPosition: true,
  },
  {
    label: 'llama-external-data (weights in two other files, found from memory)',
    dir: path.join(parityDir, 'llama-external-data'),
    dtype: 'fp32',
    byPosition: true,
  },
  { label: 'tiny-gpt2/no-past (no cache)', dir: path.join(modelsDir, 'tiny-gpt2', 'no-past'), dtype: 'fp32', byPosition: false },
];

const decoderModel = (m: InProcessModel): DecoderModel => ({
  session: m.session,
  makeTensor: m.makeTensor,
  spec: m.spec,
  file: m.onnxFile,
  withPast: m.withPast,
});

/** Whether the two rows hold the same float32 bits. */
const sameBits = (a: Float32Array, b: Float32Array) =>
  a.length === b.length &&
  Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

for (const layout of LAYOUTS) {
  describe(`cache by position: ${layout.label}`, () => {
    let rewritten: InProcessModel;
    let exported: InProcessModel;
    before(async () => {
      rewritten = await loadModelInProcess(layout.dir, 1, layout.dtype);
      exported = await loadModelInProcess(layout.dir, 1, layout.dtype, { tuning: { rewrite: false } });
    });
    after(async () => {
      await rewritten?.release();
      await exported?.release();
    });

    it(layout.byPosition ? 'takes and gives its cache by position' : 'is left as exported', () => {
      // The graph that takes the past: the decoder-with-past of a split export, else the one graph.
      const stepSession = rewritten.withPast?.session ?? rewritten.session;
      const pasts = stepSession.inputNames.filter((n) => n.startsWith('past_key_values.'));
      assert.deepStrictEqual(
        pasts.map((n) => n.endsWith(BY_POSITION)),
        pasts.map(() => layout.byPosition),
      );
      const presents = rewritten.session.outputNames.filter((n) => n.startsWith('present.'));
      assert.ok(presents.length || !layout.byPosition);
      assert.deepStrictEqual(
        presents.map((n) => n.endsWith(NEW_ROWS)),
        presents.map(() => layout.byPosition),
      );
      const exportedPasts = (exported.withPast?.session ?? exported.session).inputNames.filter((n) => n.startsWith('past_key_values.'));
      assert.ok(
        exportedPasts.every((n) => !n.endsWith(BY_POSITION)),
        'the tuning turns the rewrite off',
      );
    });

    it('gives the export’s logits bit for bit: step by step, over three drafted tokens at once, after a rollback', async () => {
      const promptIds = encodePrompt(exported, 'The lamp is on the desk. The book is on the shelf.');
      const a = new DecoderRun(decoderModel(exported), promptIds);
      const b = new DecoderRun(decoderModel(rewritten), promptIds);
      const ids: number[] = [];
      for (let i = 0; i < 8; i++) {
        const [ra, rb] = [await a.next(), await b.next()];
        assert.ok(sameBits(ra, rb), `step ${i}: the rows differ`);
        ids.push(argmax(ra));
        a.append(ids[i]);
        b.append(ids[i]);
      }
      // Back 5 (the verifier's rollback), then three drafted tokens in one step, then the one after them.
      a.rollback(5);
      b.rollback(5);
      for (const run of [a, b]) for (const id of ids.slice(3, 6)) run.append(id);
      const [va, vb] = [await a.forward(3), await b.forward(3)];
      for (let i = 0; i < 3; i++) assert.ok(sameBits(va[i], vb[i]), `verified row ${i} differs`);
      // A verifier that accepted one of two drafts: drop two, append the corrected token.
      a.replaceTail(2, ids[4]);
      b.replaceTail(2, ids[4]);
      assert.ok(sameBits(await a.next(), await b.next()), 'the row after replaceTail differs');
      assert.strictEqual(a.length, b.length);
    });
  });
}

describe('cache by position: opening', () => {
  it('leaves bytes that are no model, and graphs without a cache, as they are', () => {
    assert.strictEqual(rewriteCacheByPosition(Uint8Array.from([0x08, 0x07, 0x3a, 0xff, 0xff])), undefined);
    assert.strictEqual(rewriteCacheByPosition(new Uint8Array(0)), undefined);
    const gan = fs.readFileSync(path.join(modelsDir, 'tiny-gan', 'generator.onnx'));
    assert.strictEqual(rewriteCacheByPosition(gan), undefined);
  });

  it('opens the file as exported when ONNX Runtime refuses the rewritten bytes, or the rewrite throws', async () => {
    const file = path.join(modelsDir, 'tiny-gpt2', 'onnx', 'model.onnx');
    const halved = { key: 'halved', apply: (model: Uint8Array) => model.subarray(0, model.length >> 1) };
    const throwing = {
      key: 'throwing',
      apply: (): Uint8Array => {
        throw new RangeError('a rewrite that fails');
      },
    };
    for (const rewrite of [halved, throwing]) {
      const session = await openOnnxSession(sessionCreator(ort.InferenceSession), file, 1, { rewrite });
      try {
        assert.ok(session.inputNames.includes('past_key_values.0.key'), rewrite.key);
      } finally {
        await session.release();
      }
    }
  });

  for (const file of [
    path.join(modelsDir, 'tiny-gpt2', 'onnx', 'model.onnx'),
    path.join(parityDir, 'llama-external-data', 'onnx', 'model.onnx'),
  ])
    it(`keeps the rewritten graph in the optimized-model cache under a key of its own: ${path.basename(path.dirname(path.dirname(file)))}`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-cache-by-position-'));
      const cache = new OptimizedModelCache({ dir, maxBytes: 1 << 30, ortVersion: 'test' });
      const events: string[] = [];
      const open = async (rewrite: boolean) => {
        const session = await openOnnxSession(sessionCreator(ort.InferenceSession), file, 1, {
          cache,
          rewrite: cacheByPosition,
          tuning: { rewrite },
          onCache: (event) => events.push(`${rewrite ? 'by position' : 'as exported'} ${event}`),
        });
        const inputs = session.inputNames;
        await session.release();
        return inputs.filter((n) => n.startsWith('past_key_values.')).every((n) => n.endsWith(BY_POSITION));
      };
      try {
        assert.strictEqual(await open(true), true);
        assert.strictEqual(await open(false), false);
        assert.strictEqual(await open(true), true);
        assert.strictEqual(await open(false), false);
        assert.deepStrictEqual(events, ['by position saved', 'as exported saved', 'by position opened', 'as exported opened']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
});
