/**
 * The n-gram ban (`inkwell.generation.noRepeatNgramSize`, generation_config.json's
 * `no_repeat_ngram_size`): no n-gram of the sequence, prompt included, occurs twice, and the ids
 * are the ones transformers.js's generate() picks with the same setting on the same files.
 */
import * as assert from 'assert';
import * as path from 'path';
import { run } from '../../../src/cli/continue';
import type { CliIo } from '../../../src/cli/io';
import { NgramBan } from '../../../src/generation/logitsProcessors';
import { modelsDir } from './fixtures';

function repeatedNgram(ids: readonly number[], n: number): string | undefined {
  const seen = new Set<string>();
  for (let i = 0; i + n <= ids.length; i++) {
    const key = ids.slice(i, i + n).join(',');
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return undefined;
}

async function inkwellGreedy(model: string, prompt: string, args: string[]): Promise<{ prompt_tokens: number[]; tokens: number[] }> {
  const lines: string[] = [];
  const errors: string[] = [];
  const io: CliIo = { out: (l) => lines.push(l), err: (l) => errors.push(l), cwd: modelsDir };
  const code = await run(['--model', model, '--prompt', prompt, '--greedy', '--mid-sentence', '--stop', '<<none>>', '--json', ...args], io);
  assert.strictEqual(code, 0, errors.join('\n'));
  return JSON.parse(lines.join('\n')) as { prompt_tokens: number[]; tokens: number[] };
}

describe('no-repeat n-gram ban', function () {
  this.timeout(120000);

  it('bans exactly the tokens that would complete an n-gram already in the sequence', () => {
    const logits = () => new Float32Array(8).fill(1);
    const trigrams = new NgramBan(3, [1, 2, 3, 4, 1, 2]);
    const row = logits();
    trigrams.apply(row);
    assert.deepStrictEqual(Array.from(row), [1, 1, 1, -Infinity, 1, 1, 1, 1], '"1 2" was followed by 3');
    trigrams.push(5);
    const after = logits();
    trigrams.apply(after);
    assert.deepStrictEqual(Array.from(after), Array.from(logits()), '"2 5" has not occurred');
    const unigrams = new NgramBan(1, [6, 0]);
    const all = logits();
    unigrams.apply(all);
    assert.deepStrictEqual(Array.from(all), [-Infinity, 1, 1, 1, 1, 1, -Infinity, 1], 'n = 1 bans every token seen');
    const short = logits();
    new NgramBan(4, [1, 2]).apply(short);
    assert.deepStrictEqual(Array.from(short), Array.from(logits()), 'a sequence shorter than n - 1 bans nothing');
  });

  // The shipped GPT: a real model, whose greedy continuations repeat themselves (random-weight fixtures do not).
  const shipped = path.join(__dirname, '..', '..', '..', 'models', 'inkwell-gpt');
  for (const n of [2, 3]) {
    it(`inkwell-gpt: greedy with a ${n}-gram ban repeats no ${n}-gram and gives transformers.js's ids`, async () => {
      const prompt = 'The best advice I ever got about writing was';
      const args = ['--max-tokens', '80', '--dtype', 'fp32'];
      // The model's generation_config.json bans trigrams by default; 0 on the command line turns that off.
      const plain = await inkwellGreedy(shipped, prompt, [...args, '--no-repeat-ngram', '0']);
      const banned = await inkwellGreedy(shipped, prompt, [...args, '--no-repeat-ngram', String(n)]);
      assert.ok(repeatedNgram([...plain.prompt_tokens, ...plain.tokens], n), `without the ban greedy repeats a ${n}-gram`);
      const repeat = repeatedNgram([...banned.prompt_tokens, ...banned.tokens], n);
      assert.strictEqual(repeat, undefined, `${n}-gram ${repeat} repeated`);

      // transformers.js on the same folder, offline, with the same ban.
      const tjs = await import('@huggingface/transformers');
      tjs.env.allowRemoteModels = false;
      tjs.env.localModelPath = path.dirname(shipped) + path.sep;
      const reference = await tjs.AutoModelForCausalLM.from_pretrained(path.basename(shipped), { dtype: 'fp32', device: 'cpu' });
      try {
        const length = banned.prompt_tokens.length;
        const out = (await reference.generate({
          input_ids: new tjs.Tensor('int64', BigInt64Array.from(banned.prompt_tokens.map(BigInt)), [1, length]),
          attention_mask: new tjs.Tensor('int64', new BigInt64Array(length).fill(1n), [1, length]),
          max_new_tokens: 80,
          do_sample: false,
          repetition_penalty: 1,
          no_repeat_ngram_size: n,
        })) as { tolist(): bigint[][] };
        const ids = out.tolist()[0].slice(length).map(Number);
        // transformers.js keeps the end-of-text token it stopped on; Inkwell does not return it.
        assert.deepStrictEqual(banned.tokens, ids.slice(0, banned.tokens.length));
        assert.ok(banned.tokens.length === 80 || ids.length === banned.tokens.length + 1, 'both stop at the same end-of-text');
      } finally {
        await reference.dispose();
      }
    });
  }
});
