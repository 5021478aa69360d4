import * as vscode from 'vscode';
import type { TextBackendService } from '../../services/textBackendService';
import type { Logger } from '../../util/logger';
import type { Views } from '../../util/views';
import { ContinuationController } from './continuation';
import { demonstrationNote } from '../models/modelCommands';
import type { ModelEntry } from '../../generation/modelRegistry';
import type { ModelRegistry } from '../../services/modelRegistryService';
import { ModelStatusBar } from '../../views/modelStatusBar';

/** Text generation in the editor: "Generate Continuation" and what it runs (its controller). */
export interface TextGeneration extends vscode.Disposable {
  readonly continuation: ContinuationController;
}

/**
 * Text generation in the editor: "Generate Continuation" and the model status bar item. Text
 * comes from `backend`. The inline ghost text is a language feature (src/languageFeatures).
 */
export function registerTextGeneration(backend: TextBackendService, registry: ModelRegistry, log: Logger, views: Views): TextGeneration {
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
  const disposable = vscode.Disposable.from(statusBar, continuation);
  return { continuation, dispose: () => disposable.dispose() };
}
