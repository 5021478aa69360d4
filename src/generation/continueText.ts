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

export type ContinuationRun =
  | { ok: true; result: TextBackendResult }
  /** `generatedTokens`: how many tokens streamed before it failed (or was cancelled). */
  | { ok: false; error: TextBackendError; generatedTokens: number };

/** Asks `backend` to continue `input.text` at `input.offset`; never throws. */
export async function continueText(
  backend: TextBackend,
  input: ContinuationInput,
  events: ContinuationEvents = {},
): Promise<ContinuationRun> {
  const { prompt } = buildContinuationPrompt(input.text, input.offset);
  const request = { ...buildTextRequest(prompt, input.settings, input.overrides), model: input.overrides?.model };
  let generatedTokens = 0;
  events.onPhase?.('loading');
  try {
    const result = await backend.generate(request, {
      signal: events.signal,
      onChunk: (chunk) => {
        if (generatedTokens === 0) events.onPhase?.('generating');
        generatedTokens = chunk.generatedTokens;
        events.onText?.(chunk.text, chunk.generatedTokens);
      },
    });
    return { ok: true, result };
  } catch (err) {
    return { ok: false, error: TextBackendError.from(err), generatedTokens };
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
