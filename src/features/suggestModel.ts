import * as vscode from 'vscode';
import { postBody } from '../core/suggest/plainText';
import { descriptionPrompt, modelDescriptions, modelTitles, titlePrompt, type SuggestPrompt } from '../core/suggest/prompts';
import type { DescriptionBounds } from '../core/suggest/siteSettings';
import type { Suggestion } from '../core/suggest/types';
import { TextBackendError, type ChatBackendRequest } from '../generation/textBackend';
import { buildTextRequest } from '../generation/textRequest';
import type { TextBackendService } from '../services/textBackendService';
import { signalOf } from '../util/cancellation';
import { readGenerationSettings } from '../util/config';
import type { Views } from '../util/views';

/** The chat side of the text backend: which model answers (none: no model is asked), and the asking. */
export type ChatSource = Pick<TextBackendService, 'chat' | 'chatModel'>;

/** The kinds a model is asked for. */
export type ModelKind = 'title' | 'description';

/** Tokens an answer may take: five titles are short; five descriptions are up to ten sentences. */
const MAX_TOKENS: Readonly<Record<ModelKind, number>> = { title: 160, description: 400 };

const PLURAL: Readonly<Record<ModelKind, string>> = { title: 'titles', description: 'descriptions' };

/** What the model gave: its name, its candidates (none when it failed or was cancelled) and what the prompt left out. */
export interface ModelAnswer {
  model: string;
  candidates: Suggestion[];
  /** Characters of the post the prompt did not carry. */
  omittedChars: number;
}

/**
 * Asks the chat model for candidates, in a cancellable progress notification. Undefined when
 * no chat model is configured (the command then behaves as it does without one). A failure is
 * said once and gives no candidates, so that the other sources are still offered; a cancel
 * gives none, silently.
 */
export async function askModel(
  kind: ModelKind,
  doc: vscode.TextDocument,
  bounds: DescriptionBounds | undefined,
  source: ChatSource,
  views: Views,
  commandName: string,
): Promise<ModelAnswer | undefined> {
  const model = source.chatModel();
  if (!model) return undefined;
  const body = postBody(doc.getText());
  const prompt = kind === 'title' ? titlePrompt(body) : descriptionPrompt(body, bounds);
  const answer = await views.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Asking ${model} for ${PLURAL[kind]}…`, cancellable: true },
    (_progress, token) => chatText(source, chatRequest(kind, prompt, doc), token),
  );
  if (answer instanceof TextBackendError) {
    if (answer.code !== 'cancelled') {
      void views.showMessage(
        'warning',
        `${commandName}: ${model} could not answer (${answer.message}). The suggestions offered come from the post.`,
      );
    }
    return { model, candidates: [], omittedChars: prompt.omittedChars };
  }
  const candidates = kind === 'title' ? modelTitles(answer, model) : modelDescriptions(answer, model, bounds);
  return { model, candidates, omittedChars: prompt.omittedChars };
}

/** The conversation with the writer's sampling settings (a model's own defaults win where the writer set none). */
function chatRequest(kind: ModelKind, prompt: SuggestPrompt, doc: vscode.TextDocument): ChatBackendRequest {
  const {
    prompt: _text,
    stop: _stop,
    endAtSentence: _end,
    ...params
  } = buildTextRequest('', readGenerationSettings(doc.uri), {
    maxTokens: MAX_TOKENS[kind],
  });
  return { ...params, messages: prompt.messages };
}

/** The answer's text, or the backend's error; the token's cancel aborts the request. */
async function chatText(
  source: ChatSource,
  request: ChatBackendRequest,
  token: vscode.CancellationToken,
): Promise<string | TextBackendError> {
  const cancel = signalOf(token);
  try {
    return (await source.chat(request, { signal: cancel.signal })).text;
  } catch (err) {
    return TextBackendError.from(err);
  } finally {
    cancel.dispose();
  }
}
