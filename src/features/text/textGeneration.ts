import * as vscode from 'vscode';
import type { TextBackendService } from '../../services/textBackendService';
import type { Logger } from '../../util/logger';
import type { Views } from '../../util/views';
import { ContinuationController } from './continuation';
import { registerInlineCompletion } from '../../languageFeatures/inlineCompletion';
import { demonstrationNote, registerModelCommands } from '../models/modelCommands';
import type { ModelEntry } from '../../generation/modelRegistry';
import type { ModelRegistry } from '../../services/modelRegistryService';
import type { ModelRuntime } from '../../services/modelRuntime';
import { ModelStatusBar } from '../../views/modelStatusBar';

/**
 * Text generation in the editor: "Generate Continuation", inline ghost text,
 * the model status bar item, "Select Model" and "Check Model". Text comes from `backend`;
 * "Check Model" inspects the local runtime's model folders.
 */
export function registerTextGeneration(
  backend: TextBackendService,
  runtime: ModelRuntime,
  registry: ModelRegistry,
  log: Logger,
  views: Views,
): vscode.Disposable {
  const statusBar = new ModelStatusBar(registry, backend, views, () => backend.chatModel());
  // The first continuation of a session from the shipped demonstration model says what it is
  // (the local runtime's configured model; a server's models are the server's business).
  let noted = false;
  const demonstration = (model: string | undefined) => {
    if (noted || backend.usesServer) return;
    let entry: ModelEntry;
    try {
      entry = registry.resolve('text', model);
    } catch {
      return;
    }
    const note = demonstrationNote(entry);
    if (!note) return;
    noted = true;
    void views.showMessage('info', note, 'Download Model…').then((c) => c && vscode.commands.executeCommand('inkwell.downloadModel'));
  };
  const continuation = new ContinuationController(backend, statusBar, log, views, demonstration);
  return vscode.Disposable.from(
    statusBar,
    continuation,
    registerInlineCompletion(backend, continuation, log),
    registerModelCommands(runtime, registry, log, views, backend),
  );
}
