/**
 * Where a chat template comes from, what it is rendered with, and the errors of templates and
 * conversations Inkwell cannot use: on real templates (test/fixtures/chat-templates) and real
 * tokenizer folders (test/support/chatModels.ts).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  chatMessages,
  endOfTurnIds,
  readChatSetup,
  readChatTemplate,
  renderChat,
  strftime,
  type ChatTemplate,
} from '../../../src/generation/chatTemplate';
import { GenerationError } from '../../../src/generation/generationError';
import { textModelFiles } from '../../../src/generation/textModel';
import { readTextModelFolder } from '../../../src/generation/textModelLoader';
import { CHAT_FAMILIES, chatTemplates, TEMPLATES_FILE, writeChatModel } from '../../support/chatModels';

const family = (name: string) => CHAT_FAMILIES.find((f) => f.name === name)!;
const user = (content: string) => ({ role: 'user', content });

function template(source: string, tokenizerConfig: Record<string, unknown> = {}): ChatTemplate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-template-'));
  try {
    return readChatTemplate(dir, { ...tokenizerConfig, chat_template: source })!;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function throwsGeneration(fn: () => unknown, code: GenerationError['code'], pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GenerationError, `a GenerationError, not ${String(err)}`);
    assert.strictEqual(err.code, code, err.message);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('chat templates', function () {
  this.timeout(60000);
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-chat-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("the committed templates are ../shared/chat-templates' (when the repository has that folder beside it)", function () {
    const shared = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'chat-templates', 'templates.json');
    if (!fs.existsSync(shared)) {
      console.log(`      skipped: no ${shared} beside the repository; the committed copy ${TEMPLATES_FILE} is used as it is`);
      this.skip();
    }
    const theirs = (JSON.parse(fs.readFileSync(shared, 'utf8')) as { templates: Record<string, { chat_template: string }> }).templates;
    for (const [id, t] of Object.entries(chatTemplates())) assert.strictEqual(t.chat_template, theirs[id]?.chat_template, id);
  });

  it('takes chat_template.jinja before tokenizer_config.json, and the "default" of a list of named templates', () => {
    const config = {
      chat_template: [
        { name: 'tool_use', template: 'TOOLS' },
        { name: 'default', template: 'DEFAULT' },
      ],
    };
    assert.strictEqual(renderChat(readChatTemplate(root, config)!, [user('hi')]), 'DEFAULT');
    fs.writeFileSync(path.join(root, 'chat_template.jinja'), 'FROM FILE {{ messages[0].content }}');
    const fromFile = readChatTemplate(root, config)!;
    assert.strictEqual(fromFile.file, path.join(root, 'chat_template.jinja'));
    assert.strictEqual(renderChat(fromFile, [user('hi')]), 'FROM FILE hi');
    throwsGeneration(
      () => readChatTemplate(root + '-none', { chat_template: [{ name: 'rag', template: 'R' }] }),
      'model-invalid',
      /none named "default"/,
    );
    assert.strictEqual(readChatTemplate(root + '-none', { bos_token: '<s>' }), undefined);
  });

  it('renders with the special tokens as strings, AddedToken objects included, and add_generation_prompt', () => {
    const t = template(
      '{{ bos_token }}|{{ eos_token }}|{{ pad_token }}|{{ unk_token }}|{{ additional_special_tokens | join(",") }}|{{ add_generation_prompt }}',
      {
        bos_token: { __type: 'AddedToken', content: '<bos>', special: true },
        eos_token: { content: '<eos>' },
        pad_token: '<pad>',
        unk_token: '<unk>',
        additional_special_tokens: ['<a>', { content: '<b>' }],
      },
    );
    assert.strictEqual(renderChat(t, [user('x')]), '<bos>|<eos>|<pad>|<unk>|<a>,<b>|true');
    assert.strictEqual(renderChat(t, [user('x')], { addGenerationPrompt: false }).endsWith('|false'), true);
  });

  it('gives strftime_now the date in English, as Python does', () => {
    const now = new Date(2025, 2, 7, 9, 5, 3);
    assert.strictEqual(strftime(now, '%d %B %Y, %a %b %H:%M:%S %y %%'), '07 March 2025, Fri Mar 09:05:03 25 %');
    const smol = template(chatTemplates()['HuggingFaceTB/SmolLM3-3B'].chat_template);
    assert.match(renderChat(smol, [user('hi')], { now: () => now }), /Today Date: 07 March 2025\n/);
  });

  it("a template's raise_exception is a bad-request error in the template's words", () => {
    const mistral = template(chatTemplates()['mistralai/Mistral-Nemo-Instruct-2407'].chat_template, {
      bos_token: '<s>',
      eos_token: '</s>',
    });
    throwsGeneration(
      () => renderChat(mistral, [user('one'), { role: 'critic', content: 'two' }]),
      'bad-request',
      /refused this conversation: Only user and assistant roles are supported, with the exception of an initial optional system message!$/,
    );
  });

  // @huggingface/jinja's selectattr("tool_calls", "undefined") selects no message (Python's Jinja selects
  // those without the attribute), so the template's alternation check sees nothing; transformers.js renders the same.
  it.skip('Mistral Nemo refuses a conversation whose roles do not alternate — PENDING: @huggingface/jinja 0.5 selectattr(…, "undefined") selects nothing', () => {
    const mistral = template(chatTemplates()['mistralai/Mistral-Nemo-Instruct-2407'].chat_template, {
      bos_token: '<s>',
      eos_token: '</s>',
    });
    throwsGeneration(() => renderChat(mistral, [user('one'), user('two')]), 'bad-request', /roles must alternate/);
  });

  it('says which feature a template uses that the engine does not support', () => {
    throwsGeneration(
      () => template('{% include "header.jinja" %}'),
      'model-invalid',
      /cannot be read: it uses the \{% include %\} statement, which .*does not support/,
    );
    throwsGeneration(
      () => renderChat(template('{{ messages | frobnicate }}'), [user('x')]),
      'model-invalid',
      /failed to render: it uses the filter "frobnicate"/,
    );
    throwsGeneration(() => renderChat(template('{{ messages is frob }}'), [user('x')]), 'model-invalid', /the test "is frob"/);
    throwsGeneration(
      () => renderChat(template('{{ unknown_helper() }}'), [user('x')]),
      'model-invalid',
      /a function or method that is not defined/,
    );
    throwsGeneration(() => template('{% for %}'), 'model-invalid', /cannot be read: .*Unexpected token/);
  });

  it('refuses messages that are not {role, content} strings', () => {
    assert.deepStrictEqual(chatMessages([{ role: 'user', content: 'hi', extra: 1 }]), [user('hi')]);
    throwsGeneration(() => chatMessages([]), 'bad-request', /non-empty list/);
    throwsGeneration(() => chatMessages({ role: 'user', content: 'hi' }), 'bad-request', /non-empty list/);
    throwsGeneration(() => chatMessages([user('a'), { role: 'user', content: 3 }]), 'bad-request', /Message 2 .*"content":3/);
    throwsGeneration(() => chatMessages([{ content: 'no role' }]), 'bad-request', /Message 1 /);
    throwsGeneration(() => chatMessages(['hi']), 'bad-request', /Message 1 /);
  });

  it('a model folder without a template is not an instruct model', () => {
    const { dir } = writeChatModel(root, family('Qwen2.5'), (config) => delete config.chat_template);
    const files = textModelFiles(dir);
    throwsGeneration(
      () => readChatSetup(files, readTextModelFolder(files).tokenizer),
      'model-invalid',
      /has no chat template: it is not an instruct model/,
    );
  });

  it("ends a turn on generation_config.json's eos_token_id (a number or a list) and the tokenizer's eos", () => {
    assert.deepStrictEqual(endOfTurnIds({ eos_token_id: 7 }, 9), [7, 9]);
    assert.deepStrictEqual(endOfTurnIds({ eos_token_id: [7, 8, 9] }, 9), [7, 8, 9]);
    assert.deepStrictEqual(endOfTurnIds(undefined, 9), [9]);
    const { dir, ids } = writeChatModel(root, family('Llama 3.1'));
    const files = textModelFiles(dir);
    const setup = readChatSetup(files, readTextModelFolder(files).tokenizer);
    assert.deepStrictEqual(setup.endOfTurnIds, [ids['<|end_of_text|>'], ids['<|eom_id|>'], ids['<|eot_id|>']]);
  });
});
