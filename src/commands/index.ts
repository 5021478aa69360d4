import * as vscode from 'vscode';
import type { ModelRegistry } from '../services/modelRegistryService';
import type { ModelRuntime } from '../services/modelRuntime';
import type { PostValidation } from '../services/postValidation';
import type { TextBackendService } from '../services/textBackendService';
import type { Logger } from '../util/logger';
import type { Views } from '../util/views';
import type { ImageFeatures } from '../features/images/imageGalleryFeatures';
import type { InsertImageArgs } from '../features/images/insertImage';
import type { DownloadModelArgs, ModelDownloads } from '../features/models/downloadModel';
import { checkModel, selectModel, type ModelCommandDeps } from '../features/models/modelCommands';
import { setApiKey } from '../features/models/remoteServer';
import { checkAllPosts } from '../features/posts/checkAllPosts';
import { newPost, type NewPostArgs, type NewPostPrompts } from '../features/posts/newPost';
import type { TagRefactor } from '../features/posts/tagRefactor';
import type { PreviewFeatures } from '../features/preview/previewFeatures';
import type { ContinuationArgs } from '../features/text/continuation';
import type { RewriteArgs, SummarizeArgs, WritingHelp } from '../features/text/rewrite';
import { runSuggest } from '../features/text/suggest';
import type { TextGeneration } from '../features/text/textGeneration';
import { chooseImage } from '../languageFeatures/quickFixes';
import { COMMAND_IDS, type CommandId } from './commandIds';

/**
 * A handler for every command id and nothing else: TypeScript refuses a table with an id
 * missing or an id that is not in `COMMAND_IDS`. A handler takes the command's arguments as
 * VS Code passes them (from code, keybindings or menus) and its result is the command's result.
 */
export type CommandTable = { readonly [K in CommandId]: (...args: never[]) => unknown };

/** What the commands act on: the services, and the features that keep state between two commands. */
export interface CommandTargets {
  readonly log: Logger;
  readonly views: Views;
  readonly secrets: vscode.SecretStorage;
  readonly validation: PostValidation;
  readonly runtime: ModelRuntime;
  readonly registry: ModelRegistry;
  readonly text: TextBackendService;
  /** New Post's questions (input boxes and a quick pick, or the integration tests' answers). */
  readonly newPostPrompts: NewPostPrompts;
  readonly textGeneration: TextGeneration;
  readonly writingHelp: WritingHelp;
  readonly downloads: ModelDownloads;
  readonly images: ImageFeatures;
  readonly preview: PreviewFeatures;
  readonly tagRefactor: TagRefactor;
}

/** The command table: each command's handler lives in its feature module; this says which is which. */
export function commandTable(t: CommandTargets): CommandTable {
  const models: ModelCommandDeps = { runtime: t.runtime, registry: t.registry, log: t.log, views: t.views, text: t.text };
  const { continuation } = t.textGeneration;
  const { articles, tagTree, tagPages, linkedFolders } = t.preview;
  return {
    'inkwell.newPost': (args?: NewPostArgs) => newPost(t.validation, t.newPostPrompts, args),
    'inkwell.checkAllPosts': () => checkAllPosts(t.validation, t.views),
    'inkwell.openPreview': (arg?: unknown) => articles.open(arg, false),
    'inkwell.openPreviewToSide': (arg?: unknown) => articles.open(arg, true),
    'inkwell.allowLinkedFolder': (realFolder?: unknown) => linkedFolders.allow(realFolder),
    'inkwell.setApiKey': (value?: unknown) => setApiKey(t.secrets, t.log, value),
    'inkwell.togglePreviewLock': () => articles.toggleLock(),
    'inkwell.previewTag': (arg?: unknown) => tagPages.show(arg),
    'inkwell.filterTags': (arg?: unknown) => tagTree.filter(arg),
    'inkwell.clearTagFilter': () => tagTree.clearFilter(),
    'inkwell.generateContinuation': (args?: ContinuationArgs) => continuation.run(args ?? {}),
    'inkwell.cancelGeneration': () => continuation.cancel(),
    'inkwell.selectModel': (kind?: 'text' | 'image') => selectModel(models, kind),
    'inkwell.checkModel': (arg?: string | { model?: string; kind?: 'text' | 'image' }) => checkModel(models, arg),
    'inkwell.downloadModel': (args?: DownloadModelArgs) => t.downloads.download(args),
    'inkwell.cancelDownload': () => t.downloads.cancel(),
    'inkwell.restartRuntime': () => t.runtime.restart(),
    'inkwell.insertImage': (args?: InsertImageArgs) => t.images.insert(args),
    'inkwell.regenerateImage': (first?: unknown, all?: unknown) => t.images.regenerate(first, all),
    'inkwell.showLog': () => t.log.show(),
    'inkwell.renameTag': (arg?: unknown, newName?: unknown, options?: unknown) => t.tagRefactor.rename(arg, newName, options),
    'inkwell.mergeTags': (arg?: unknown, into?: unknown, more?: unknown, options?: unknown) =>
      t.tagRefactor.merge(arg, into, more, options),
    'inkwell.suggestTitle': (arg?: unknown) => runSuggest('title', t.validation, t.views, arg, t.text),
    'inkwell.suggestDescription': (arg?: unknown) => runSuggest('description', t.validation, t.views, arg, t.text),
    'inkwell.suggestTags': (arg?: unknown) => runSuggest('tags', t.validation, t.views, arg, t.text),
    'inkwell.rewriteSelection': (args?: RewriteArgs) => t.writingHelp.rewriteSelection(args),
    'inkwell.summarize': (args?: SummarizeArgs) => t.writingHelp.summarize(args),
    'inkwell.acceptProposal': () => t.writingHelp.proposals.accept(),
    'inkwell.rejectProposal': () => t.writingHelp.proposals.reject(),
    'inkwell.chooseFrontmatterImage': (uri: vscode.Uri) => chooseImage(t.validation, uri),
  };
}

/** Registers every command of Inkwell, the one place that does. */
export function registerCommands(targets: CommandTargets): vscode.Disposable {
  const table = commandTable(targets);
  return vscode.Disposable.from(...COMMAND_IDS.map((id) => vscode.commands.registerCommand(id, table[id])));
}
