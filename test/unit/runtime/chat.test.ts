/**
 * TextBackend.chat through the real runtime child: a random-weight chat model (its own chat
 * template, its own end-of-turn ids) answers a conversation as `text.chat`, streamed; the answer
 * ends at the end of the model's turn; a model without a template is "not an instruct model".
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ChatBackendRequest } from '../../../src/generation/textBackend';
import { LocalTextBackend } from '../../../src/runtime/localTextBackend';
import { RuntimeClient } from '../../../src/runtime/client';
import { CHAT_FAMILIES, writeChatModel, type ChatModelFolder } from '../../support/chatModels';
import { greedy, modelsDir } from '../generation/fixtures';
import { runtimeScript } from './buildRuntime';
import { backendFailure } from '../../support/backendFailure';

const qwen = CHAT_FAMILIES.find((f) => f.name === 'Qwen2.5')!;
const MAX = 12;

const request = (model?: string): ChatBackendRequest => ({
  model,
  messages: [
    { role: 'system', content: 'You suggest titles for blog posts.' },
    { role: 'user', content: 'Three titles for a post about sourdough starters, one a line.' },
  ],
  maxTokens: MAX,
  sampling: greedy,
});

describe('TextBackend.chat through the runtime process', () => {
  let root: string;
  let chatModel: ChatModelFolder;
  let client: RuntimeClient;
  let backend: LocalTextBackend;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-runtime-chat-'));
    chatModel = writeChatModel(path.join(root, 'qwen'), qwen);
    const models = [
      { name: 'qwen', dir: chatModel.dir },
      { name: 'tiny-gpt2', dir: path.join(modelsDir, 'tiny-gpt2') },
    ];
    const find = (name: string) => {
      const found = models.find((m) => m.name === name);
      if (!found) throw new Error(`No text model named "${name}".`);
      return found;
    };
    client = new RuntimeClient({ scriptPath: await runtimeScript(), options: () => ({ threads: 1 }), idleShutdownMs: () => 0 });
    backend = new LocalTextBackend({
      client,
      resolveModel: (name) => find(name ?? 'tiny-gpt2'),
      resolveChatModel: (name) => find(name ?? 'qwen'),
      listModels: () => models,
      dtype: () => 'auto',
    });
  });
  after(() => {
    client.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("streams the answer and stops at an end-of-turn id of the model's generation_config.json", async () => {
    // The greedy answer's ids, from the process itself, to pick one that ends the turn.
    const { model: _name, ...params } = request();
    const plain = await client.request('text.chat', { ...params, model: chatModel.dir });
    const at = plain.tokens.findIndex((id, i) => i >= 2 && plain.tokens.indexOf(id) === i);
    assert.ok(at >= 2, 'a token that first comes at the third place or later');
    const endIds = [chatModel.ids['<|im_end|>'], plain.tokens[at]];
    fs.writeFileSync(path.join(chatModel.dir, 'generation_config.json'), JSON.stringify({ eos_token_id: endIds }));

    const pieces: string[] = [];
    const result = await backend.chat(request(), { onChunk: (c) => pieces.push(c.text) });
    assert.strictEqual(result.stopReason, 'eos');
    assert.strictEqual(result.tokenCount, at, 'the answer ends before the end-of-turn token');
    assert.strictEqual(pieces.join(''), result.text);
    assert.ok(pieces.length > 0 && result.text.length > 0, 'text streamed before the end of the turn');
    assert.ok(plain.text.startsWith(result.text), 'the same answer, cut at the end of the turn');
    assert.strictEqual(result.model, chatModel.dir);
  });

  it('a model without a chat template is refused as not an instruct model; a cancelled chat is `cancelled`', async () => {
    const refused = await backendFailure(backend.chat(request('tiny-gpt2')));
    assert.strictEqual(refused.code, 'model-invalid');
    assert.match(refused.message, /not an instruct model/);
    assert.strictEqual((await backendFailure(backend.chat(request('nothing-here')))).code, 'model-not-found');

    const cancel = new AbortController();
    let seen = 0;
    const cancelled = backend.chat(
      { ...request(), maxTokens: 200 },
      {
        signal: cancel.signal,
        onChunk: () => {
          if (++seen === 2) cancel.abort();
        },
      },
    );
    assert.strictEqual((await backendFailure(cancelled)).code, 'cancelled');
    const after = seen;
    // The process answers in order: once a later request has its answer, a stray chunk of the
    // cancelled one would have come before it.
    await backend.chat({ ...request(), maxTokens: 1 });
    assert.strictEqual(seen, after, 'no chunk after the cancel');
  });
});
