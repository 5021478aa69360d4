/**
 * The decode loop's wiring for each layout, on fake sessions that record what they are fed:
 * empty pasts made from the graph's input metadata (float16 in a Uint16Array, fixed dims kept),
 * present → past_key_values renaming (GPT-BigCode's .key_value too), use_cache_branch,
 * position ids from firstPosition, float16 logits, and the decoder + decoder-with-past pair.
 * Token-level parity with transformers.js on real graphs is transformersParity.test.ts.
 */
import * as assert from 'assert';
import { readArchitecture } from '../../../src/generation/architectures';
import { decode, halfToFloat, type DecoderModel } from '../../../src/generation/decoder';
import type { MakeTensor, SessionLike, TensorLike, ValueMetadataLike } from '../../../src/generation/onnxTypes';
import type { TextModelSpec } from '../../../src/generation/textModel';
import { greedy } from './fixtures';

const VOCAB = 8;

const makeTensor: MakeTensor = (type, data, dims) => ({ type, data, dims: [...dims] });

/** float32 → IEEE half bits (normal numbers only; enough for small logits). */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const bits = new Uint32Array(f.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = (bits >>> 13) & 0x3ff;
  return v === 0 ? sign : sign | (exponent << 10) | mantissa;
}

interface FakeOptions {
  inputs: ValueMetadataLike[];
  /** Outputs besides logits. */
  presents: string[];
  half?: boolean;
}

/** A session whose next token is always (last input id + 1) % VOCAB, recording every feed. */
function fakeSession(o: FakeOptions): SessionLike & { calls: Array<Record<string, TensorLike>> } {
  const calls: Array<Record<string, TensorLike>> = [];
  return {
    calls,
    inputNames: o.inputs.map((i) => i.name),
    outputNames: ['logits', ...o.presents],
    inputMetadata: o.inputs,
    async run(feeds) {
      // The loop reuses its one-token buffers between steps: keep a copy of what this step saw.
      const seen: Record<string, TensorLike> = {};
      for (const [k, t] of Object.entries(feeds)) seen[k] = t.data instanceof BigInt64Array ? { ...t, data: t.data.slice() } : t;
      calls.push(seen);
      const ids = feeds.input_ids.data as BigInt64Array;
      const seq = ids.length;
      const next = (Number(ids[seq - 1]) + 1) % VOCAB;
      const row = Array.from({ length: VOCAB }, (_, i) => (i === next ? 5 : -1));
      const out: Record<string, TensorLike> = {
        logits: o.half
          ? makeTensor(
              'float16',
              Uint16Array.from(
                Array.from({ length: seq }, () => row)
                  .flat()
                  .map(toHalf),
              ),
              [1, seq, VOCAB],
            )
          : makeTensor('float32', Float32Array.from(Array.from({ length: seq }, () => row).flat()), [1, seq, VOCAB]),
      };
      for (const p of o.presents) {
        const past = feeds[p.replace(/^present/, 'past_key_values')];
        const pastLength = past ? (past.dims[past.dims.length === 3 ? 1 : 2] as number) : 0;
        const total = pastLength + seq;
        out[p] = makeTensor('float32', new Float32Array(0), p.endsWith('key_value') ? [1, total, 4] : [1, 1, total, 2]);
      }
      return out;
    },
  };
}

const tensor = (name: string, type: string, shape: Array<number | string>): ValueMetadataLike => ({ name, isTensor: true, type, shape });
const ids = (t: TensorLike) => Array.from(t.data as BigInt64Array, Number);

function specOf(config: Record<string, unknown>): TextModelSpec {
  return { ...readArchitecture(config), eosTokenIds: [], prefixIds: [] };
}
const llama = specOf({
  model_type: 'llama',
  num_hidden_layers: 1,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  hidden_size: 4,
  vocab_size: VOCAB,
  max_position_embeddings: 64,
});

async function run(model: DecoderModel, prompt: number[], maxTokens = 3) {
  return decode(model, { promptIds: prompt, maxTokens, sampling: greedy });
}

describe('decode loop layouts (fake sessions)', () => {
  it('converts IEEE half bits', () => {
    assert.deepStrictEqual([0x3c00, 0xc000, 0x0000, 0x7c00, 0x0001, 0x3555].map(halfToFloat), [
      1,
      -2,
      0,
      Infinity,
      2 ** -24,
      0.333251953125,
    ]);
    assert.ok(Number.isNaN(halfToFloat(0x7e00)));
  });

  it('a merged decoder: empty float16 past in the declared shape, use_cache_branch false then true, one token per step after the prompt, float16 logits', async () => {
    const session = fakeSession({
      inputs: [
        tensor('input_ids', 'int64', ['batch_size', 'sequence_length']),
        tensor('attention_mask', 'int64', ['batch_size', 'total_sequence_length']),
        tensor('position_ids', 'int64', ['batch_size', 'sequence_length']),
        tensor('past_key_values.0.key', 'float16', ['batch_size', 1, 'past_sequence_length', 2]),
        tensor('past_key_values.0.value', 'float16', ['batch_size', 1, 'past_sequence_length', 2]),
        tensor('use_cache_branch', 'bool', [1]),
      ],
      presents: ['present.0.key', 'present.0.value'],
      half: true,
    });
    const result = await run({ session, makeTensor, spec: llama, file: 'decoder_model_merged.onnx' }, [1, 2]);
    assert.deepStrictEqual(result.tokens, [3, 4, 5]);
    assert.ok(result.usedKvCache);
    const [first, second, third] = session.calls;
    const past = first['past_key_values.0.key'];
    assert.deepStrictEqual([past.type, past.dims, past.data instanceof Uint16Array], ['float16', [1, 1, 0, 2], true]);
    assert.deepStrictEqual(
      [first, second, third].map((f) => Array.from(f.use_cache_branch.data as Uint8Array)),
      [[0], [1], [1]],
    );
    assert.strictEqual(first.use_cache_branch.type, 'bool');
    assert.deepStrictEqual([ids(first.input_ids), ids(second.input_ids), ids(third.input_ids)], [[1, 2], [3], [4]]);
    assert.deepStrictEqual([ids(first.position_ids), ids(second.position_ids), ids(third.position_ids)], [[0, 1], [2], [3]]);
    assert.deepStrictEqual(third.attention_mask.dims, [1, 4]);
    // The present of one step is the past of the next, renamed.
    assert.deepStrictEqual(second['past_key_values.0.key'].dims, [1, 1, 2, 2]);
    assert.deepStrictEqual(third['past_key_values.0.value'].dims, [1, 1, 3, 2]);
  });

  it('GPT-BigCode multi-query: past_key_values.{i}.key_value [batch, past, 2*head_dim] carried from present.{i}.key_value', async () => {
    const spec = specOf({ model_type: 'gpt_bigcode', n_layer: 1, n_head: 2, n_embd: 4, vocab_size: VOCAB, n_positions: 64 });
    const session = fakeSession({
      inputs: [
        tensor('input_ids', 'int64', ['batch_size', 'sequence_length']),
        tensor('attention_mask', 'int64', ['batch_size', 'total']),
        tensor('past_key_values.0.key_value', 'float32', ['batch_size', 'past_sequence_length', 4]),
      ],
      presents: ['present.0.key_value'],
    });
    const result = await run({ session, makeTensor, spec, file: 'model.onnx' }, [6]);
    assert.deepStrictEqual(result.tokens, [7, 0, 1]);
    assert.deepStrictEqual(session.calls[0]['past_key_values.0.key_value'].dims, [1, 0, 4]);
    assert.deepStrictEqual(session.calls[2]['past_key_values.0.key_value'].dims, [1, 2, 4]);
    assert.ok(!('position_ids' in session.calls[0]), 'no position_ids for a graph without them');
  });

  it('counts positions from firstPosition (gemma3) and feeds position_ids only where the graph takes them', async () => {
    const gemma = { ...llama, firstPosition: 1 as const };
    const session = fakeSession({
      inputs: [
        tensor('input_ids', 'int64', ['b', 's']),
        tensor('position_ids', 'int64', ['b', 's']),
        tensor('past_key_values.0.key', 'float32', ['b', 1, 'p', 2]),
        tensor('past_key_values.0.value', 'float32', ['b', 1, 'p', 2]),
      ],
      presents: ['present.0.key', 'present.0.value'],
    });
    await run({ session, makeTensor, spec: gemma, file: 'model.onnx' }, [1, 2, 3], 2);
    assert.deepStrictEqual(
      session.calls.map((c) => ids(c.position_ids)),
      [[1, 2, 3], [4]],
    );
    assert.ok(!('attention_mask' in session.calls[0]));
  });

  it('a split export: the prompt in the decoder, each next token in the decoder-with-past fed its presents', async () => {
    const decoder = fakeSession({
      inputs: [tensor('input_ids', 'int64', ['b', 's']), tensor('attention_mask', 'int64', ['b', 't'])],
      presents: ['present.0.key', 'present.0.value'],
    });
    const withPast = fakeSession({
      inputs: [
        tensor('input_ids', 'int64', ['b', 's']),
        tensor('attention_mask', 'int64', ['b', 't']),
        tensor('past_key_values.0.key', 'float32', ['b', 1, 'p', 2]),
        tensor('past_key_values.0.value', 'float32', ['b', 1, 'p', 2]),
      ],
      presents: ['present.0.key', 'present.0.value'],
    });
    const result = await run(
      {
        session: decoder,
        makeTensor,
        spec: llama,
        file: 'decoder_model.onnx',
        withPast: { session: withPast, file: 'decoder_with_past_model.onnx' },
      },
      [1, 2],
    );
    assert.deepStrictEqual(result.tokens, [3, 4, 5]);
    assert.ok(result.usedKvCache);
    assert.strictEqual(decoder.calls.length, 1);
    assert.deepStrictEqual(Object.keys(decoder.calls[0]).sort(), ['attention_mask', 'input_ids'], 'the decoder gets no past');
    assert.deepStrictEqual(
      withPast.calls.map((c) => ids(c.input_ids)),
      [[3], [4]],
    );
    assert.deepStrictEqual(
      withPast.calls.map((c) => c['past_key_values.0.key'].dims[2]),
      [2, 3],
    );
  });

  it('a decoder without past inputs (a split export missing its with-past graph) runs the whole sequence every step', async () => {
    const decoder = fakeSession({
      inputs: [tensor('input_ids', 'int64', ['b', 's']), tensor('attention_mask', 'int64', ['b', 't'])],
      presents: ['present.0.key', 'present.0.value'],
    });
    const result = await run({ session: decoder, makeTensor, spec: llama, file: 'decoder_model.onnx' }, [1, 2]);
    assert.deepStrictEqual(result.tokens, [3, 4, 5]);
    assert.ok(!result.usedKvCache);
    assert.deepStrictEqual(
      decoder.calls.map((c) => ids(c.input_ids)),
      [
        [1, 2],
        [1, 2, 3],
        [1, 2, 3, 4],
      ],
    );
  });

  it('refuses a graph input it cannot feed and a cache input without its present output', async () => {
    const odd = fakeSession({
      inputs: [tensor('input_ids', 'int64', ['b', 's']), tensor('token_type_ids', 'int64', ['b', 's'])],
      presents: [],
    });
    await assert.rejects(
      run({ session: odd, makeTensor, spec: llama, file: 'model.onnx' }, [1]),
      /model\.onnx takes an input "token_type_ids" that Inkwell does not know how to feed/,
    );
    const noPresent = fakeSession({
      inputs: [
        tensor('input_ids', 'int64', ['b', 's']),
        tensor('past_key_values.0.key', 'float32', ['b', 1, 'p', 2]),
        tensor('past_key_values.0.value', 'float32', ['b', 1, 'p', 2]),
      ],
      presents: ['present.0.key'],
    });
    await assert.rejects(
      run({ session: noPresent, makeTensor, spec: llama, file: 'model.onnx' }, [1]),
      /has no output "present\.0\.value" to match its input "past_key_values\.0\.value"/,
    );
  });
});
