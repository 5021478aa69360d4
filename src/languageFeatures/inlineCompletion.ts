import * as vscode from 'vscode';
import { buildContinuationPrompt } from '../generation/prompt';
import type { TextBackend } from '../generation/textBackend';
import { buildTextRequest } from '../generation/textRequest';
import { readConfig, readGenerationSettings } from '../util/config';
import { signalOf } from '../util/cancellation';
import type { Logger } from '../util/logger';

/** Resolves after `ms`, or early (false) when the token is cancelled. */
function delay(ms: number, token: vscode.CancellationToken): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sub.dispose();
      resolve(true);
    }, ms);
    const sub = token.onCancellationRequested(() => {
      clearTimeout(timer);
      sub.dispose();
      resolve(false);
    });
  });
}

/**
 * Ghost-text continuations while writing prose, off by default
 * (`inkwell.inlineCompletion.enabled`). Requests wait for a pause in typing
 * (`debounceMs`); VS Code cancels the token on the next keystroke, which
 * cancels the backend's request.
 */
class ProseCompletionProvider implements vscode.InlineCompletionItemProvider {
  constructor(
    private readonly backend: TextBackend,
    /** Whether a continuation is streaming into a document: no ghost text meanwhile. */
    private readonly generating: () => boolean,
    private readonly log: Logger,
  ) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    _context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const settings = readConfig('inlineCompletion', document.uri);
    if (!settings.enabled || this.generating()) return undefined;
    // Only at the end of a line of prose: not inside words, code fences or the frontmatter.
    const line = document.lineAt(position.line).text;
    if (position.character < line.length && /\S/.test(line.slice(position.character))) return undefined;
    if (!(await delay(settings.debounceMs, token))) return undefined;
    const { prompt, bodyChars } = buildContinuationPrompt(document.getText(), document.offsetAt(position));
    if (bodyChars === 0) return undefined;
    const request = buildTextRequest(prompt, readGenerationSettings(document.uri), {
      maxTokens: settings.maxTokens,
      // Stop at the end of the sentence's paragraph: ghost text should be short.
      extraStop: ['\n\n'],
    });
    const cancellation = signalOf(token);
    try {
      const result = await this.backend.generate(request, { signal: cancellation.signal });
      if (!result.text.trim()) return undefined;
      return [new vscode.InlineCompletionItem(result.text, new vscode.Range(position, position))];
    } catch (err) {
      this.log.trace(`Inline completion skipped: ${(err as Error).message}`);
      return undefined;
    } finally {
      cancellation.dispose();
    }
  }
}

/** Registers the inline completion provider for Markdown. */
export function registerInlineCompletion(backend: TextBackend, generating: () => boolean, log: Logger): vscode.Disposable {
  const provider = new ProseCompletionProvider(backend, generating, log);
  return vscode.languages.registerInlineCompletionItemProvider({ language: 'markdown' }, provider);
}
