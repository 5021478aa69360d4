/**
 * The model side of `inkwell suggest tags --model DIR`: a {@link ChoiceModel} over an in-process
 * chat model. The post's text is cut further (from its end) until the conversation and the longest
 * answer the choices allow fit the model's context; decoding is greedy, so the same post and model
 * suggest the same tags.
 */
import { chatPromptIds, type ChatSetup } from '../generation/chatTemplate';
import { buildChoiceGrammar } from '../generation/choiceConstraint';
import { generateChat } from '../generation/generate';
import { modelTagProvider, type ChoiceModel, type ChoiceRequest } from '../core/suggest/modelProvider';
import { suggest, type SuggestContext, type SuggestPost } from '../core/suggest/suggest';
import type { SuggestionKind, Suggestions } from '../core/suggest/types';
import { readChatSetup } from '../generation/chatTemplate';
import { physicalCoreCount } from '../generation/sessionOptions';
import { loadModelInProcess, type InProcessModel } from './continue';

const GREEDY = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 };

/** The longest start of `request.text` whose conversation leaves `answerTokens` of the context free (cut by tokens, then checked). */
function fittingText(model: InProcessModel, chat: ChatSetup, request: ChoiceRequest, answerTokens: number): string {
  const room = model.spec.contextLength - answerTokens;
  const fits = (text: string) => chatPromptIds(chat, model.tokenizer, request.messages(text)).length <= room;
  if (fits(request.text)) return request.text;
  const overhead = chatPromptIds(chat, model.tokenizer, request.messages('')).length;
  const ids = model.tokenizer.encode(request.text);
  // Tokens of the text alone and inside the prompt differ a little at the edges: shrink until it fits.
  for (let keep = Math.max(0, room - overhead); keep > 0; keep = Math.floor(keep * 0.9)) {
    const text = model.tokenizer.decode(ids.slice(0, keep)).replace(/\uFFFD+$/, '');
    if (fits(text)) return text;
  }
  return '';
}

/** Chooses with `model` (loaded, with its chat template); the caller releases it. */
export function chatChoiceModel(model: InProcessModel, chat: ChatSetup): ChoiceModel {
  return {
    async choose(request) {
      const choices = { allowed: request.allowed, separator: request.separator, max: request.max };
      const { maxTokens } = buildChoiceGrammar(model.tokenizer, choices, chat.endOfTurnIds);
      const text = fittingText(model, chat, request, maxTokens);
      const result = await generateChat(model, chat, { messages: request.messages(text), sampling: GREEDY, maxTokens, choices });
      return { choices: result.choices ?? [], textUsed: text.length };
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
    model = await loadModelInProcess(dir, Math.min(4, physicalCoreCount()));
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
