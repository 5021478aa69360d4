import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type * as Tokenizers from '@huggingface/tokenizers' with { 'resolution-mode': 'import' };
import { specialTokens, tokenContent, tokenId, withPrefix } from '../../../src/generation/specialTokens';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tokenizer } = require('@huggingface/tokenizers') as typeof Tokenizers;

type Json = Record<string, unknown>;
const parityDir = path.join(__dirname, '..', '..', 'fixtures', 'models', 'parity');
const readJson = (file: string): Json | undefined =>
  fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Json) : undefined;

const vocab = { '<unk>': 0, '<s>': 1, '</s>': 2, a: 3, b: 4, '[CLS]': 5, '[SEP]': 6 };
const added = (id: number, content: string) => ({ id, content, special: true });
function tokenizerWith(postProcessor: unknown): Json {
  return {
    added_tokens: [added(0, '<unk>'), added(1, '<s>'), added(2, '</s>')],
    post_processor: postProcessor,
    model: { type: 'BPE', vocab },
  };
}
const template = (single: unknown[]) => ({
  type: 'TemplateProcessing',
  single,
  special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] }, '</s>': { id: '</s>', ids: [2], tokens: ['</s>'] } },
});
const S = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
const A = { Sequence: { id: 'A', type_id: 0 } };

describe('generation/specialTokens: BOS and EOS as transformers.js decides them', () => {
  it("puts before the prompt what the post-processor's template puts before $A, and never appends its EOS", () => {
    const t = specialTokens({
      tokenizer: tokenizerWith(template([S('<s>'), A, S('</s>')])),
      tokenizerConfig: { add_bos_token: true, add_eos_token: true, bos_token: '<s>', eos_token: '</s>' },
    });
    assert.deepStrictEqual(t.prefixIds, [1]);
    assert.deepStrictEqual(t.droppedSuffixIds, [2]);
    assert.strictEqual(t.source.prefix, 'post_processor');
    assert.ok(t.notes.some((n) => n.includes('a prompt to continue gets none')));
  });

  it('adds nothing for ByteLevel post-processors (GPT-2, Qwen2, SmolLM2), whatever config.json says about BOS', () => {
    const t = specialTokens({
      tokenizer: tokenizerWith({ type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false }),
      tokenizerConfig: { bos_token: '<s>', eos_token: '</s>' },
      config: { model_type: 'llama', bos_token_id: 1, eos_token_id: 2 },
    });
    assert.deepStrictEqual([t.prefixIds, t.source.prefix, t.eosTokenIds, t.source.eos], [[], 'none', [2], 'config.json']);
  });

  it('reads Sequence post-processors (Llama 3: ByteLevel then TemplateProcessing) and Bert/Roberta processors', () => {
    const seq = specialTokens({
      tokenizer: tokenizerWith({ type: 'Sequence', processors: [{ type: 'ByteLevel' }, template([S('<s>'), A])] }),
    });
    assert.deepStrictEqual(seq.prefixIds, [1]);
    const bert = specialTokens({ tokenizer: tokenizerWith({ type: 'BertProcessing', cls: ['[CLS]', 5], sep: ['[SEP]', 6] }) });
    assert.deepStrictEqual([bert.prefixIds, bert.droppedSuffixIds], [[5], [6]]);
  });

  it('without a template, follows tokenizer_config.json add_bos_token (as Python does); with one, the template wins and the conflict is noted', () => {
    const legacy = specialTokens({
      tokenizer: tokenizerWith(null),
      tokenizerConfig: { add_bos_token: true, bos_token: { __type: 'AddedToken', content: '<s>' } },
    });
    assert.deepStrictEqual([legacy.prefixIds, legacy.source.prefix], [[1], 'tokenizer_config']);
    const off = specialTokens({
      tokenizer: tokenizerWith(template([S('<s>'), A])),
      tokenizerConfig: { add_bos_token: false, bos_token: '<s>' },
    });
    assert.deepStrictEqual(off.prefixIds, [1]);
    assert.match(off.notes[0], /add_bos_token: false, but tokenizer\.json's post-processor puts <s> first; following the post-processor/);
    const none = specialTokens({ tokenizer: tokenizerWith(null), tokenizerConfig: { bos_token: '<s>' } });
    assert.deepStrictEqual(none.prefixIds, []);
  });

  it('takes EOS from generation_config.json first (a list too), then config.json (its text_config), then the tokenizer', () => {
    const tokenizer = tokenizerWith(null);
    const tokenizerConfig = { eos_token: '</s>' };
    assert.deepStrictEqual(
      specialTokens({ tokenizer, tokenizerConfig, config: { eos_token_id: 2 }, generationConfig: { eos_token_id: [7, 8] } }).eosTokenIds,
      [7, 8],
    );
    assert.deepStrictEqual(
      specialTokens({ tokenizer, tokenizerConfig, config: { eos_token_id: [2, 9] }, generationConfig: { bos_token_id: 1 } }).eosTokenIds,
      [2, 9],
    );
    assert.deepStrictEqual(
      specialTokens({ tokenizer, tokenizerConfig, config: { eos_token_id: 2, text_config: { eos_token_id: [1, 106] } } }).eosTokenIds,
      [1, 106],
    );
    const fallback = specialTokens({ tokenizer, tokenizerConfig, config: {} });
    assert.deepStrictEqual([fallback.eosTokenIds, fallback.source.eos], [[2], 'tokenizer_config.json']);
    assert.deepStrictEqual(specialTokens({ tokenizer, config: {} }).source.eos, 'none');
  });

  it('looks tokens up in added tokens, BPE vocabularies and Unigram piece lists', () => {
    assert.strictEqual(tokenId(tokenizerWith(null), 'b'), 4);
    assert.strictEqual(
      tokenId(
        {
          model: {
            type: 'Unigram',
            vocab: [
              ['<pad>', 0],
              ['</s>', 0],
              ['▁a', -1],
            ],
          },
        },
        '</s>',
      ),
      1,
    );
    assert.strictEqual(tokenId(tokenizerWith(null), 'zz'), undefined);
    assert.strictEqual(tokenContent({ content: '<bos>' }), '<bos>');
    assert.deepStrictEqual(withPrefix([1], [1, 3]), [1, 3]);
    assert.deepStrictEqual(withPrefix([1], [3]), [1, 3]);
    assert.deepStrictEqual(withPrefix([], [3]), [3]);
  });

  it("gives, for every parity fixture, transformers.js's prompt ids (prefix + text without special tokens) and its EOS ids", () => {
    let checked = 0;
    for (const name of fs.readdirSync(parityDir)) {
      const dir = path.join(parityDir, name);
      const ref = readJson(path.join(dir, 'reference.json')) as
        { eos_token_ids: number[]; runs: Array<{ cases?: Array<{ prompt: string; prompt_ids: number[] }> }> } | undefined;
      if (!ref) continue;
      const tokenizer = readJson(path.join(dir, 'tokenizer.json'))!;
      const tokenizerConfig = readJson(path.join(dir, 'tokenizer_config.json'));
      const t = specialTokens({
        tokenizer,
        tokenizerConfig,
        config: readJson(path.join(dir, 'config.json')),
        generationConfig: readJson(path.join(dir, 'generation_config.json')),
      });
      assert.deepStrictEqual(
        [...t.eosTokenIds].sort((a, b) => a - b),
        [...ref.eos_token_ids].sort((a, b) => a - b),
        `${name}: EOS`,
      );
      const tok = new Tokenizer(tokenizer, tokenizerConfig ?? {});
      for (const c of ref.runs.find((r) => r.cases)?.cases ?? []) {
        const ids = withPrefix(t.prefixIds, tok.encode(c.prompt, { add_special_tokens: false }).ids);
        assert.deepStrictEqual(ids, c.prompt_ids, `${name}: ${JSON.stringify(c.prompt)}`);
        checked++;
      }
    }
    assert.ok(checked >= 50, `checked ${checked} prompts`);
  });
});
