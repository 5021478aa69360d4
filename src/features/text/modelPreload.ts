/**
 * Loads the text model in the background once a post is open and the writer has paused, so that
 * the first Generate Continuation (or ghost text) starts without waiting seconds for the load.
 *
 * Once per model setting and variant (a changed `inkwell.models.text` or `inkwell.models.dtype`
 * loads the new one the next time); never in an untrusted workspace, with a server as the text
 * provider (nothing to load here), or with `inkwell.runtime.preloadModel` off. Turning any of those
 * on, or Inkwell stopping, cancels a load in flight. A failed load says nothing to the writer (the
 * request that needs the model will say what is wrong) and is written to the log.
 */
import * as vscode from 'vscode';
import type { PostIndexService } from '../../services/postIndexService';
import type { TextBackendService } from '../../services/textBackendService';
import { readConfig } from '../../util/config';
import { DisposableStore } from '../../util/dispose';
import type { Logger } from '../../util/logger';

/** The pause, after the last edit, selection change or editor switch, before a load starts. */
export const PRELOAD_IDLE_MS = 2000;

export function registerModelPreload(text: TextBackendService, posts: PostIndexService, log: Logger): vscode.Disposable {
  const store = new DisposableStore();
  const tried = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: AbortController | undefined;

  const wanted = (): string | undefined => {
    if (!vscode.workspace.isTrusted || text.usesServer || !readConfig('runtime').preloadModel) return undefined;
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || doc.languageId !== 'markdown' || !posts.isPost(doc.uri)) return undefined;
    const { text: model, dtype } = readConfig('models');
    const key = `${model}\0${dtype}`;
    return tried.has(key) ? undefined : key;
  };

  const start = () => {
    timer = undefined;
    const key = wanted();
    if (!key || inFlight || text.state === 'busy') return;
    tried.add(key);
    const controller = new AbortController();
    inFlight = controller;
    text
      .preload({ signal: controller.signal })
      .then(
        (loaded) => {
          if (loaded && loaded.loadMs > 0) log.info(`Loaded ${loaded.model} in the background in ${Math.round(loaded.loadMs)} ms.`);
        },
        (err: unknown) => {
          if (!controller.signal.aborted) log.warn(`Loading the text model in the background failed: ${(err as Error).message}`);
        },
      )
      .finally(() => {
        if (inFlight === controller) inFlight = undefined;
      });
  };

  /** The writer did something: the pause starts again. */
  const restart = () => {
    if (timer) clearTimeout(timer);
    timer = wanted() ? setTimeout(start, PRELOAD_IDLE_MS) : undefined;
  };

  const cancel = () => {
    inFlight?.abort();
    inFlight = undefined;
  };

  store.add(vscode.window.onDidChangeActiveTextEditor(restart));
  store.add(vscode.window.onDidChangeTextEditorSelection(restart));
  store.add(vscode.workspace.onDidChangeTextDocument((e) => e.document === vscode.window.activeTextEditor?.document && restart()));
  store.add(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!['inkwell.runtime.preloadModel', 'inkwell.text.provider', 'inkwell.models'].some((s) => e.affectsConfiguration(s))) return;
      if (text.usesServer || !readConfig('runtime').preloadModel) cancel();
      restart();
    }),
  );
  store.add(vscode.workspace.onDidGrantWorkspaceTrust(restart));
  store.add({
    dispose: () => {
      if (timer) clearTimeout(timer);
      cancel();
    },
  });
  restart();
  return store;
}
