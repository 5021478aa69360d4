import * as assert from 'assert';
import { findSentenceEnd, sentenceWindowStart } from '../../../src/generation/sentenceEnd';
import { TextStreamer } from '../../../src/generation/textStream';

/** One token per character: ids are char codes. */
const decodeChars = (ids: readonly number[]) => String.fromCharCode(...ids);
const ids = (text: string) => Array.from(text, (c) => c.charCodeAt(0));

/** Streams `text` a character per token with the sentence window opening at token `windowStart`. */
function stream(text: string, windowStart: number | undefined, atLimit = true): { pieces: string[]; streamer: TextStreamer; fed: number } {
  const streamer = new TextStreamer(decodeChars, [], windowStart);
  const pieces: string[] = [];
  let fed = 0;
  for (const id of ids(text)) {
    fed++;
    pieces.push(streamer.push(id));
    if (streamer.stopped) break;
  }
  pieces.push(streamer.finish(!streamer.stopped && atLimit));
  return { pieces, streamer, fed };
}

describe('sentence ends', () => {
  it('finds the end of a sentence: terminal punctuation with its closing quotes, then whitespace', () => {
    assert.strictEqual(findSentenceEnd('It works. Then more', 0), 'It works.'.length);
    assert.strictEqual(findSentenceEnd('Really?! Yes', 0), 'Really?!'.length);
    assert.strictEqual(findSentenceEnd('She said "yes." Then', 0), 'She said "yes."'.length);
    assert.strictEqual(findSentenceEnd('It is **done.** Next', 0), 'It is **done.**'.length);
    assert.strictEqual(findSentenceEnd('Line one.\nLine two', 0), 'Line one.'.length);
  });

  it('takes a paragraph end as a sentence end, cut before the blank line', () => {
    assert.strictEqual(findSentenceEnd('A heading\n\nBody', 0), 'A heading'.length);
    assert.strictEqual(findSentenceEnd('A heading\n  \nBody', 0), 'A heading'.length);
    assert.strictEqual(findSentenceEnd('One line\nand the next', 0), -1);
  });

  it('skips abbreviations, initials, decimals, ellipses and list numbers', () => {
    assert.strictEqual(findSentenceEnd('See e.g. the docs', 0), -1);
    assert.strictEqual(findSentenceEnd('Ask Dr. Smith about it', 0), -1);
    assert.strictEqual(findSentenceEnd('Written by J. R. Tolkien', 0), -1);
    assert.strictEqual(findSentenceEnd('Pi is 3.14 or so', 0), -1);
    assert.strictEqual(findSentenceEnd('Well... maybe', 0), -1);
    assert.strictEqual(findSentenceEnd('Steps:\n1. Open it', 0), -1);
    // A year at the end of a sentence is not a list number.
    assert.strictEqual(findSentenceEnd('It shipped in 2024. Then', 0), 'It shipped in 2024.'.length);
    assert.strictEqual(findSentenceEnd('Dr. Smith came home. He', 0), 'Dr. Smith came home.'.length);
  });

  it('counts punctuation at the very end only when no more text follows', () => {
    assert.strictEqual(findSentenceEnd('The end.', 0), -1);
    assert.strictEqual(findSentenceEnd('The end.', 0, true), 'The end.'.length);
    assert.strictEqual(findSentenceEnd('Costs 3.', 0), -1, 'may still become 3.14');
  });

  it('only reports sentence ends that cut at or after `from`', () => {
    const text = 'First one. Second one. Third';
    assert.strictEqual(findSentenceEnd(text, 0), 'First one.'.length);
    assert.strictEqual(findSentenceEnd(text, 11), 'First one. Second one.'.length);
    assert.strictEqual(findSentenceEnd(text, 'First one.'.length), 'First one.'.length);
  });

  it('opens the window once 80% of the token budget is used', () => {
    assert.strictEqual(sentenceWindowStart(120), 96);
    assert.strictEqual(sentenceWindowStart(24), 20);
    assert.strictEqual(sentenceWindowStart(10), 8);
    assert.strictEqual(sentenceWindowStart(1), 1);
  });
});

describe('streaming with a sentence-end window', () => {
  const text = 'One short sentence. Another sentence here. And a third one without an end';

  it('ignores sentence ends before the window, then stops at the first one inside it', () => {
    // The window opens at the 25th token (character): after "One short sentence. Anot".
    const { pieces, streamer, fed } = stream(text, 25);
    assert.strictEqual(streamer.stopReason, 'sentence-end');
    assert.strictEqual(pieces.join(''), 'One short sentence. Another sentence here.');
    assert.strictEqual(streamer.text, pieces.join(''));
    assert.strictEqual(fed, 'One short sentence. Another sentence here. '.length, 'stopped at the token that confirmed the end');
  });

  it('runs to the limit mid-sentence when no sentence ends inside the window', () => {
    const { pieces, streamer } = stream(text, text.length - 5);
    assert.strictEqual(streamer.stopReason, undefined);
    assert.strictEqual(pieces.join(''), text);
  });

  it('stops on the whitespace that confirms a sentence end, without streaming it', () => {
    const { pieces, streamer, fed } = stream('Short and done.\nMore', 10);
    assert.strictEqual(streamer.stopReason, 'sentence-end');
    assert.strictEqual(fed, 'Short and done.\n'.length);
    assert.strictEqual(pieces.join(''), 'Short and done.');
    for (const p of pieces) assert.ok(!p.includes('\n'), 'the line break never streamed');
  });

  it('at the limit, punctuation at the very end counts as a sentence end', () => {
    const { pieces, streamer } = stream('Short and done.', 10);
    assert.strictEqual(streamer.stopReason, 'sentence-end');
    assert.strictEqual(pieces.join(''), 'Short and done.');
    // Ended by the model (an end-of-text token), nothing is decided about it.
    assert.strictEqual(stream('Short and done.', 10, false).streamer.stopReason, undefined);
  });

  it('stops at a paragraph end inside the window without streaming the blank line', () => {
    const { pieces, streamer } = stream('A first paragraph\n\nA second one', 5);
    assert.strictEqual(streamer.stopReason, 'sentence-end');
    assert.strictEqual(pieces.join(''), 'A first paragraph');
  });

  it('without a window, streams exactly as before', () => {
    const { pieces, streamer } = stream(text, undefined);
    assert.strictEqual(streamer.stopReason, undefined);
    assert.strictEqual(pieces.join(''), text);
  });
});
