import * as assert from 'assert';
import { signature } from '../../../src/features/models/checkReport';

describe('Check Model report', () => {
  it('lists per-layer cache tensors as one line per family', () => {
    const kv = (prefix: string) =>
      Array.from({ length: 4 }, (_, i) =>
        ['key', 'value'].map((part) => ({
          name: `${prefix}.${i}.${part}`,
          type: 'float32',
          shape: ['batch_size', 4, 'past_sequence_length', 16],
        })),
      ).flat();
    const text = signature([{ name: 'input_ids', type: 'int64', shape: ['batch_size', 'sequence_length'] }, ...kv('past_key_values')]);
    assert.strictEqual(
      text,
      '  input_ids: int64[batch_size, sequence_length]\n  past_key_values.*.{key,value} (8 tensors, 4 layers): float32[batch_size, 4, past_sequence_length, 16]',
    );
  });
});

describe('Check Model report of a cache taken by position', () => {
  it('keeps the suffix on the family line, keys and values together', () => {
    const text = signature(
      Array.from({ length: 2 }, (_, i) =>
        ['key', 'value'].map((part) => ({
          name: `present.${i}.${part}.new`,
          type: 'float16',
          shape: ['batch_size', 'sequence_length', 2, 8],
        })),
      ).flat(),
    );
    assert.strictEqual(text, '  present.*.{key,value}.new (4 tensors, 2 layers): float16[batch_size, sequence_length, 2, 8]');
  });
});
