import * as vscode from 'vscode';
import type { ProbeRegistry } from '../api';
import type { Logger } from '../util/logger';
import { ContinuationController } from './continuation';
import { registerInlineCompletion } from './inlineCompletion';
import { registerModelCommands } from './modelCommands';
import type { ModelRegistry } from './modelRegistry';
import type { ModelRuntime } from './modelRuntime';
import { ModelStatusBar } from './statusBar';

/**
 * Text generation in the editor: "Generate Continuation", inline ghost text,
 * the model status bar item, "Select Model" and "Check Model".
 */
export function registerTextGeneration(runtime: ModelRuntime, registry: ModelRegistry, log: Logger, probes: ProbeRegistry): vscode.Disposable {
  const statusBar = new ModelStatusBar(registry, runtime, probes);
  const continuation = new ContinuationController(runtime, registry, statusBar, log, probes);
  return vscode.Disposable.from(
    statusBar,
    continuation,
    registerInlineCompletion(runtime, registry, continuation, log, probes),
    registerModelCommands(runtime, registry, log, probes),
  );
}
