import * as assert from 'assert';
import { readingStats } from '../../../src/core/posts/readingTime';
import { splitFrontmatter } from '../../../src/core/frontmatter/split';
import { growth } from '../frontmatter/timing';

/**
 * The regular expressions reading time used to strip markup with. They are right but
 * quadratic on hostile input (an opener with no close rescans to the end each time), so
 * they serve here as the reference on short texts only.
 */
function referenceWords(text: string): number {
  const block = splitFrontmatter(text);
  let body = block?.terminated ? text.slice(block.bodyStart) : text;
  body = body
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?(^\1[^\n]*$|(?![\s\S]))/gm, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>\n]+>/g, ' ')
    .replace(/\]\([^)\n]*\)/g, '] ');
  const cjk = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu;
  return (body.replace(cjk, ' ').match(/[\p{L}\p{N}][\p{L}\p{N}\p{M}'’_-]*/gu)?.length ?? 0) + (body.match(cjk)?.length ?? 0);
}

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

describe('reading time', () => {
  it('counts words outside code, comments, tags and link targets', () => {
    const post = [
      '---',
      'title: Not counted',
      '---',
      'One two <span class="x">three</span> [four](https://example.com/five-six).',
      '<!-- seven',
      'eight -->',
      '```js',
      'const nine = 10;',
      '```',
      '![eleven](img/twelve.png) 日本',
    ].join('\n');
    assert.deepStrictEqual(readingStats(post), { words: 7, minutes: 1 });
    assert.deepStrictEqual(readingStats(''), { words: 0, minutes: 0 });
  });

  it('counts what the reference expressions count on random markup', () => {
    const pieces = [
      '<',
      '>',
      '<a href="x">',
      '](',
      ')',
      '[',
      ']',
      '<!--',
      '-->',
      '\n',
      '```',
      '~~~',
      '```js\n',
      'word ',
      'naïve ',
      '日本',
      ' ',
      '\n\n',
      'x<>y',
      '<br/>',
      '![a](b.png)',
    ];
    const rnd = random(7);
    for (let n = 0; n < 5000; n++) {
      let text = rnd() < 0.3 ? '---\ntitle: x\n---\n' : '';
      const len = Math.floor(rnd() * 30);
      for (let i = 0; i < len; i++) text += pieces[Math.floor(rnd() * pieces.length)];
      assert.strictEqual(readingStats(text).words, referenceWords(text), JSON.stringify(text));
    }
  });

  it('takes time linear in the text on openers that never close', function () {
    this.timeout(60_000);
    // Quadratic before: 200 KB of `<a` took 10 s, `](` x 100k 9.5 s, `<!--` x 50k 3 s.
    // Each opener repeated, then one close at the very end (the worst case: every opener sees it).
    const units: [string, string][] = [
      ['<a', '>'],
      ['](', ')'],
      ['<!--', '-->'],
      ['<a\n', '>'],
      ['](\n', ')'],
      ['```\n~~~\n', ''],
      ['word <b ', '>'],
    ];
    for (const [unit, close] of units) {
      const make = (n: number) => unit.repeat(Math.ceil(n / unit.length)) + close;
      const small = make(100_000);
      const large = make(1_600_000);
      // Sixteen times the text: linear work takes about 16x (up to twice that where the larger
      // text spills out of a processor cache or wakes the garbage collector), quadratic 256x.
      const g = growth(readingStats, small, large, 64);
      assert.ok(
        g.ratio < 64,
        `${JSON.stringify(unit)}: 16x the text took ${g.ratio.toFixed(1)}x the time (${g.small.toFixed(2)} -> ${g.large.toFixed(1)} ms)`,
      );
    }
  });
});
