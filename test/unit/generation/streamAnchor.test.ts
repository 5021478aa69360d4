import * as assert from 'assert';
import fc from 'fast-check';
import { moveAnchor, moveAnchorThrough } from '../../../src/generation/streamAnchor';

/** Applies a change to a string. */
function apply(text: string, offset: number, removed: number, inserted: string): string {
  return text.slice(0, offset) + inserted + text.slice(offset + removed);
}

describe('stream anchor', () => {
  it('moves with edits before it, grows with the stream, ignores edits after it', () => {
    assert.strictEqual(moveAnchor(10, { offset: 2, removed: 0, inserted: 3 }), 13);
    assert.strictEqual(moveAnchor(10, { offset: 2, removed: 4, inserted: 0 }), 6);
    assert.strictEqual(moveAnchor(10, { offset: 10, removed: 0, inserted: 5 }), 15);
    assert.strictEqual(moveAnchor(10, { offset: 12, removed: 3, inserted: 1 }), 10);
    assert.strictEqual(moveAnchor(10, { offset: 8, removed: 4, inserted: 1 }), 9);
  });

  it('keeps the user edits and the streamed text intact, in any interleaving', () => {
    // The document starts as "abc|def" with the anchor at |; the model streams
    // "XYZ..." while the user inserts "u" at random places before or after it.
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant<'stream'>('stream'), fc.nat(40)), { maxLength: 30 }), (steps) => {
        let text = 'abcdef';
        let anchor = 3;
        let streamed = '';
        for (const step of steps) {
          if (step === 'stream') {
            const piece = String.fromCharCode(65 + (streamed.length % 26));
            text = apply(text, anchor, 0, piece);
            anchor = moveAnchorThrough(anchor, [{ offset: anchor, removed: 0, inserted: 1 }]);
            streamed += piece;
          } else {
            const at = step % (text.length + 1);
            text = apply(text, at, 0, 'u');
            anchor = moveAnchorThrough(anchor, [{ offset: at, removed: 0, inserted: 1 }]);
          }
        }
        // Removing the user's inserts leaves the original text with the stream at the cursor.
        assert.strictEqual(text.replace(/u/g, ''), `abc${streamed}def`);
        // The anchor sits right after the last streamed character.
        if (streamed) assert.strictEqual(text.slice(0, anchor).replace(/u/g, '').endsWith(streamed), true);
      }),
    );
  });

  it('applies several changes of one event against the original text', () => {
    // "0123456789", anchor 5; delete [1,2) and insert "xx" at 7 in one event.
    assert.strictEqual(
      moveAnchorThrough(5, [
        { offset: 1, removed: 1, inserted: 0 },
        { offset: 7, removed: 0, inserted: 2 },
      ]),
      4,
    );
  });
});
