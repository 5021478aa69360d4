import * as assert from 'assert';
import * as path from 'path';
import { textModelFiles } from '../../../src/generation/textModel';
import { loadTokenizer } from '../../../src/generation/tokenizer';
import { modelsDir } from './fixtures';

// gpt-3-encoder is an independent implementation of GPT-2's byte-level BPE.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const reference = require('gpt-3-encoder') as { encode(text: string): number[]; decode(ids: number[]): string };

describe('GPT-2 tokenizer (tokenizer.json via @huggingface/tokenizers)', () => {
  const tokenizer = loadTokenizer(textModelFiles(path.join(modelsDir, 'tiny-gpt2')));
  const texts = [
    'Hello world',
    '---\ntitle: "My first post"\ntags: [ml, onnx]\n---\n\nIt was a dark and stormy night;   the rain fell.',
    "Don't stop: it's 2026, isn't it? 3.14159 + 2,718",
    'Ünïcödé, 日本語のテキスト, emoji 🎉👩‍💻 and tabs\tand  double  spaces.',
    '```ts\nconst x = await fetch(url);\n```',
  ];
  for (const text of texts) {
    it(`matches GPT-2's BPE id for id: ${JSON.stringify(text.slice(0, 30))}`, () => {
      const ids = tokenizer.encode(text);
      assert.deepStrictEqual(ids, reference.encode(text));
      assert.strictEqual(tokenizer.decode(ids), text);
    });
  }
  it('knows its end-of-text token', () => {
    assert.strictEqual(tokenizer.eosTokenId, 50256);
  });
});
