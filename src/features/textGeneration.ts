import * as vscode from 'vscode';
import type { Logger } from '../util/logger';
import type { Views } from '../util/views';
import { ContinuationController } from './continuation';
import { registerInlineCompletion } from './inlineCompletion';
import { demonstrationNote, registerModelCommands } from './modelCommands';
import type { ModelEntry } from '../generation/modelRegistry';
import type { ModelRegistry } from '../services/modelRegistryService';
import type { ModelRuntime } from '../services/modelRuntime';
import { ModelStatusBar } from './modelStatusBar';

/**
 * Text generation in the editor: "Generate Continuation", inline ghost text,
 * the model status bar item, "Select Model" and "Check Model".
 */
export function registerTextGeneration(runtime: ModelRuntime, registry: ModelRegistry, log: Logger, views: Views): vscode.Disposable {
  const statusBar = new ModelStatusBar(registry, runtime, views);
  // The first continuation of a session from the shipped demonstration model says what it is.
  let noted = false;
  const demonstration = (entry: ModelEntry) => {
    const note = noted ? undefined : demonstrationNote(entry);
    if (!note) return;
    noted = true;
    void views.showMessage('info', note, 'Download Model…').then((c) => c && vscode.commands.executeCommand('inkwell.downloadModel'));
  };
  const continuation = new ContinuationController(runtime, registry, statusBar, log, demonstration);
  return vscode.Disposable.from(
    statusBar,
    continuation,
    registerInlineCompletion(runtime, registry, continuation, log),
    registerModelCommands(runtime, registry, log, views),
  );
}
