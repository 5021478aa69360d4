import * as path from 'path';
import * as vscode from 'vscode';
import type { InkwellApi } from './api';
import { registerCommands } from './commands';
import { registerImageFeatures } from './features/images/imageGalleryFeatures';
import { createModelDownloads } from './features/models/downloadModel';
import { windowPrompts } from './features/posts/newPost';
import { registerPosts } from './features/posts/posts';
import { createTagRefactor } from './features/posts/tagRefactor';
import { createMarkdownItExtender, registerPreviewFeatures } from './features/preview/previewFeatures';
import { registerModelPreload } from './features/text/modelPreload';
import { registerWritingHelp } from './features/text/rewrite';
import { registerTextGeneration } from './features/text/textGeneration';
import { registerLanguageFeatures } from './languageFeatures';
import { ModelRegistry } from './services/modelRegistryService';
import { ModelRuntime } from './services/modelRuntime';
import { PostIndexService } from './services/postIndexService';
import { PostValidation } from './services/postValidation';
import { SiteService } from './services/siteService';
import { TextBackendService } from './services/textBackendService';
import type { TestSupport } from './testSupport';
import { Logger } from './util/logger';
import { windowViews } from './util/views';
import { registerSiteStatus } from './views/siteStatus';

/**
 * Composition root: builds the services and registers every feature. Nothing
 * slow happens here; heavy things (markdown-it, the model runtime, ONNX
 * sessions) load on first use.
 */
export function activate(context: vscode.ExtensionContext): InkwellApi {
  const started = performance.now();
  // Only under the integration tests: watches what the views show (api.testing).
  const testSupport = context.extensionMode === vscode.ExtensionMode.Test ? loadTestSupport() : undefined;
  const views = testSupport?.views ?? windowViews;
  const log = new Logger(views);
  // The model runtime process starts on the first request, not here.
  // Download Model puts models here unless the user configured a models folder.
  const downloadsDir = vscode.Uri.joinPath(context.globalStorageUri, 'models').fsPath;
  const models = new ModelRegistry(context.extensionPath, downloadsDir);
  const runtime = new ModelRuntime(context.extensionPath, log, context.globalStorageUri.fsPath);
  const text = new TextBackendService(runtime.textBackend(models), context.secrets, log);
  // The post index scans the workspace after activation returns (registerPosts schedules it).
  // The site generator of each folder (detected on first use) gives the index its post globs.
  const site = new SiteService(log);
  const postIndex = new PostIndexService(log, site);
  const validation = new PostValidation(postIndex, log);
  testSupport?.watchValidation(validation);
  const textGeneration = registerTextGeneration(text, models, log, views);
  const writingHelp = registerWritingHelp(text, log, views);
  const preview = registerPreviewFeatures(context.extensionUri, postIndex, log, views, context.workspaceState);
  const images = registerImageFeatures(runtime, models, context.extensionUri, log, views, site);
  context.subscriptions.push(
    site,
    postIndex,
    registerSiteStatus(postIndex, views),
    validation,
    registerPosts(postIndex),
    registerLanguageFeatures(validation, { backend: text, generating: () => textGeneration.continuation.isRunning, log }),
    writingHelp,
    preview,
    models,
    runtime,
    // The text features' backend: the local runtime, or a server when inkwell.text.provider says so.
    text,
    textGeneration,
    registerModelPreload(text, postIndex, log),
    images,
    // Every command, in one table (src/commands): the features above give it what it calls.
    registerCommands({
      log,
      views,
      secrets: context.secrets,
      validation,
      runtime,
      registry: models,
      text,
      newPostPrompts: testSupport?.newPostPrompts ?? windowPrompts,
      textGeneration,
      writingHelp,
      downloads: createModelDownloads(models, downloadsDir, log, views),
      images,
      preview,
      tagRefactor: createTagRefactor(postIndex, log, views),
    }),
    log,
  );
  if (testSupport) context.subscriptions.push(testSupport);

  const activationMs = performance.now() - started;
  log.info(`Inkwell activated in ${activationMs.toFixed(1)} ms`);
  const api: InkwellApi = { extendMarkdownIt: createMarkdownItExtender() };
  return testSupport ? { ...api, testing: testSupport.api(activationMs) } : api;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

/**
 * The test-mode helpers live in a bundle of their own (dist/testSupport.js, built beside this one),
 * so the product bundle does not carry them and the package leaves them out. The path is computed
 * so that the bundler does not pull the file in.
 */
function loadTestSupport(): TestSupport {
  const file = path.join(__dirname, 'testSupport.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(file) as typeof import('./testSupport');
  return new loaded.TestSupport();
}
