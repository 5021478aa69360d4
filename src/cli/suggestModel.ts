/**
 * The model side of `inkwell suggest tags --model DIR`: a {@link ChoiceModel} over an in-process
 * chat model. The post's text is cut further (from its end, by generateChat) until the conversation
 * and the longest answer the choices allow fit the model's context; decoding is greedy, so the same
 * post and model suggest the same tags.
 */
import type { ChatSetup } from '../generation/chatTemplate';
import { generateChat } from '../generation/generate';
import { modelTagProvider, type ChoiceModel } from '../core/suggest/modelProvider';
import { suggest, type SuggestContext, type SuggestPost } from '../core/suggest/suggest';
import type { SuggestionKind, Suggestions } from '../core/suggest/types';
import { readChatSetup } from '../generation/chatTemplate';
import { physicalCoreCount } from '../generation/sessionOptions';
import { cliModelCache, loadModelInProcess, type InProcessModel } from './continue';

const GREEDY = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 };

/** Chooses with `model` (loaded, with its chat template); the caller releases it. */
export function chatChoiceModel(model: InProcessModel, chat: ChatSetup): ChoiceModel {
  return {
    async choose({ prompt, allowed, separator, max }) {
      // The post is cut from its end, if need be, so that the longest answer the choices allow still fits.
      const result = await generateChat(model, chat, {
        messages: prompt.messages,
        cuttable: prompt.cuttable,
        sampling: GREEDY,
        maxTokens: Number.MAX_SAFE_INTEGER,
        choices: { allowed, separator, max },
      });
      return { choices: result.choices ?? [], cutChars: result.promptCharsCut ?? 0 };
    },
  };
}

/** Suggestions with the model in `dir` tried first; a string says why the model could not be used. */
export async function suggestWithModel(
  kind: SuggestionKind,
  post: SuggestPost,
  context: SuggestContext,
  dir: string,
): Promise<Suggestions | string> {
  let model: InProcessModel;
  try {
    model = await loadModelInProcess(dir, Math.min(4, physicalCoreCount()), 'auto', { cache: cliModelCache() });
  } catch (err) {
    return (err as Error).message;
  }
  try {
    return await suggest(kind, post, context, [modelTagProvider(chatChoiceModel(model, readChatSetup(model.files, model.tokenizer)))]);
  } catch (err) {
    return (err as Error).message;
  } finally {
    await model.release();
  }
}
