import * as vscode from 'vscode';
import type { Logger } from '../../util/logger';
import type { Views } from '../../util/views';
import type { ModelRegistry } from '../../services/modelRegistryService';
import type { ModelRuntime } from '../../services/modelRuntime';
import type { SiteService } from '../../services/siteService';
import { ImageFeatureDeps, registerImageGallery } from './imageGallery';
import { insertImage, registerInsertImage, type InsertedImage, type InsertImageArgs } from './insertImage';
import { regenerateImage } from './regenerateImage';

/** "Insert Generated Image" and "Regenerate from This Image". */
export interface ImageFeatures extends vscode.Disposable {
  insert(args?: InsertImageArgs): Promise<InsertedImage | undefined>;
  /** `first`: options, or the PNG clicked in the Explorer (`all`: the Explorer's selection). */
  regenerate(first?: unknown, all?: unknown): Promise<InsertedImage | undefined>;
}

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
): ImageFeatures {
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
  const disposable = vscode.Disposable.from(registerImageGallery(), registerInsertImage(deps));
  return {
    insert: (args) => insertImage(deps, args),
    regenerate: (first, all) => regenerateImage(deps, first, all),
    dispose: () => disposable.dispose(),
  };
}
