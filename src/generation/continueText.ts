/**
 * One continuation of a post, from the text around the cursor to a finished result, over any
 * {@link TextBackend}. The editor's command adds the document edits, the notification and the
 * status bar around it (src/features/continuation.ts); this part runs in plain Node.
 */
import { buildContinuationPrompt } from './prompt';
import { TextBackendError, type TextBackend, type TextBackendResult } from './textBackend';
import { buildTextRequest, type GenerationSettings, type TextRequestOverrides } from './textRequest';

export interface ContinuationInput {
  /** The whole document and the offset the text continues from. */
  text: string;
  offset: number;
  settings: GenerationSettings;
  /** One request's changes (command arguments); `model` picks another model than the backend's default. */
  overrides?: TextRequestOverrides & { model?: string };
}

export interface ContinuationEvents {
  signal?: AbortSignal;
  /** `loading` when the request goes out, `generating` with the first chunk. */
  onPhase?(phase: 'loading' | 'generating'): void;
  /** Each streamed piece of text, with the tokens generated so far. */
  onText?(text: string, generatedTokens: number): void;
}

/**
 * Asks `backend` to continue `input.text` at `input.offset`, streaming through `events`.
 * Rejects with a TextBackendError (`cancelled` when `events.signal` aborted it).
 */
export async function continueText(
  backend: TextBackend,
  input: ContinuationInput,
  events: ContinuationEvents = {},
): Promise<TextBackendResult> {
  const { prompt } = buildContinuationPrompt(input.text, input.offset);
  const request = { ...buildTextRequest(prompt, input.settings, input.overrides), model: input.overrides?.model };
  let first = true;
  events.onPhase?.('loading');
  try {
    return await backend.generate(request, {
      signal: events.signal,
      onChunk: (chunk) => {
        if (first) events.onPhase?.('generating');
        first = false;
        events.onText?.(chunk.text, chunk.generatedTokens);
      },
    });
  } catch (err) {
    throw TextBackendError.from(err);
  }
}

/** A line for the log about a finished continuation. */
export function describeContinuation(result: TextBackendResult): string {
  const timing = result.timing ?? {};
  const parts = [`${result.tokenCount} tokens (${result.stopReason})`];
  if (timing.firstTokenMs !== undefined) parts.push(`first token ${timing.firstTokenMs.toFixed(0)} ms`);
  if (timing.tokensPerSecond !== undefined) parts.push(`${timing.tokensPerSecond.toFixed(1)} tokens/s`);
  parts.push(`model ${result.model}`);
  return `Continuation: ${parts.join(', ')}`;
}
