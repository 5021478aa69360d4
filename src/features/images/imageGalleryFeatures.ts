import * as vscode from 'vscode';
import type { Logger } from '../../util/logger';
import type { Views } from '../../util/views';
import type { ModelRegistry } from '../../services/modelRegistryService';
import type { ModelRuntime } from '../../services/modelRuntime';
import type { SiteService } from '../../services/siteService';
import { ImageFeatureDeps, registerImageGallery } from './imageGallery';
import { registerInsertImage } from './insertImage';
import { registerRegenerateImage } from './regenerateImage';

/**
 * Registers the generated-image features (gallery, "Insert Generated Image",
 * "Regenerate from This Image") on the shared model runtime and registry.
 */
export function registerImageFeatures(
  runtime: ModelRuntime,
  registry: ModelRegistry,
  extensionUri: vscode.Uri,
  log: Logger,
  views: Views,
  site?: SiteService,
): vscode.Disposable {
  const deps: ImageFeatureDeps = {
    request: (method, params, signal) => runtime.request(method, params, { signal }),
    resolveImageModel: async (nameOrPath) => registry.resolve('image', nameOrPath).dir,
    extensionUri,
    log,
    views,
    siteOf: async (uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      if (!folder || !site) return undefined;
      const s = await site.site(folder);
      return { generator: s.info, staticFolders: s.staticFolders };
    },
  };
  return vscode.Disposable.from(registerImageGallery(), registerInsertImage(deps), registerRegenerateImage(deps));
}
