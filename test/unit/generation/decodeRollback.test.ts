/**
 * The decode pipeline's pieces a speculative decoder and a verifier need: several logits rows
 * from one step, a sequence and its KV cache rolled back k tokens, processors that roll back with
 * them, and a caller's own processor and stopping criterion plugged into the loop.
 */
import * as assert from 'assert';
import { decode, DecoderRun } from '../../../src/generation/decoder';
import { encodePrompt } from '../../../src/generation/generate';
import { NgramBan, RepetitionPenaltyProcessor, type LogitsProcessor } from '../../../src/generation/logitsProcessors';
import { argmax } from '../../../src/generation/sampling';
import { expectedFor, fixtureModels, greedy, loadFixture } from './fixtures';

const close = (a: Float32Array, b: Float32Array) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

for (const name of fixtureModels) {
  describe(`decode pipeline pieces on ${name}`, () => {
    let model: Awaited<ReturnType<typeof loadFixture>>;
    const c = expectedFor(name).cases[0];
    before(async () => {
      model = await loadFixture(name);
    });
    after(async () => {
      await model?.session.release();
    });
    const decoderModel = () => ({ session: model.session, makeTensor: model.makeTensor, spec: model.spec, file: model.onnxFile });

    it('rolls the sequence and its KV cache back k tokens, and one step over k drafted tokens gives the k + 1 rows', async () => {
      const promptIds = encodePrompt(model, c.prompt);
      const run = new DecoderRun(decoderModel(), promptIds);
      // Greedy, one token a step, keeping every row.
      const rows: Float32Array[] = [];
      const ids: number[] = [];
      for (let i = 0; i < 6; i++) {
        const row = Float32Array.from(await run.next());
        rows.push(row);
        ids.push(argmax(row));
        run.append(ids[i]);
      }
      assert.deepStrictEqual(ids, c.greedy_ids.slice(0, 6), 'the stepwise run decodes greedily like PyTorch');
      // Back 4 tokens: the next row is the one after the first two tokens again.
      run.rollback(4);
      assert.strictEqual(run.length, promptIds.length + 2);
      const again = await run.next();
      assert.ok(close(again, rows[2]) < 1e-4, `after rollback the row differs by ${close(again, rows[2])}`);
      // Draft the next three greedy tokens and verify them in one step: four rows, as step by step.
      for (const id of ids.slice(2, 5)) run.append(id);
      const verified = await run.forward(3);
      assert.strictEqual(verified.length, 3);
      for (let i = 0; i < 3; i++)
        assert.ok(close(verified[i], rows[3 + i]) < 1e-4, `row ${i} differs by ${close(verified[i], rows[3 + i])}`);
      // And on from there, one token at a time, the same greedy ids.
      run.append(ids[5]);
      assert.strictEqual(argmax(await run.next()), c.greedy_ids[6]);
    });

    it('takes a caller’s processor and stopping criterion: a banned token never comes, and the criterion ends the text', async () => {
      const promptIds = encodePrompt(model, c.prompt);
      const banned = c.greedy_ids[0];
      const ban: LogitsProcessor = { process: (row) => void (row[banned] = -Infinity) };
      const seen: number[] = [];
      const result = await decode(
        decoderModel(),
        { promptIds, maxTokens: 12, sampling: greedy },
        {
          processors: [ban],
          criteria: [{ stopsAfter: (_id, status) => (status.generated === 5 ? 'stop-sequence' : undefined) }],
          streamer: { put: (id) => seen.push(id) },
        },
      );
      assert.strictEqual(result.stop, 'stop-sequence');
      assert.deepStrictEqual(result.tokens, seen);
      assert.strictEqual(result.tokens.length, 5);
      assert.ok(!result.tokens.includes(banned));
      // A criterion that refuses a token ends before it, as end-of-text does.
      const third = c.greedy_ids[2];
      const refused = await decode(
        decoderModel(),
        { promptIds, maxTokens: 12, sampling: greedy },
        { criteria: [{ rejects: (id) => (id === third ? 'stop-sequence' : undefined) }] },
      );
      assert.deepStrictEqual(refused.tokens, c.greedy_ids.slice(0, c.greedy_ids.indexOf(third)));
      assert.strictEqual(refused.stop, 'stop-sequence');
    });
  });
}

describe('logits processors roll back with the sequence', () => {
  it('the n-gram ban and the repetition penalty forget the tokens taken back', () => {
    const row = () => new Float32Array(8).fill(1);
    const ban = new NgramBan(2, [1, 2]);
    const fresh = new NgramBan(2, [1, 2]);
    for (const id of [1, 3, 2, 1]) ban.push(id);
    ban.rollback(4);
    for (const p of [ban, fresh]) p.push(5);
    const [a, b] = [row(), row()];
    ban.process(a);
    fresh.process(b);
    assert.deepStrictEqual(Array.from(a), Array.from(b));
    ban.push(1);
    const afterOne = row();
    ban.process(afterOne);
    assert.deepStrictEqual(Array.from(afterOne), [1, 1, -Infinity, 1, 1, 1, 1, 1], '"1 2" from the prompt is still banned');

    const penalty = new RepetitionPenaltyProcessor(4, 2, [0]);
    penalty.push(1);
    penalty.push(1);
    penalty.rollback(1);
    const stillSeen = Float32Array.from([2, 2, 2, 2]);
    penalty.process(stillSeen);
    assert.deepStrictEqual(Array.from(stillSeen), [1, 1, 2, 2], 'token 1 occurs once more');
    penalty.rollback(1);
    const gone = Float32Array.from([2, 2, 2, 2]);
    penalty.process(gone);
    assert.deepStrictEqual(Array.from(gone), [1, 2, 2, 2]);
  });
});
