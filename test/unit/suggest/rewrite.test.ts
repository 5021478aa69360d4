import * as assert from 'assert';
import { MAX_REWRITE_CHARS, rewritePrompt, summaryPrompt } from '../../../src/core/suggest/prompts';
import { rewriteAnswer, selectionProblem, summaryAnswer, summaryInsertion, TLDR_LABEL } from '../../../src/core/suggest/rewrite';

const post =
  '---\ntitle: Sourdough\n---\n\n# Sourdough at home\n\nA starter is flour and water.\nIt needs patience.\n\nFeed it every day.\n';

/** `text` with the insertion made. */
const inserted = (text: string, at: { offset: number; text: string }) => text.slice(0, at.offset) + at.text + text.slice(at.offset);

describe('rewrite and summarize: prompts, answers and where the text goes', () => {
  it('a rewrite prompt carries the selection whole, the named ask or the writer’s instruction, and keeps the text’s language and markup', () => {
    const text = 'The [starter](https://example.com) is *alive*.';
    const shorter = rewritePrompt(text, 'shorter');
    assert.deepStrictEqual(
      shorter.map((m) => m.role),
      ['system', 'user'],
    );
    assert.match(shorter[1].content, /^Rewrite the text below to be shorter/);
    assert.ok(shorter[1].content.endsWith(`Text:\n\n${text}`));
    assert.match(shorter[1].content, /language the text is written in/);
    assert.match(shorter[1].content, /Keep its Markdown and HTML/);
    assert.match(rewritePrompt(text, 'grammar')[1].content, /^Fix the spelling, grammar and punctuation/);
    const own = rewritePrompt(text, 'instruction', '  make it sound like a pirate.  ');
    assert.match(own[1].content, /^Rewrite the text below as follows: make it sound like a pirate\. Keep/);
  });

  it('a summary prompt asks for two or three sentences and one paragraph, not a list of candidates', () => {
    const prompt = summaryPrompt('A starter is flour and water.');
    assert.match(prompt.messages[1].content, /^Summarize the blog post below in two or three sentences\./);
    assert.match(prompt.messages[1].content, /Answer with the summary only/);
    assert.doesNotMatch(prompt.messages[1].content, /one per line/);
    assert.strictEqual(prompt.omittedChars, 0);
  });

  it('selections: white space only, reaching into the frontmatter, or past the limit are refused; a body paragraph is not', () => {
    const start = post.indexOf('A starter');
    assert.strictEqual(selectionProblem(post, start, post.indexOf('\n\nFeed')), undefined);
    assert.strictEqual(selectionProblem(post, post.indexOf('\n\n# '), post.indexOf('# ')), 'empty');
    assert.strictEqual(selectionProblem(post, post.indexOf('Sourdough'), start + 5), 'frontmatter');
    assert.strictEqual(selectionProblem(post, 0, 3), 'frontmatter');
    const long = `---\ntitle: x\n---\n${'word '.repeat(MAX_REWRITE_CHARS / 5 + 1)}`;
    assert.strictEqual(selectionProblem(long, long.indexOf('word'), long.length), 'too-long');
    // Characters as readers count them: 4,000 emoji are 8,000 UTF-16 units and still fit.
    const emoji = `${'😀'.repeat(MAX_REWRITE_CHARS)}`;
    assert.strictEqual(selectionProblem(emoji, 0, emoji.length), undefined);
    // A post whose frontmatter is never closed is all frontmatter.
    assert.strictEqual(selectionProblem('---\ntitle: x\nbody', 13, 17), 'frontmatter');
  });

  it('an answer loses its announcement, fence or quotes, and keeps the selection’s own outer white space and line breaks', () => {
    assert.strictEqual(
      rewriteAnswer('Here is the rewritten text:\n\nA starter is alive.', 'The starter lives.\n'),
      'A starter is alive.\n',
    );
    assert.strictEqual(rewriteAnswer('Sure! Here you go:\nShort.', '  Long text.'), '  Short.');
    assert.strictEqual(rewriteAnswer('```markdown\nA *starter*.\n```', 'The *starter*.'), 'A *starter*.');
    assert.strictEqual(rewriteAnswer('"A starter is alive."', 'The starter lives.'), 'A starter is alive.');
    assert.strictEqual(rewriteAnswer('“Alive.”', 'Lives.'), 'Alive.');
    // Quotes and a fence the selection has itself stay.
    assert.strictEqual(rewriteAnswer('"Alive," she said.', '"Lives," she said.'), '"Alive," she said.');
    assert.strictEqual(rewriteAnswer('```js\nx()\n```', '```js\ny()\n```'), '```js\nx()\n```');
    // A selection that starts as an announcement would is the writer's own text.
    assert.strictEqual(rewriteAnswer('Sure enough,\nit rose.', 'Sure enough,\nit rises.'), 'Sure enough,\nit rose.');
    // CRLF posts get CRLF text.
    assert.strictEqual(rewriteAnswer('One.\nTwo.', 'Uno.\r\nDos.\r\n'), 'One.\r\nTwo.\r\n');
    // Control characters a model emits do not reach the post; tabs do.
    assert.strictEqual(rewriteAnswer('A\u0007 b\u001b\tc\u0000', 'x'), 'A b\tc');
    assert.strictEqual(summaryAnswer('One\u0002 two.'), 'One two.');
    // Streamed so far: an unfinished announcement shows until its line ends.
    assert.strictEqual(rewriteAnswer('Here is', 'x'), 'Here is');
  });

  it('a summary is one paragraph without a label, list markers or line breaks', () => {
    assert.strictEqual(summaryAnswer('**TL;DR:** A starter is alive.\nFeed it daily.'), 'A starter is alive. Feed it daily.');
    assert.strictEqual(summaryAnswer('Summary: - One.\n- Two.'), 'One. Two.');
    assert.strictEqual(summaryAnswer('  Plain.  '), 'Plain.');
  });

  it('the TL;DR goes after the opening heading, after the paragraph at the cursor, or at the end, as a paragraph of its own', () => {
    const top = inserted(post, summaryInsertion(post, 'It rises.', 'top'));
    assert.ok(top.includes(`# Sourdough at home\n\n${TLDR_LABEL} It rises.\n\nA starter`), top);
    const cursor = post.indexOf('flour');
    const after = inserted(post, summaryInsertion(post, 'It rises.', 'cursor', cursor));
    assert.ok(after.includes(`It needs patience.\n\n${TLDR_LABEL} It rises.\n\nFeed it`), after);
    const end = inserted(post, summaryInsertion(post, 'It rises.', 'end'));
    assert.ok(end.endsWith(`Feed it every day.\n\n${TLDR_LABEL} It rises.\n`), end);
    // A cursor in the frontmatter puts it at the top.
    assert.strictEqual(inserted(post, summaryInsertion(post, 'It rises.', 'cursor', 5)), top);
    // No heading, no blank line after the frontmatter, no final line break, CRLF.
    const bare = '---\r\ntitle: x\r\n---\r\nFirst.';
    assert.strictEqual(inserted(bare, summaryInsertion(bare, 'S.', 'top')), `---\r\ntitle: x\r\n---\r\n${TLDR_LABEL} S.\r\n\r\nFirst.`);
    assert.strictEqual(inserted(bare, summaryInsertion(bare, 'S.', 'end')), `---\r\ntitle: x\r\n---\r\nFirst.\r\n\r\n${TLDR_LABEL} S.\r\n`);
    // A cursor on a blank line: right there.
    const blank = post.indexOf('\n\nFeed') + 1;
    assert.strictEqual(inserted(post, summaryInsertion(post, 'S.', 'cursor', blank)), after.replace('It rises.', 'S.'));
  });
});
