/**
 * A post too long for a chat model's context is cut from its end, at a word, to leave room for
 * the answer; the rest of the conversation stays whole. On a random-weight chat model with a
 * 256-token context (test/support/chatModels.ts) and the real prompts of the writing commands.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadModelInProcess, type InProcessModel } from '../../../src/cli/continue';
import { summaryPrompt, tagPrompt, titlePrompt } from '../../../src/core/suggest/prompts';
import { chatPromptIds, readChatSetup, type ChatSetup } from '../../../src/generation/chatTemplate';
import { fitConversation } from '../../../src/generation/fitConversation';
import { generateChat } from '../../../src/generation/generate';
import { GenerationError } from '../../../src/generation/generationError';
import { CHAT_FAMILIES, writeChatModel } from '../../support/chatModels';

const GREEDY = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 };
const POST = Array.from({ length: 120 }, (_, i) => `Sentence ${i} says something about starters and flour.`).join(' ');

describe('fitting a conversation to a small context', function () {
  this.timeout(60_000);
  let root: string;
  let model: InProcessModel;
  let chat: ChatSetup;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-fit-'));
    const { dir } = writeChatModel(
      path.join(root, 'qwen'),
      CHAT_FAMILIES.find((f) => f.name === 'Qwen2.5')!,
    );
    model = await loadModelInProcess(dir, 1, 'fp32');
    chat = readChatSetup(model.files, model.tokenizer);
  });
  after(async () => {
    await model.release();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('keeps the longest start of the post that fits, ending on a whole word, and the instructions whole', () => {
    const prompt = summaryPrompt(POST);
    const budget = 200;
    assert.ok(chatPromptIds(chat, model.tokenizer, prompt.messages).length > budget, 'the post does not fit as it is');
    const fitted = fitConversation(chat, model.tokenizer, prompt.messages, budget, prompt.cuttable);
    assert.ok(fitted.ids.length <= budget, `${fitted.ids.length} tokens`);
    assert.deepStrictEqual(fitted.ids, chatPromptIds(chat, model.tokenizer, fitted.messages));
    const content = fitted.messages[1].content;
    const lead = prompt.messages[1].content.slice(0, prompt.cuttable.from);
    assert.ok(content.startsWith(lead), 'the request before the post is whole');
    const kept = content.slice(lead.length);
    assert.ok(kept.length > 0 && POST.startsWith(kept), 'a start of the post is kept');
    assert.match(POST.slice(kept.length), /^\s/, 'it ends on a whole word');
    assert.strictEqual(fitted.cutChars, prompt.postChars - kept.length, 'what was cut is the rest of the excerpt');
    assert.strictEqual(fitted.messages[0], prompt.messages[0], 'the system message is the same');
    // One more word would not fit.
    const next = POST.indexOf(' ', kept.length + 1);
    const longer = prompt.messages.map((m, i) => (i === 1 ? { ...m, content: lead + POST.slice(0, next) } : m));
    assert.ok(chatPromptIds(chat, model.tokenizer, longer).length > budget);
  });

  it('leaves a conversation that fits, or has nothing cuttable, as it is', () => {
    const short = titlePrompt('A starter is flour and water.');
    const fitted = fitConversation(chat, model.tokenizer, short.messages, 250, short.cuttable);
    assert.strictEqual(fitted.cutChars, 0);
    assert.strictEqual(fitted.messages, short.messages);
    const long = summaryPrompt(POST);
    assert.strictEqual(fitConversation(chat, model.tokenizer, long.messages, 100, undefined).cutChars, 0);
  });

  it('generateChat answers a long post instead of refusing it, and says how much of it went', async () => {
    const prompt = summaryPrompt(POST);
    const result = await generateChat(model, chat, {
      messages: prompt.messages,
      cuttable: prompt.cuttable,
      sampling: GREEDY,
      maxTokens: 200,
    });
    assert.ok((result.promptCharsCut ?? 0) > 0 && (result.promptCharsCut ?? 0) < POST.length, String(result.promptCharsCut));
    // A quarter of the context is kept for the answer.
    assert.ok(result.promptTokens.length <= 256 - 64, `${result.promptTokens.length} prompt tokens`);
    // A choice list keeps room for its longest answer.
    const tags = tagPrompt(POST, ['bread', 'flour', 'starters'], 3);
    const chosen = await generateChat(model, chat, {
      messages: tags.messages,
      cuttable: tags.cuttable,
      sampling: GREEDY,
      maxTokens: 200,
      choices: { allowed: ['bread', 'flour', 'starters'], separator: ', ', max: 3 },
    });
    assert.ok((chosen.promptCharsCut ?? 0) > 0);
    assert.ok(chosen.choices && chosen.choices.length >= 1);
    // Without a cuttable part the same conversation is refused in words.
    await assert.rejects(
      generateChat(model, chat, { messages: prompt.messages, sampling: GREEDY, maxTokens: 200 }),
      (err: unknown) => err instanceof GenerationError && err.code === 'bad-request' && /no room is left for an answer/.test(err.message),
    );
  });
});
