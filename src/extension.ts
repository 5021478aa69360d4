import * as vscode from 'vscode';
import { InkwellApi, ProbeRegistry } from './api';
import { registerDownloadModel } from './features/downloadModel';
import { registerImageFeatures } from './features/imageGalleryFeatures';
import { PostIndexService } from './features/postIndex';
import { SiteService } from './features/siteGenerator';
import { registerSiteStatus } from './features/siteStatus';
import { registerTagRefactor } from './features/tagRefactor';
import { registerPosts } from './features/posts';
import { createMarkdownItExtender, registerPreviewFeatures } from './features/previewFeatures';
import { ModelRegistry } from './features/modelRegistry';
import { ModelRuntime } from './features/modelRuntime';
import { registerTextGeneration } from './features/textGeneration';
import { Logger } from './util/logger';

/**
 * Composition root: builds the services and registers every feature. Nothing
 * slow happens here; heavy things (markdown-it, the model runtime, ONNX
 * sessions) load on first use.
 */
export function activate(context: vscode.ExtensionContext): InkwellApi {
  const started = performance.now();
  const log = new Logger();
  const probes = new ProbeRegistry(context.extensionMode === vscode.ExtensionMode.Test);
  // The model runtime process starts on the first request, not here.
  // Download Model puts models here unless the user configured a models folder.
  const downloadsDir = vscode.Uri.joinPath(context.globalStorageUri, 'models').fsPath;
  const models = new ModelRegistry(context.extensionPath, downloadsDir);
  const runtime = new ModelRuntime(context.extensionPath, log, probes);
  // The post index scans the workspace after activation returns (registerPosts schedules it).
  // The site generator of each folder (detected on first use) gives the index its post globs.
  const site = new SiteService(log);
  const postIndex = new PostIndexService(log, site);
  context.subscriptions.push(
    site,
    postIndex,
    registerTagRefactor(postIndex),
    registerSiteStatus(postIndex),
    registerPosts(postIndex, log, probes),
    registerPreviewFeatures(context.extensionUri, postIndex, log, probes),
    models,
    runtime,
    registerTextGeneration(runtime, models, log, probes),
    registerImageFeatures(runtime, models, context.extensionUri, log, probes),
    registerDownloadModel(models, downloadsDir, log, probes),
    log,
    vscode.commands.registerCommand('inkwell.showLog', () => log.show()),
  );

  const activationMs = performance.now() - started;
  log.info(`Inkwell activated in ${activationMs.toFixed(1)} ms`);
  return {
    extendMarkdownIt: createMarkdownItExtender(),
    testing: {
      activationMs,
      probe: <T>(name: string) => probes.read<T>(name),
    },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
