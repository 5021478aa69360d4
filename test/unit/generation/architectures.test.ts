import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { ArchitectureError, cacheInputs, emptyCacheShape, readArchitecture } from '../../../src/generation/architectures';

const parityDir = path.join(__dirname, '..', '..', 'fixtures', 'models', 'parity');

describe('generation/architectures: sizes from config.json by model type', () => {
  it('reads GPT-2, GPT-BigCode (multi-query), GPT-Neo, Llama-family, Qwen3 and Gemma names', () => {
    const gpt2 = readArchitecture({ model_type: 'gpt2', n_layer: 12, n_head: 12, n_embd: 768, vocab_size: 50257, n_positions: 1024 });
    assert.deepStrictEqual(
      [gpt2.layers, gpt2.heads, gpt2.kvHeads, gpt2.headDim, gpt2.contextLength, gpt2.fusedKeyValue],
      [12, 12, 12, 64, 1024, false],
    );
    const bigcode = readArchitecture({
      model_type: 'gpt_bigcode',
      n_layer: 2,
      n_head: 4,
      n_embd: 32,
      vocab_size: 100,
      n_positions: 256,
      multi_query: true,
    });
    assert.deepStrictEqual([bigcode.kvHeads, bigcode.fusedKeyValue], [1, true]);
    assert.strictEqual(
      readArchitecture({
        model_type: 'gpt_bigcode',
        n_layer: 2,
        n_head: 4,
        n_embd: 32,
        vocab_size: 100,
        n_positions: 256,
        multi_query: false,
      }).fusedKeyValue,
      false,
    );
    const neo = readArchitecture({
      model_type: 'gpt_neo',
      num_layers: 24,
      num_heads: 16,
      hidden_size: 2048,
      vocab_size: 50257,
      max_position_embeddings: 2048,
    });
    assert.deepStrictEqual([neo.layers, neo.heads, neo.headDim], [24, 16, 128]);
    const qwen2 = readArchitecture({
      model_type: 'qwen2',
      num_hidden_layers: 24,
      num_attention_heads: 14,
      num_key_value_heads: 2,
      hidden_size: 896,
      vocab_size: 151936,
      max_position_embeddings: 32768,
    });
    assert.deepStrictEqual([qwen2.kvHeads, qwen2.headDim], [2, 64]);
    const qwen3 = readArchitecture({
      model_type: 'qwen3',
      num_hidden_layers: 28,
      num_attention_heads: 16,
      num_key_value_heads: 8,
      hidden_size: 1024,
      head_dim: 128,
      vocab_size: 151936,
      max_position_embeddings: 40960,
    });
    assert.strictEqual(qwen3.headDim, 128);
    const gemma3 = readArchitecture({
      model_type: 'gemma3',
      text_config: {
        model_type: 'gemma3_text',
        num_hidden_layers: 26,
        num_attention_heads: 4,
        num_key_value_heads: 1,
        hidden_size: 1152,
        head_dim: 256,
        vocab_size: 262144,
        max_position_embeddings: 32768,
      },
    });
    assert.deepStrictEqual([gemma3.modelType, gemma3.layers, gemma3.headDim, gemma3.firstPosition], ['gemma3_text', 26, 256, 1]);
    assert.strictEqual(
      readArchitecture({
        model_type: 'gemma',
        num_hidden_layers: 18,
        num_attention_heads: 8,
        num_key_value_heads: 1,
        hidden_size: 2048,
        head_dim: 256,
        vocab_size: 256000,
        max_position_embeddings: 8192,
      }).firstPosition,
      0,
    );
    const mpt = readArchitecture({ model_type: 'mpt', n_layers: 2, n_heads: 4, d_model: 64, vocab_size: 10, max_seq_len: 128 });
    assert.deepStrictEqual([mpt.layers, mpt.heads, mpt.hidden, mpt.contextLength], [2, 4, 64, 128]);
  });

  it('names the missing or inconsistent field', () => {
    assert.throws(
      () =>
        readArchitecture({ model_type: 'gpt_neo', num_layers: 2, n_head: 4, hidden_size: 32, vocab_size: 10, max_position_embeddings: 64 }),
      (e: Error) => e instanceof ArchitectureError && /number of attention heads of this gpt_neo model .*"num_heads"/.test(e.message),
    );
    assert.throws(
      () =>
        readArchitecture({
          model_type: 'llama',
          num_hidden_layers: 2,
          num_attention_heads: 4,
          num_key_value_heads: 3,
          hidden_size: 32,
          vocab_size: 10,
          max_position_embeddings: 64,
        }),
      /4 attention heads are not a multiple of 3 key\/value heads/,
    );
    assert.throws(
      () =>
        readArchitecture({
          model_type: 'llama',
          num_hidden_layers: 2,
          num_attention_heads: 5,
          hidden_size: 32,
          vocab_size: 10,
          max_position_embeddings: 64,
        }),
      /not a multiple of 5 heads, and there is no "head_dim"/,
    );
    assert.throws(() => readArchitecture({}), /has no "model_type"/);
  });

  it('makes empty caches the way transformers.js does: fixed dims kept, batch 1, past 0', () => {
    assert.deepStrictEqual(emptyCacheShape(['batch_size', 4, 'past_sequence_length', 8]), [1, 4, 0, 8]);
    assert.deepStrictEqual(emptyCacheShape(['batch', 'past_sequence_length', 16]), [1, 0, 16]);
    assert.deepStrictEqual(emptyCacheShape([undefined, undefined, undefined, undefined], [1, 2, 0, 8]), [1, 2, 0, 8]);
  });

  it("matches every parity fixture graph's cache inputs and outputs, names and shapes", async () => {
    for (const name of fs.readdirSync(parityDir)) {
      const dir = path.join(parityDir, name);
      const ref = path.join(dir, 'reference.json');
      if (!fs.existsSync(ref)) continue;
      const spec = readArchitecture(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>);
      const { runs } = JSON.parse(fs.readFileSync(ref, 'utf8')) as { runs: Array<{ file: string; with_past?: string }> };
      const file = runs[0].with_past ?? runs[0].file;
      const session = await ort.InferenceSession.create(path.join(dir, file));
      try {
        const expected = cacheInputs(spec);
        const past = session.inputNames.filter((n) => n.startsWith('past_key_values.'));
        assert.deepStrictEqual(
          past,
          expected.map((c) => c.name),
          name,
        );
        assert.deepStrictEqual(
          session.outputNames.filter((n) => n.startsWith('present.')),
          expected.map((c) => c.presentName),
          name,
        );
        for (const meta of session.inputMetadata) {
          const c = expected.find((x) => x.name === meta.name);
          if (c && meta.isTensor) assert.deepStrictEqual(emptyCacheShape(meta.shape), c.emptyShape, `${name} ${meta.name}`);
        }
      } finally {
        await session.release();
      }
    }
  });
});
