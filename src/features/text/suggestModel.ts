import * as vscode from 'vscode';
import { postBody } from '../../core/suggest/plainText';
import {
  descriptionPrompt,
  modelDescriptions,
  modelTags,
  modelTitles,
  TAG_SEPARATOR,
  tagPrompt,
  titlePrompt,
  type SuggestPrompt,
} from '../../core/suggest/prompts';
import { MAX_TAG_SUGGESTIONS } from '../../core/suggest/tags';
import type { DescriptionBounds } from '../../core/suggest/siteSettings';
import type { Suggestion } from '../../core/suggest/types';
import { TextBackendError, type ChatBackendRequest, type TextBackendResult } from '../../generation/textBackend';
import { buildChatParams } from '../../generation/textRequest';
import type { TextBackendService } from '../../services/textBackendService';
import { signalOf } from '../../util/cancellation';
import { readGenerationSettings } from '../../util/config';
import type { Views } from '../../util/views';

/** The chat side of the text backend: which model answers (none: no model is asked), and the asking. */
export type ChatSource = Pick<TextBackendService, 'chat' | 'chatModel'>;

/** The kinds a model is asked for. */
export type ModelKind = 'title' | 'description' | 'tags';

/**
 * Tokens an answer may take: five titles are short; five descriptions are up to ten sentences; a
 * constrained tag list is capped by its own length (a server's free answer gets this much).
 */
const MAX_TOKENS: Readonly<Record<ModelKind, number>> = { title: 160, description: 400, tags: 80 };

const PLURAL: Readonly<Record<ModelKind, string>> = { title: 'titles', description: 'descriptions', tags: 'tags' };

/** What a kind's prompt needs besides the post: the site's description bounds, the blog's tags. */
export interface AskOptions {
  bounds?: DescriptionBounds;
  /** The tags the model may choose from (the workspace's, without the post's own). */
  taxonomy?: readonly string[];
}

/** What the model gave: its name, its candidates (none when it failed or was cancelled) and what the prompt left out. */
export interface ModelAnswer {
  model: string;
  candidates: Suggestion[];
  /** Characters of the post the prompt did not carry. */
  omittedChars: number;
  /** The model could not answer (said in a warning already), or the writer cancelled it. */
  failed?: boolean;
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
  options: AskOptions,
  source: ChatSource,
  views: Views,
  commandName: string,
): Promise<ModelAnswer | undefined> {
  const model = source.chatModel();
  if (!model) return undefined;
  if (kind === 'tags' && !options.taxonomy?.length) return undefined; // nothing to choose from
  const prompt = promptFor(kind, postBody(doc.getText()), options);
  const answer = await views.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Asking ${model} for ${PLURAL[kind]}…`, cancellable: true },
    (_progress, token) => chatAnswer(source, chatRequest(kind, prompt, doc), token),
  );
  if (answer instanceof TextBackendError) {
    if (answer.code !== 'cancelled') {
      void views.showMessage(
        'warning',
        `${commandName}: ${model} could not answer (${answer.message}). The suggestions offered come from the post.`,
      );
    }
    return { model, candidates: [], omittedChars: prompt.omittedChars, failed: true };
  }
  // What the model's context could not hold was cut from the end of the excerpt: left out too.
  const omittedChars = prompt.omittedChars + (answer.promptCharsCut ?? 0);
  return { model, candidates: candidatesOf(kind, answer.text, model, options), omittedChars };
}

function promptFor(kind: ModelKind, body: string, options: AskOptions): SuggestPrompt & { choices?: ChatBackendRequest['choices'] } {
  if (kind === 'title') return titlePrompt(body);
  if (kind === 'description') return descriptionPrompt(body, options.bounds);
  const taxonomy = options.taxonomy ?? [];
  return {
    ...tagPrompt(body, taxonomy, MAX_TAG_SUGGESTIONS),
    // The local runtime lets the model spell nothing but these; a server's answer is read against them.
    choices: { allowed: taxonomy, separator: TAG_SEPARATOR, max: MAX_TAG_SUGGESTIONS },
  };
}

function candidatesOf(kind: ModelKind, answer: string, model: string, options: AskOptions): Suggestion[] {
  if (kind === 'title') return modelTitles(answer, model);
  if (kind === 'description') return modelDescriptions(answer, model, options.bounds);
  return modelTags(answer, options.taxonomy ?? [], model, MAX_TAG_SUGGESTIONS);
}

/** The conversation with the writer's sampling settings (a model's own defaults win where the writer set none). */
function chatRequest(
  kind: ModelKind,
  prompt: SuggestPrompt & Pick<ChatBackendRequest, 'choices'>,
  doc: vscode.TextDocument,
): ChatBackendRequest {
  const params = buildChatParams(readGenerationSettings(doc.uri), { maxTokens: MAX_TOKENS[kind] });
  return { ...params, messages: prompt.messages, cuttable: prompt.cuttable, ...(prompt.choices ? { choices: prompt.choices } : {}) };
}

/** The answer, or the backend's error; the token's cancel aborts the request. */
async function chatAnswer(
  source: ChatSource,
  request: ChatBackendRequest,
  token: vscode.CancellationToken,
): Promise<TextBackendResult | TextBackendError> {
  const cancel = signalOf(token);
  try {
    return await source.chat(request, { signal: cancel.signal });
  } catch (err) {
    return TextBackendError.from(err);
  } finally {
    cancel.dispose();
  }
}
