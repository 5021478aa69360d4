/**
 * Token-exact chat prompts: for each family of test/fixtures/chat-templates (its real template,
 * its special tokens in a real tokenizer), Inkwell's prompt ids for a conversation must equal
 * transformers.js's `apply_chat_template(messages, {add_generation_prompt: true, tokenize: true})`.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { chatPromptIds, readChatSetup } from '../../../src/generation/chatTemplate';
import { textModelFiles } from '../../../src/generation/textModel';
import { readTextModelFolder } from '../../../src/generation/textModelLoader';
import { CHAT_FAMILIES, CONVERSATIONS, writeChatModel } from '../../support/chatModels';

interface TransformersChat {
  chatTemplateIds(root: string, name: string, conversations: unknown[]): Promise<number[][]>;
}

const helper = pathToFileURL(path.join(__dirname, '..', '..', 'fixtures', 'transformersChat.mjs')).href;

describe('chat prompts are token-exact with transformers.js', function () {
  this.timeout(120000);
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-chat-parity-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  for (const family of CHAT_FAMILIES) {
    it(`${family.name} (${family.hubId}): ${CONVERSATIONS.map((c) => c.name).join('; ')}`, async () => {
      // transformers.js does not find local folders whose name has a dot or a double dash.
      const name = family.name.replace(/[^A-Za-z0-9]+/g, '-');
      const { dir, ids } = writeChatModel(path.join(root, name), family);
      const files = textModelFiles(dir);
      const { tokenizer } = readTextModelFolder(files);
      const setup = readChatSetup(files, tokenizer);
      const tjs = (await import(helper)) as TransformersChat;
      const expected = await tjs.chatTemplateIds(
        root,
        name,
        CONVERSATIONS.map((c) => c.messages),
      );
      CONVERSATIONS.forEach((conversation, i) => {
        const got = chatPromptIds(setup, tokenizer, conversation.messages);
        assert.deepStrictEqual(got, expected[i], `${family.name}, ${conversation.name}`);
        // Each special token the template wrote is one id, not its characters.
        const specialIds = new Set(family.special.map((t) => ids[t]));
        assert.ok(
          got.some((id) => specialIds.has(id)),
          `${family.name}, ${conversation.name}: no special token id in ${got.join(' ')}`,
        );
        // The template wrote its special tokens: the post-processor's BOS does not come a second time.
        if (family.bos) assert.ok(got.filter((id) => id === ids[family.bos!]).length <= 1, `${family.name}: one BOS at most`);
      });
      // The end of the model's turn: generation_config.json's ids and the tokenizer's eos.
      const turnEnds = [...family.generationEos, family.eos].map((t) => ids[t]);
      assert.deepStrictEqual([...setup.endOfTurnIds].sort(), [...new Set(turnEnds)].sort());
    });
  }
});
