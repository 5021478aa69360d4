/**
 * `inkwell chat --model DIR` on a real random-weight ONNX model (tiny-llama with Qwen2.5's chat
 * template and special tokens, test/support/chatModels.ts): the prompt ids and the greedy ids must
 * be transformers.js's, the answer ends at an end-of-turn id, and each bad input gets its message.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { CliIo } from '../../../src/cli/io';
import { run } from '../../../src/cli/chatCommand';
import { CHAT_FAMILIES, writeChatModel, type ChatModelFolder } from '../../support/chatModels';

interface TransformersChat {
  greedyChat(
    root: string,
    name: string,
    messages: unknown[],
    maxNewTokens: number,
    eosIds: number[],
  ): Promise<{ promptIds: number[]; generated: number[]; stopped: boolean }>;
}

interface ChatJson {
  prompt_tokens: number[];
  tokens: number[];
  text: string;
  stop_reason: string;
}

const helper = pathToFileURL(path.join(__dirname, '..', '..', 'fixtures', 'transformersChat.mjs')).href;
const qwen = CHAT_FAMILIES.find((f) => f.name === 'Qwen2.5')!;
const MAX = 8;
const conversation = [
  { role: 'system', content: 'You help with a travel blog.' },
  { role: 'user', content: 'Name one thing to pack for Lisbon.' },
];

function capture(cwd: string): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), cwd };
}

async function chat(cwd: string, args: string[]): Promise<{ code: number; json?: ChatJson; errors: string }> {
  const io = capture(cwd);
  const code = await run(args, io);
  const last = io.lines.at(-1);
  return { code, json: code === 0 && args.includes('--json') ? (JSON.parse(last!) as ChatJson) : undefined, errors: io.errors.join('\n') };
}

describe('inkwell chat --model (CLI)', function () {
  this.timeout(180000);
  let root: string;
  let model: ChatModelFolder;
  const greedy = (dir: string, ...more: string[]) => [
    '--model',
    dir,
    '--system',
    conversation[0].content,
    '--user',
    conversation[1].content,
    '--greedy',
    '--max-tokens',
    String(MAX),
    '--threads',
    '1',
    '--json',
    ...more,
  ];
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-chat-cli-'));
    model = writeChatModel(path.join(root, 'qwen'), qwen);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("--json gives transformers.js's prompt ids and greedy ids, and stops at an end-of-turn id of generation_config.json", async () => {
    const tjs = (await import(helper)) as TransformersChat;
    const first = await chat(root, greedy(model.dir));
    assert.strictEqual(first.code, 0, first.errors);
    const reference = await tjs.greedyChat(root, 'qwen', conversation, MAX, [model.ids['<|im_end|>'], model.ids['<|endoftext|>']]);
    assert.deepStrictEqual(first.json!.prompt_tokens, reference.promptIds, 'prompt ids');
    assert.deepStrictEqual(first.json!.tokens, reference.generated, 'greedy ids');
    assert.strictEqual(first.json!.stop_reason, reference.stopped ? 'eos' : 'max-tokens');

    // The third token ends the turn when generation_config.json names it: the answer stops before it, as transformers.js's does.
    const end = first.json!.tokens[2];
    const cut = first.json!.tokens.indexOf(end);
    fs.writeFileSync(path.join(model.dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [model.ids['<|im_end|>'], end] }));
    const stopped = await chat(root, greedy(model.dir));
    assert.strictEqual(stopped.code, 0, stopped.errors);
    assert.deepStrictEqual(stopped.json!.tokens, first.json!.tokens.slice(0, cut));
    assert.strictEqual(stopped.json!.stop_reason, 'eos');
    const referenceStopped = await tjs.greedyChat(root, 'qwen', conversation, MAX, [end]);
    assert.deepStrictEqual(stopped.json!.tokens, referenceStopped.generated);
    assert.ok(referenceStopped.stopped);
  });

  it('--speculative prompt-lookup answers with the tokens of plain greedy decoding and counts its drafts', async () => {
    const dir = writeChatModel(path.join(root, 'speculative'), qwen).dir;
    const longer = (...more: string[]) => [...greedy(dir), '--max-tokens', '40', ...more];
    const plain = await chat(root, longer());
    const fast = await chat(root, longer('--speculative', 'prompt-lookup'));
    assert.strictEqual(fast.code, 0, fast.errors);
    assert.deepStrictEqual(fast.json!.tokens, plain.json!.tokens);
    assert.strictEqual(fast.json!.stop_reason, plain.json!.stop_reason);
    const draft = (fast.json as ChatJson & { draft?: { proposed: number; accepted: number } }).draft;
    assert.ok(draft && draft.accepted <= draft.proposed, JSON.stringify(draft));
  });

  it("stops at the tokenizer's eos_token too, and reads the conversation from --messages", async () => {
    const dir = writeChatModel(path.join(root, 'eos'), qwen).dir;
    const first = await chat(root, greedy(dir));
    assert.strictEqual(first.code, 0, first.errors);
    const end = first.json!.tokens[1];
    const tokenizer = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } };
    const piece = Object.entries(tokenizer.model.vocab).find(([, id]) => id === end)![0];
    const configFile = path.join(dir, 'tokenizer_config.json');
    fs.writeFileSync(configFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(configFile, 'utf8')), eos_token: piece }));
    const file = path.join(root, 'conversation.json');
    fs.writeFileSync(file, JSON.stringify(conversation));
    const stopped = await chat(root, [
      '--model',
      dir,
      '--messages',
      'conversation.json',
      '--greedy',
      '--max-tokens',
      String(MAX),
      '--json',
    ]);
    assert.strictEqual(stopped.code, 0, stopped.errors);
    assert.deepStrictEqual(stopped.json!.prompt_tokens, first.json!.prompt_tokens);
    assert.deepStrictEqual(stopped.json!.tokens, first.json!.tokens.slice(0, first.json!.tokens.indexOf(end)));
    assert.strictEqual(stopped.json!.stop_reason, 'eos');
  });

  it('without --json prints the answer and a summary', async () => {
    const io = capture(root);
    const code = await run(['--model', model.dir, '--user', 'Hi', '--max-tokens', '3', '--seed', '7'], io);
    assert.strictEqual(code, 0, io.errors.join('\n'));
    assert.strictEqual(io.lines.length, 1);
    assert.match(io.errors.join('\n'), /^\d tokens \((max-tokens|eos)\) after a prompt of \d+ tokens, seed 7$/);
  });

  it('explains a model without a chat template, a bad messages file and a template that refuses the conversation', async () => {
    const plain = writeChatModel(path.join(root, 'plain'), qwen, (config) => delete config.chat_template).dir;
    const noTemplate = await chat(root, ['--model', plain, '--user', 'Hi']);
    assert.strictEqual(noTemplate.code, 1);
    assert.match(noTemplate.errors, /^inkwell chat: .*plain has no chat template: it is not an instruct model;/);

    const bad = (name: string, text: string) => {
      fs.writeFileSync(path.join(root, name), text);
      return chat(root, ['--model', model.dir, '--messages', name]);
    };
    const notJson = await bad('not-json.json', '[{"role": "user",');
    assert.strictEqual(notJson.code, 2);
    assert.match(notJson.errors, /cannot read --messages: .*JSON/);
    const notList = await bad('object.json', '{"role": "user", "content": "hi"}');
    assert.strictEqual(notList.code, 2);
    assert.match(notList.errors, /--messages object\.json: The conversation must be a non-empty list/);
    const noContent = await bad('no-content.json', '[{"role": "user", "content": "hi"}, {"role": "assistant"}]');
    assert.strictEqual(noContent.code, 2);
    assert.match(noContent.errors, /Message 2 of the conversation must be \{"role": "…", "content": "…"\}/);
    const missing = await chat(root, ['--model', model.dir, '--messages', 'nowhere.json']);
    assert.strictEqual(missing.code, 2);
    assert.match(missing.errors, /cannot read --messages: .*ENOENT/);

    const mistral = writeChatModel(
      path.join(root, 'mistral'),
      CHAT_FAMILIES.find((f) => f.name === 'Mistral Nemo')!,
    ).dir;
    fs.writeFileSync(path.join(root, 'critic.json'), JSON.stringify([{ role: 'critic', content: 'Too long.' }]));
    const refused = await chat(root, ['--model', mistral, '--messages', 'critic.json']);
    assert.strictEqual(refused.code, 1);
    assert.match(refused.errors, /refused this conversation: Only user and assistant roles are supported/);

    const both = await chat(root, ['--model', model.dir, '--user', 'Hi', '--messages', 'critic.json']);
    assert.strictEqual(both.code, 2);
    assert.match(both.errors, /give exactly one of --user and --messages/);
    const noModel = await chat(root, ['--user', 'Hi']);
    assert.strictEqual(noModel.code, 2);
    assert.match(noModel.errors, /give --model DIR .* or --endpoint URL/);
  });
});
