import * as vscode from 'vscode';
import { charLength, postBody } from '../../core/suggest/plainText';
import { MAX_REWRITE_CHARS, rewritePrompt, summaryPrompt, type RewriteStyle } from '../../core/suggest/prompts';
import {
  rewriteAnswer,
  selectionProblem,
  summaryAnswer,
  summaryOffset,
  tldrParagraph,
  type SummaryPlace,
} from '../../core/suggest/rewrite';
import { TextBackendError, type ChatBackendRequest, type TextBackendResult } from '../../generation/textBackend';
import { buildChatParams } from '../../generation/textRequest';
import { readGenerationSettings } from '../../util/config';
import type { Logger } from '../../util/logger';
import type { Views } from '../../util/views';
import { ProposalDiffs, type Proposal, type ProposalEnd } from './proposal';
import type { ChatSource } from './suggestModel';

/** Arguments that skip Rewrite Selection's questions (keybindings, tests). */
export interface RewriteArgs {
  style?: RewriteStyle;
  /** The writer's own instruction (style `instruction`). */
  instruction?: string;
}

/** Arguments that skip Summarize's question. */
export interface SummarizeArgs {
  place?: SummaryPlace;
}

/**
 * What a run came to: its proposal is in the diff (`ready`) or ended, or the command stopped
 * before asking the model (`refused`: it said why; `dismissed`: the writer closed a question).
 */
export type WritingOutcome = 'ready' | ProposalEnd | 'refused' | 'dismissed';

interface StylePick extends vscode.QuickPickItem {
  style: RewriteStyle;
}

const STYLES: readonly StylePick[] = [
  { label: 'Shorter', detail: 'Every point kept, the filler dropped', style: 'shorter' },
  { label: 'Clearer', detail: 'Easier to follow, the same meaning', style: 'clearer' },
  { label: 'Friendlier', detail: 'A warmer tone, the same meaning', style: 'friendlier' },
  { label: 'Fix grammar', detail: 'Spelling, grammar and punctuation only', style: 'grammar' },
  { label: 'Your own instruction…', detail: 'Say how to rewrite it', style: 'instruction' },
];

interface PlacePick extends vscode.QuickPickItem {
  place: SummaryPlace;
}

const PLACES: readonly PlacePick[] = [
  { label: 'At the top', detail: 'After the frontmatter and the opening heading', place: 'top' },
  { label: 'After the paragraph at the cursor', place: 'cursor' },
  { label: 'At the end', place: 'end' },
];

/** Tokens a summary may take: two or three sentences, with room to spare. */
const SUMMARY_TOKENS = 200;

/**
 * Rewrite Selection… and Summarize…: the chat model's answer streams into a diff of the post
 * before and after (src/features/text/proposal.ts); the post changes only on Accept, as one undo
 * step. Without a chat model they say which to get. Like the suggestions they also run in
 * untrusted workspaces (the chat model is a setting such a workspace cannot set).
 */
export function registerWritingHelp(source: ChatSource, log: Logger, views: Views): WritingHelp {
  const diffs = new ProposalDiffs(log, views);
  const help = { source, log, views, diffs };
  return {
    proposals: diffs,
    rewriteSelection: (args) => rewriteSelection(help, args ?? {}),
    summarize: (args) => summarize(help, args ?? {}),
    dispose: () => diffs.dispose(),
  };
}

/** Rewrite Selection…, Summarize…, and the diffs of their proposals (Accept, Reject). */
export interface WritingHelp extends vscode.Disposable {
  readonly proposals: ProposalDiffs;
  rewriteSelection(args?: RewriteArgs): Promise<WritingOutcome>;
  summarize(args?: SummarizeArgs): Promise<WritingOutcome>;
}

interface HelpContext {
  source: ChatSource;
  log: Logger;
  views: Views;
  diffs: ProposalDiffs;
}

async function rewriteSelection(help: HelpContext, args: RewriteArgs): Promise<WritingOutcome> {
  const name = 'Rewrite Selection';
  const { views } = help;
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId !== 'markdown') {
    void views.showMessage('info', `${name}: select text in a Markdown post first.`);
    return 'refused';
  }
  const doc = editor.document;
  const start = doc.offsetAt(editor.selection.start);
  const end = doc.offsetAt(editor.selection.end);
  const problem = selectionProblem(doc.getText(), start, end);
  if (problem) {
    void views.showMessage('info', `${name}: ${SELECTION_PROBLEMS[problem](charLength(doc.getText(editor.selection)))}`);
    return 'refused';
  }
  const model = help.source.chatModel();
  if (!model) return needModel(name, views);
  const style =
    args.style ?? (await views.showQuickPick(STYLES, { title: name, placeHolder: 'How should the selection be rewritten?' }))?.style;
  if (!style) return 'dismissed';
  const instruction =
    style === 'instruction'
      ? (args.instruction ??
        (await vscode.window.showInputBox({
          title: name,
          prompt: 'How should the selection be rewritten?',
          placeHolder: 'e.g. in the present tense; as a bulleted list; for readers new to the topic',
          validateInput: (v) => (v.trim() ? undefined : 'Say how to rewrite it.'),
        })))
      : undefined;
  if (style === 'instruction' && !instruction?.trim()) return 'dismissed';
  const selected = doc.getText().slice(start, end);
  const label = STYLES.find((s) => s.style === style)?.label.replace('…', '') ?? style;
  return propose(help, {
    name,
    model,
    target: { doc, start, end, title: `${fileName(doc)}: ${style === 'instruction' ? 'Rewrite' : label} by ${model}` },
    progressTitle: `Rewriting with ${model}…`,
    // A rewrite repeats most of the selection: drafts copied from it pay (inkwell.runtime.speculativeDecoding "rewrites").
    request: { ...chatRequest(doc, rewritePrompt(selected.trim(), style, instruction), rewriteTokens(selected)), repeatsInput: true },
    format: (answer) => rewriteAnswer(answer, selected),
  });
}

const SELECTION_PROBLEMS: Readonly<Record<NonNullable<ReturnType<typeof selectionProblem>>, (chars: number) => string>> = {
  empty: () => 'select the text to rewrite first.',
  frontmatter: () =>
    "the selection reaches into the frontmatter. Select text in the post's body (Suggest Title, Description and Tags edit the frontmatter).",
  'too-long': (chars) =>
    `the selection is ${chars.toLocaleString('en')} characters; a rewrite takes at most ${MAX_REWRITE_CHARS.toLocaleString('en')}. Select a few paragraphs at a time.`,
};

async function summarize(help: HelpContext, args: SummarizeArgs): Promise<WritingOutcome> {
  const name = 'Summarize';
  const { views } = help;
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId !== 'markdown') {
    void views.showMessage('info', `${name}: open a Markdown post first.`);
    return 'refused';
  }
  const doc = editor.document;
  const text = doc.getText();
  const body = postBody(text);
  if (!body.trim()) {
    void views.showMessage('info', `${name}: ${vscode.workspace.asRelativePath(doc.uri, false)} has no body to summarize.`);
    return 'refused';
  }
  const model = help.source.chatModel();
  if (!model) return needModel(name, views);
  const place = args.place ?? (await views.showQuickPick(PLACES, { title: name, placeHolder: 'Where should the TL;DR go?' }))?.place;
  if (!place) return 'dismissed';
  const cursor = doc.offsetAt(editor.selection.active);
  const prompt = summaryPrompt(body);
  const at = summaryOffset(text, place, cursor);
  return propose(help, {
    name,
    model,
    target: { doc, start: at, end: at, title: `${fileName(doc)}: TL;DR by ${model}` },
    progressTitle: `Summarizing with ${model}…`,
    request: { ...chatRequest(doc, prompt.messages, SUMMARY_TOKENS), cuttable: prompt.cuttable },
    format: (answer) => tldrParagraph(text, at, summaryAnswer(answer)),
    note: (result) => {
      // Cut to the prompt's share, then (a small context) by the model runtime.
      const cut = result.promptCharsCut ?? 0;
      const left = prompt.omittedChars + cut;
      return left > 0
        ? ` ${model} read the first ${(prompt.postChars - cut).toLocaleString('en')} characters of the post; the last ${left.toLocaleString('en')} were left out.`
        : '';
    },
  });
}

interface ProposalRun {
  name: string;
  model: string;
  target: Proposal['target'];
  progressTitle: string;
  request: ChatBackendRequest;
  /** The text that replaces the target, from the answer so far. */
  format(answer: string): string;
  /** Said with the result (what of the post the model did not read). */
  note?(result: TextBackendResult): string;
}

/**
 * Opens the diff, streams the model's answer into it in a cancellable notification, and offers
 * Accept and Reject once it is whole. A cancel (the notification's, Reject, closing the diff), a
 * failure or an empty answer closes the diff with the post untouched, and says so.
 */
async function propose(help: HelpContext, run: ProposalRun): Promise<WritingOutcome> {
  const { diffs, views, log } = help;
  const post = vscode.workspace.asRelativePath(run.target.doc.uri, false);
  const p = await diffs.open(run.target);
  let answer = '';
  const result = await views.withProgress(
    { location: vscode.ProgressLocation.Notification, title: run.progressTitle, cancellable: true },
    async (progress, token): Promise<TextBackendResult | TextBackendError> => {
      const cancel = token.onCancellationRequested(() => void diffs.reject(p));
      try {
        return await help.source.chat(run.request, {
          signal: p.controller.signal,
          onChunk: (chunk) => {
            answer += chunk.text;
            diffs.update(p, run.format(answer));
            if (chunk.generatedTokens % 8 === 0) progress.report({ message: `${chunk.generatedTokens} tokens` });
          },
        });
      } catch (err) {
        return TextBackendError.from(err);
      } finally {
        cancel.dispose();
      }
    },
  );
  if (p.endedAs) {
    log.info(`${run.name} cancelled after ${charLength(answer)} characters of ${run.model}'s answer.`);
    void views.showMessage('info', `${run.name} cancelled; ${post} is unchanged.`);
    return p.endedAs;
  }
  if (result instanceof TextBackendError) {
    await diffs.fail(p);
    log.warn(`${run.name}: ${run.model} failed: ${result.message}`);
    void views.showMessage('warning', `${run.name}: ${run.model} could not answer (${result.message}). ${post} is unchanged.`);
    return 'failed';
  }
  const text = run.format(result.text);
  const replaced = p.original.slice(run.target.start, run.target.end);
  if (!result.text.trim() || text === replaced) {
    await diffs.fail(p);
    void views.showMessage(
      'info',
      `${run.name}: ${run.model} ${result.text.trim() ? 'proposed no change' : 'gave no text'}; ${post} is unchanged.`,
    );
    return 'failed';
  }
  await diffs.ready(p, text);
  if (p.endedAs) return p.endedAs;
  const cut =
    result.stopReason === 'max-tokens' || result.stopReason === 'context-full'
      ? ` It stopped at ${result.stopReason === 'max-tokens' ? `the ${run.request.maxTokens}-token limit` : "the end of the model's context"}, so its end may be missing.`
      : '';
  const drafts = result.draft ? `; speculative decoding kept ${result.draft.accepted} of ${result.draft.proposed} drafted tokens` : '';
  log.info(
    `${run.name}: ${run.model} proposed ${charLength(text)} characters (${result.tokenCount} tokens, ${result.stopReason}${drafts}).`,
  );
  void views
    .showMessage(
      'info',
      `${run.name}: ${run.model}'s proposal is in the diff.${cut}${run.note?.(result) ?? ''} Accept it to change ${post}, or reject it.`,
      'Accept',
      'Reject',
    )
    .then((choice) => {
      if (choice === 'Accept') void diffs.accept(p);
      if (choice === 'Reject') void diffs.reject(p);
    });
  return 'ready';
}

/** A chat request with the writer's sampling settings (a model's own defaults win where the writer set none). */
function chatRequest(doc: vscode.TextDocument, messages: ChatBackendRequest['messages'], maxTokens: number): ChatBackendRequest {
  return { ...buildChatParams(readGenerationSettings(doc.uri), { maxTokens }), messages };
}

/** Room for a rewrite as long as the selection and some more (a token is three or four characters of prose). */
function rewriteTokens(selected: string): number {
  return Math.min(2048, Math.ceil(charLength(selected) / 2) + 64);
}

/** Says that the command needs an instruct model, and offers to get one. */
function needModel(name: string, views: Views): WritingOutcome {
  void views
    .showMessage(
      'info',
      `${name} needs an instruct model (one with a chat template), and inkwell.models.chat names none. ` +
        'Download Model… offers small ones (SmolLM2-360M-Instruct, Qwen2.5-0.5B-Instruct); then set inkwell.models.chat to it.',
      'Download Model…',
      'Open Setting',
    )
    .then((choice) => {
      if (choice === 'Download Model…') void vscode.commands.executeCommand('inkwell.downloadModel');
      if (choice === 'Open Setting') void vscode.commands.executeCommand('workbench.action.openSettings', 'inkwell.models.chat');
    });
  return 'refused';
}

function fileName(doc: vscode.TextDocument): string {
  return doc.uri.path.split('/').pop() ?? 'post';
}
