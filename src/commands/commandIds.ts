/**
 * Every command Inkwell registers, free of vscode so that tests and scripts can read it. The
 * command table (`commands/index.ts`) must have a handler for each, and for nothing else;
 * `test/unit/commands/commandIds.test.ts` checks them against package.json.
 */
export const COMMAND_IDS = [
  'inkwell.newPost',
  'inkwell.checkAllPosts',
  'inkwell.openPreview',
  'inkwell.openPreviewToSide',
  'inkwell.allowLinkedFolder',
  'inkwell.setApiKey',
  'inkwell.togglePreviewLock',
  'inkwell.previewTag',
  'inkwell.filterTags',
  'inkwell.clearTagFilter',
  'inkwell.generateContinuation',
  'inkwell.cancelGeneration',
  'inkwell.selectModel',
  'inkwell.checkModel',
  'inkwell.downloadModel',
  'inkwell.cancelDownload',
  'inkwell.restartRuntime',
  'inkwell.insertImage',
  'inkwell.regenerateImage',
  'inkwell.showLog',
  'inkwell.renameTag',
  'inkwell.mergeTags',
  'inkwell.suggestTitle',
  'inkwell.suggestDescription',
  'inkwell.suggestTags',
  'inkwell.rewriteSelection',
  'inkwell.summarize',
  'inkwell.acceptProposal',
  'inkwell.rejectProposal',
  'inkwell.chooseFrontmatterImage',
] as const;

/** The id of a command Inkwell registers. */
export type CommandId = (typeof COMMAND_IDS)[number];
