/**
 * The choice constraint: a chat model with random weights (tiny-llama with a family's chat template
 * and special tokens), whose logits are arbitrary, can only answer a list of the allowed choices.
 * A property test over random taxonomies (ASCII words, hyphens, digits, accented and CJK letters,
 * choices that are prefixes of others, choices that continue with what starts the separator),
 * separators and limits, decoded greedily (with and without speculation) and by sampling under
 * several seeds. A seeded generator makes every case reproducible from its number.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadModelInProcess, type InProcessModel } from '../../../src/cli/continue';
import { readChatSetup, type ChatSetup } from '../../../src/generation/chatTemplate';
import { buildChoiceGrammar, ChoiceConstraint, parseChoices, usableChoices } from '../../../src/generation/choiceConstraint';
import { generateChat, type ChatGenerationResult } from '../../../src/generation/generate';
import { LogitsProcessorList, NgramBan } from '../../../src/generation/logitsProcessors';
import { mulberry32, type Random } from '../../../src/generation/sampling';
import type { SamplingOptions } from '../../../src/generation/textRequest';
import { CHAT_FAMILIES, writeChatModel } from '../../support/chatModels';

const CASES = 80;
const SAMPLED_SEEDS = [1, 2, 3];
const SEPARATORS = [', ', '\n', ',', ' | ', '; '];

const WORDS = ['ml', 'ai', 'go', 'rust', 'web', 'data', 'café', 'naïve', 'über', '日本語', 'résumé', 'python', 'gpu', 'c', 'x'];
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const int = (random: Random, lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

/** A random word: a known one (often short, so prefixes meet), or random letters. */
function word(random: Random): string {
  if (random() < 0.5) return pick(random, WORDS);
  const letters = 'abcdefghijklmnopqrstuvwxyzé';
  return Array.from({ length: int(random, 1, 7) }, () => pick(random, [...letters])).join('');
}

/** A random tag: a word, words joined by hyphens, a word with digits, or an existing tag extended (a prefix of the new one). */
function tag(random: Random, earlier: readonly string[]): string {
  const r = random();
  if (earlier.length && r < 0.3) return `${pick(random, earlier)}${pick(random, ['-', '', ',', '.', ' '])}${word(random)}`;
  if (r < 0.5) return `${word(random)}-${word(random)}`;
  if (r < 0.65) return `${word(random)}${int(random, 0, 2030)}`;
  if (r < 0.72) return String(int(random, 1, 99));
  return word(random);
}

function taxonomy(random: Random): string[] {
  const tags: string[] = [];
  const size = int(random, 1, 40);
  while (tags.length < size) tags.push(tag(random, tags));
  return tags;
}

const greedy: SamplingOptions = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 };
const sampled = (seed: number): SamplingOptions => ({ temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1, seed });

/** The answer is a well-formed list: allowed choices joined by the separator, none twice, 1 to max of them, ended by the end of turn. */
function assertWellFormed(result: ChatGenerationResult, allowed: readonly string[], separator: string, max: number, label: string): void {
  const usable = usableChoices(allowed, separator);
  assert.strictEqual(result.stopReason, 'eos', `${label}: ended by ${result.stopReason}: ${JSON.stringify(result.text)}`);
  const pieces = result.text.split(separator);
  for (const p of pieces)
    assert.ok(usable.includes(p), `${label}: ${JSON.stringify(p)} is not a choice (text ${JSON.stringify(result.text)})`);
  assert.strictEqual(new Set(pieces).size, pieces.length, `${label}: a choice twice in ${JSON.stringify(result.text)}`);
  assert.ok(pieces.length >= 1 && pieces.length <= max, `${label}: ${pieces.length} choices, max ${max}`);
  assert.deepStrictEqual(result.choices, pieces, label);
}

describe('choice constraint (random-weight chat models, random taxonomies)', function () {
  this.timeout(180_000);
  let root: string;
  const models: { name: string; model: InProcessModel; chat: ChatSetup }[] = [];

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-choices-'));
    for (const family of CHAT_FAMILIES.filter((f) => f.name === 'Qwen2.5' || f.name === 'Llama 3.1')) {
      const { dir } = writeChatModel(path.join(root, family.name.replace(/\W+/g, '-')), family);
      const model = await loadModelInProcess(dir, 1, 'fp32');
      models.push({ name: family.name, model, chat: readChatSetup(model.files, model.tokenizer) });
    }
  });
  after(async () => {
    for (const m of models) await m.model.release();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it(`${CASES} taxonomies × (greedy, greedy with speculation, ${SAMPLED_SEEDS.length} sampling seeds): only choices, none twice, at most max, well separated`, async () => {
    for (let n = 0; n < CASES; n++) {
      const random = mulberry32(1000 + n);
      const { name, model, chat } = models[n % models.length];
      const allowed = taxonomy(random);
      const separator = pick(random, SEPARATORS);
      const max = int(random, 1, 8);
      const messages = [{ role: 'user', content: `Tag this post about ${word(random)}.` }];
      const ask = (sampling: SamplingOptions, speculative?: 'prompt-lookup') =>
        generateChat(model, chat, { messages, sampling, maxTokens: 200, speculative, choices: { allowed, separator, max } });
      const label = (how: string) =>
        `case ${n} (${name}, ${how}, separator ${JSON.stringify(separator)}, max ${max}, ${JSON.stringify(allowed)})`;
      const plain = await ask(greedy);
      assertWellFormed(plain, allowed, separator, max, label('greedy'));
      // Speculation verifies drafts through the same processors: the answer is the same, token for token.
      const speculated = await ask(greedy, 'prompt-lookup');
      assert.deepStrictEqual(speculated.tokens, plain.tokens, label('greedy with speculation'));
      for (const seed of SAMPLED_SEEDS) assertWellFormed(await ask(sampled(seed)), allowed, separator, max, label(`seed ${seed}`));
    }
  });

  it('rolls back with the sequence: after pushing and taking back tokens, it allows what it allowed before', () => {
    const { model, chat } = models[0];
    const grammar = buildChoiceGrammar(
      model.tokenizer,
      { allowed: ['ml', 'ml-ops', 'café', 'c,d', 'c'], separator: ', ', max: 3 },
      chat.endOfTurnIds,
    );
    const constraint = new ChoiceConstraint(grammar);
    const ids = [...model.tokenizer.encode('ml'), ...model.tokenizer.encode(', café')];
    const before = ids.map((id) => {
      const allowed = constraint.allowedIds();
      constraint.push(id);
      return allowed;
    });
    const after = constraint.allowedIds();
    constraint.rollback(ids.length);
    ids.forEach((id, i) => {
      assert.deepStrictEqual(constraint.allowedIds(), before[i], `after rolling back to token ${i}`);
      constraint.push(id);
    });
    assert.deepStrictEqual(constraint.allowedIds(), after);
    // "ml, café": the end of turn and a separator are allowed, "ml" and "café" not again.
    for (const end of chat.endOfTurnIds) assert.ok(after.has(end));
  });

  it('follows every reading: "c" then "," may be the choice "c,d" or the separator ", "', () => {
    const { model, chat } = models[0];
    const { encode } = model.tokenizer;
    const grammar = buildChoiceGrammar(model.tokenizer, { allowed: ['c', 'c,d', 'e'], separator: ', ', max: 2 }, chat.endOfTurnIds);
    const constraint = new ChoiceConstraint(grammar);
    for (const id of encode('c,')) constraint.push(id);
    const allowed = constraint.allowedIds();
    assert.ok(allowed.has(encode('c,d').at(-1)!), '"d" may follow "c,"');
    assert.ok(allowed.has(encode(', e').at(-1)!), '" e" may follow "c,"');
    assert.ok(!chat.endOfTurnIds.some((id) => allowed.has(id)), 'no end inside a separator');
    // ", c" only leads on to "c,d": "c" is written already, so the list cannot end there.
    constraint.push(encode(', c').at(-1)!);
    const afterC = constraint.allowedIds();
    assert.deepStrictEqual([...afterC], [encode(',')[0]]);
  });

  it('forbids, for speculation, exactly what it sets to -Infinity, an n-gram ban before it included', () => {
    const { model, chat } = models[0];
    const grammar = buildChoiceGrammar(
      model.tokenizer,
      { allowed: ['ml', 'ml-ops', 'café', 'go'], separator: ', ', max: 3 },
      chat.endOfTurnIds,
    );
    const ids = model.tokenizer.encode('ml, go, café');
    const list = new LogitsProcessorList([new NgramBan(1, ids.slice(0, 2)), new ChoiceConstraint(grammar)]);
    const vocab = model.spec.vocabSize;
    for (const id of [...ids, ...chat.endOfTurnIds.slice(0, 1)]) {
      const row = new Float32Array(vocab).fill(1);
      list.process(row);
      for (let t = 0; t < vocab; t++) assert.strictEqual(list.forbids(t), row[t] === -Infinity, `token ${t}`);
      list.push(id);
    }
  });

  it('ends at once with no usable choice, and parses a cut answer without its last piece', () => {
    const { model, chat } = models[0];
    const grammar = buildChoiceGrammar(model.tokenizer, { allowed: [' ', 'a, b'], separator: ', ', max: 3 }, chat.endOfTurnIds);
    assert.deepStrictEqual(grammar.choices, []);
    assert.deepStrictEqual([...new ChoiceConstraint(grammar).allowedIds()], []);
    const logits = new Float32Array(model.spec.vocabSize).fill(1);
    new ChoiceConstraint(grammar).process(logits);
    const finite = [...logits.keys()].filter((i) => logits[i] > -Infinity);
    assert.deepStrictEqual(finite.sort(), [...chat.endOfTurnIds].sort());
    const ml = { choices: ['ml', 'ml-ops', 'go'], separator: ', ', max: 2 };
    assert.deepStrictEqual(parseChoices('go, ml', ml, false), ['go']);
    assert.deepStrictEqual(parseChoices('go, ml, ml-ops', ml, true), ['go', 'ml']);
  });
});
