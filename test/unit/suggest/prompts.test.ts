import * as assert from 'assert';
import { TITLE_MAX } from '../../../src/core/frontmatter/schema';
import { charLength } from '../../../src/core/suggest/plainText';
import {
  descriptionPrompt,
  MAX_MODEL_CANDIDATES,
  modelDescriptions,
  modelTags,
  modelTitles,
  parseCandidateLines,
  postExcerpt,
  PROMPT_POST_CHARS,
  titlePrompt,
  withModelCandidates,
} from '../../../src/core/suggest/prompts';

const body = '# Sourdough at home\n\nA starter is flour, water and patience.\n\nFeed it every day and it will raise bread for years.\n';

describe('suggest prompts: what a chat model is asked', () => {
  it('a title prompt: a system turn, then the request (3 to 5, one a line, the post’s language) and the whole short post', () => {
    const prompt = titlePrompt(body);
    assert.deepStrictEqual(
      prompt.messages.map((m) => m.role),
      ['system', 'user'],
    );
    const ask = prompt.messages[1].content;
    assert.match(ask, /^Suggest 3 to 5 titles/);
    assert.ok(ask.includes(`at most ${TITLE_MAX} characters`));
    assert.match(ask, /language the post is written in/);
    assert.match(ask, /one per line/);
    assert.ok(ask.endsWith(`The blog post:\n\n${body.trim()}`), ask);
    assert.strictEqual(prompt.omittedChars, 0);
    assert.strictEqual(prompt.postChars, charLength(body.trim()));
  });

  it('a description prompt names the site’s bounds', () => {
    const ask = descriptionPrompt(body, { min: 70, max: 140 }).messages[1].content;
    assert.match(ask, /^Suggest 3 to 5 descriptions/);
    assert.ok(ask.includes('of 70 to 140 characters'), ask);
    assert.ok(ask.endsWith(body.trim()));
  });

  it('a long post is cut at a line break to the bound, and the prompt says it has only the beginning', () => {
    const paragraph = 'Stretch and fold the dough, then let it rest for half an hour. '.repeat(8);
    const long = Array.from({ length: 40 }, (_, i) => `${i}. ${paragraph}`).join('\n\n');
    const excerpt = postExcerpt(long);
    assert.ok(charLength(excerpt.text) <= PROMPT_POST_CHARS);
    assert.ok(long.startsWith(excerpt.text));
    assert.match(long.slice(excerpt.text.length), /^ *\n/, 'cut at a line break');
    assert.strictEqual(excerpt.omittedChars, charLength(long.trim()) - charLength(excerpt.text));
    const prompt = titlePrompt(long);
    assert.strictEqual(prompt.omittedChars, excerpt.omittedChars);
    assert.ok(prompt.messages[1].content.endsWith(`The beginning of the blog post:\n\n${excerpt.text}`));
  });

  it('a post whose first line runs past the bound (raw HTML) is cut at white space near the bound, not down to the line before', () => {
    const long = `Intro line.\n<div>${'<span>word</span> '.repeat(800)}</div>`;
    const excerpt = postExcerpt(long);
    assert.ok(
      charLength(excerpt.text) <= PROMPT_POST_CHARS && charLength(excerpt.text) > PROMPT_POST_CHARS - 30,
      String(excerpt.text.length),
    );
    assert.ok(long.startsWith(excerpt.text));
    assert.match(long.slice(excerpt.text.length), /^\s/, 'cut at white space');
  });
});

describe('suggest prompts: reading the answer', () => {
  it('takes off numbering, bullets, labels, quotes and Markdown; drops empty lines and repeats in any case', () => {
    const answer = [
      'Here are some titles:',
      '',
      '1. "Sourdough at Home"',
      '2) **Feeding a Starter**',
      '- *Bread for Years*',
      '* `Flour, Water, Patience`',
      '• Title 5: « Le levain »',
      '### sourdough at home',
      '   ',
      '“The Patient Loaf”',
    ].join('\r\n');
    assert.deepStrictEqual(parseCandidateLines(answer), [
      'Here are some titles:',
      'Sourdough at Home',
      'Feeding a Starter',
      'Bread for Years',
      'Flour, Water, Patience',
      'Le levain',
      'The Patient Loaf',
    ]);
  });

  it('titles: labelled with the model, cut to the title length on a word, at most five', () => {
    const long = 'A Very Long Title About Sourdough Starters That Goes On And On Past Any Sensible Length';
    const titles = modelTitles(['One', 'Two', long, 'Four', 'Five', 'Six'].join('\n'), 'qwen-chat');
    assert.strictEqual(titles.length, MAX_MODEL_CANDIDATES);
    assert.ok(titles.every((t) => t.source === 'model' && t.model === 'qwen-chat'));
    assert.ok(charLength(titles[2].text) <= TITLE_MAX && titles[2].text.endsWith('…'), titles[2].text);
    assert.deepStrictEqual(
      titles.map((t) => t.text),
      ['One', 'Two', titles[2].text, 'Four', 'Five'],
    );
  });

  it('descriptions: only those within the bounds are kept', () => {
    const fits = 'How to start a sourdough starter with flour and water, and keep it alive for years.';
    const answer = ['Too short.', fits, `${fits} ${fits}`].join('\n');
    assert.deepStrictEqual(modelDescriptions(answer, 'm', { min: 50, max: 160 }), [{ text: fits, source: 'model', model: 'm' }]);
    assert.deepStrictEqual(modelDescriptions('nothing useful', 'm'), []);
  });

  it('the model’s candidates come first; the others follow unless they say the same', () => {
    const merged = withModelCandidates(
      [{ text: 'Sourdough at Home', source: 'model', model: 'm' }],
      [
        { text: 'sourdough at home', source: 'first-heading' },
        { text: 'A starter is flour, water and patience', source: 'first-sentence' },
      ],
      'title',
    );
    assert.deepStrictEqual(
      merged.map((c) => c.source),
      ['model', 'first-sentence'],
    );
    // Tags are the same tag as the validator sees it: "Machine Learning" is machine-learning.
    const tags = withModelCandidates(
      [{ text: 'machine-learning', source: 'model', model: 'm' }],
      [
        { text: 'Machine Learning', source: 'workspace-tags' },
        { text: 'gan', source: 'workspace-tags' },
      ],
      'tags',
    );
    assert.deepStrictEqual(
      tags.map((c) => c.text),
      ['machine-learning', 'gan'],
    );
  });

  it('a tag answer becomes tags of the taxonomy, in its spelling: a constrained answer whole, a free one filtered', () => {
    const taxonomy = ['machine-learning', 'GAN', 'writing', 'café'];
    // What the local runtime returns: only taxonomy tags, joined by the separator.
    assert.deepStrictEqual(
      modelTags('writing, GAN', taxonomy, 'tiny-chat', 5).map((c) => [c.text, c.source, c.model]),
      [
        ['writing', 'model', 'tiny-chat'],
        ['GAN', 'model', 'tiny-chat'],
      ],
    );
    // What a server may write: other spellings, lines, hashes, tags the blog does not use, repeats.
    assert.deepStrictEqual(
      modelTags('#Machine Learning\ngan\nkubernetes, Cafe, writing; writing', taxonomy, 'llama', 5).map((c) => c.text),
      ['machine-learning', 'GAN', 'café', 'writing'],
    );
    assert.deepStrictEqual(
      modelTags('writing, gan, café', taxonomy, 'llama', 2).map((c) => c.text),
      ['writing', 'GAN'],
      'at most max',
    );
    assert.deepStrictEqual(modelTags('nothing known', taxonomy, 'llama', 5), []);
  });
});
