import * as assert from 'assert';
import * as path from 'path';
import { fitPrompt } from '../../../src/generation/generate';
import { findStop, pendingStopPrefix, TextStreamer } from '../../../src/generation/textStream';
import { textModelFiles } from '../../../src/generation/textModel';
import { loadTokenizer } from '../../../src/generation/tokenizer';
import { modelsDir } from './fixtures';

const tokenizer = loadTokenizer(textModelFiles(path.join(modelsDir, 'tiny-gpt2')));

function stream(text: string, stops: string[]): { pieces: string[]; streamer: TextStreamer; fed: number } {
  const ids = tokenizer.encode(text);
  const streamer = new TextStreamer(tokenizer.decode, stops);
  const pieces: string[] = [];
  let fed = 0;
  for (const id of ids) {
    fed++;
    pieces.push(streamer.push(id));
    if (streamer.stopped) break;
  }
  pieces.push(streamer.finish());
  return { pieces, streamer, fed };
}

describe('text streaming', () => {
  it('streams pieces that concatenate to the decoded text', () => {
    const text = 'Markdown posts, with “quotes”, café and emoji 🎉🎉 in them.';
    const { pieces, streamer } = stream(text, []);
    assert.strictEqual(pieces.join(''), text);
    assert.strictEqual(streamer.text, text);
    // An emoji spans several byte-level tokens: no piece may carry a replacement character.
    for (const p of pieces) assert.ok(!p.includes('\ufffd'), `piece ${JSON.stringify(p)} holds a partial character`);
  });

  it('stops before a stop sequence and never shows part of it', () => {
    const { pieces, streamer } = stream('First paragraph.\n\n\nSecond paragraph.', ['\n\n\n']);
    assert.ok(streamer.stopped);
    assert.strictEqual(pieces.join(''), 'First paragraph.');
    for (const p of pieces) assert.ok(!p.includes('\n'), 'no newline of the stop sequence leaked into the stream');
  });

  it('lets through text that only starts like a stop sequence', () => {
    const { pieces, streamer } = stream('One.\n\nTwo.', ['\n\n\n']);
    assert.ok(!streamer.stopped);
    assert.strictEqual(pieces.join(''), 'One.\n\nTwo.');
  });

  it('finds stop sequences and pending prefixes', () => {
    assert.strictEqual(findStop('abc END def', ['END', 'def']), 4);
    assert.strictEqual(findStop('abc', ['x']), -1);
    assert.strictEqual(pendingStopPrefix('abc EN', ['END']), 2);
    assert.strictEqual(pendingStopPrefix('abc', ['END']), 0);
  });

  it('cuts long prompts from the left to fit the context', () => {
    const ids = Array.from({ length: 300 }, (_, i) => i);
    const fit = fitPrompt(ids, 256, 56);
    assert.strictEqual(fit.ids.length, 200);
    assert.strictEqual(fit.dropped, 100);
    assert.deepStrictEqual(fit.ids.slice(-3), [297, 298, 299], 'the end of the prompt is kept');
    // Never less than half the context for the prompt, even for a long generation.
    assert.strictEqual(fitPrompt(ids, 256, 1000).ids.length, 128);
    assert.deepStrictEqual(fitPrompt([1, 2], 256, 10), { ids: [1, 2], dropped: 0 });
  });

  it('decodes each token with a constant amount of work, and the pieces still make the whole text', () => {
    const text = 'Caf\u00e9 na\u00efve \u{1F600} r\u00e9sum\u00e9 \u2014 streaming a long text. '.repeat(200);
    const ids = tokenizer.encode(text);
    let decodedIds = 0;
    const counting = (list: readonly number[]) => {
      decodedIds += list.length;
      return tokenizer.decode(list);
    };
    const streamer = new TextStreamer(counting, []);
    let out = '';
    for (const id of ids) out += streamer.push(id);
    out += streamer.finish();
    assert.strictEqual(out, tokenizer.decode(ids));
    assert.ok(ids.length > 2000, `${ids.length} tokens`);
    // Re-decoding everything per token would pass ids.length² / 2 ids to the decoder.
    assert.ok(decodedIds < ids.length * 8, `${decodedIds} ids decoded for ${ids.length} tokens`);
  });
});
