import * as vscode from 'vscode';
import type { ProbeRegistry } from '../api';
import type { Logger } from '../util/logger';
import type { ModelRegistry } from './modelRegistry';
import type { ModelRuntime } from './modelRuntime';
import { ImageFeatureDeps, registerImageGallery } from './imageGallery';
import { registerInsertImage } from './insertImage';
import { registerRegenerateImage } from './regenerateImage';

/**
 * Registers the generated-image features (gallery, "Insert Generated Image",
 * "Regenerate from This Image") on the shared model runtime and registry.
 */
export function registerImageFeatures(runtime: ModelRuntime, registry: ModelRegistry, extensionUri: vscode.Uri, log: Logger, probes: ProbeRegistry): vscode.Disposable {
  const deps: ImageFeatureDeps = {
    request: (method, params, signal) => {
      // The runtime takes a VS Code token; the gallery cancels with an AbortSignal.
      const cts = new vscode.CancellationTokenSource();
      const onAbort = () => cts.cancel();
      if (signal?.aborted) cts.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
      return runtime.request(method, params, { token: cts.token }).finally(() => {
        signal?.removeEventListener('abort', onAbort);
        cts.dispose();
      });
    },
    resolveImageModel: async (nameOrPath) => registry.resolve('image', nameOrPath).dir,
    extensionUri,
    log,
    probes,
  };
  return vscode.Disposable.from(registerImageGallery(deps), registerInsertImage(deps), registerRegenerateImage(deps));
}
