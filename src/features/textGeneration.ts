import * as vscode from 'vscode';
import type { TextBackendService } from '../services/textBackendService';
import type { Logger } from '../util/logger';
import type { Views } from '../util/views';
import { ContinuationController } from './continuation';
import { registerInlineCompletion } from './inlineCompletion';
import { registerModelCommands } from './modelCommands';
import type { ModelRegistry } from '../services/modelRegistryService';
import type { ModelRuntime } from '../services/modelRuntime';
import { ModelStatusBar } from './modelStatusBar';

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
  const statusBar = new ModelStatusBar(registry, backend, views);
  const continuation = new ContinuationController(backend, statusBar, log);
  return vscode.Disposable.from(
    statusBar,
    continuation,
    registerInlineCompletion(backend, continuation, log),
    registerModelCommands(runtime, registry, log, backend),
  );
}
