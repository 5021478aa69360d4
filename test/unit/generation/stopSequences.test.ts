import * as assert from 'assert';
import { DEFAULT_STOP_SEQUENCES, stopSequences, unescapeStop } from '../../../src/core/stopSequences';

describe('stop sequences as written in settings and on the command line', () => {
  it('the default is visible text that means three line breaks', () => {
    assert.ok(
      DEFAULT_STOP_SEQUENCES.every((s) => /^[\x20-\x7e]+$/.test(s)),
      'no invisible characters',
    );
    assert.deepStrictEqual(stopSequences(DEFAULT_STOP_SEQUENCES), ['\n\n\n']);
  });

  it('turns escapes into characters and keeps other text', () => {
    assert.strictEqual(unescapeStop('a\\tb\\\\n\\r'), 'a\tb\\n\r');
    assert.strictEqual(unescapeStop('\n\n'), '\n\n', 'real line breaks from older settings still work');
    assert.deepStrictEqual(stopSequences(['', 'END']), ['END']);
  });
});
