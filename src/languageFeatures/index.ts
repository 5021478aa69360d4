import type * as vscode from 'vscode';
import type { TextBackend } from '../generation/textBackend';
import type { PostValidation } from '../services/postValidation';
import { DisposableStore } from '../util/dispose';
import type { Logger } from '../util/logger';
import { registerCompletions } from './completions';
import { registerDiagnostics } from './diagnostics';
import { registerHovers } from './hovers';
import { registerInlineCompletion } from './inlineCompletion';
import { registerQuickFixes } from './quickFixes';

/** What the inline completion needs: the text backend, and whether a continuation is streaming. */
export interface InlineCompletionDeps {
  readonly backend: TextBackend;
  readonly generating: () => boolean;
  readonly log: Logger;
}

/**
 * The providers VS Code asks about Markdown documents: frontmatter diagnostics, quick fixes,
 * completions and hovers on posts, and the ghost-text continuation of prose.
 */
export function registerLanguageFeatures(validation: PostValidation, inline: InlineCompletionDeps): vscode.Disposable {
  const store = new DisposableStore();
  store.add(registerDiagnostics(validation));
  store.add(registerQuickFixes(validation));
  store.add(registerCompletions(validation));
  store.add(registerHovers(validation));
  store.add(registerInlineCompletion(inline.backend, inline.generating, inline.log));
  return store;
}
