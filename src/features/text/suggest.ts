import * as vscode from 'vscode';
import type { TextEdit } from '../../core/frontmatter/fixes';
import { setStringFieldEdit } from '../../core/frontmatter/setField';
import { charLength, postBody } from '../../core/suggest/plainText';
import { workspaceTaxonomy } from '../../core/suggest/modelProvider';
import { withModelCandidates } from '../../core/suggest/prompts';
import { descriptionBounds, summarySettings } from '../../core/suggest/siteSettings';
import { suggest, SuggestContext } from '../../core/suggest/suggest';
import { MAX_BODY_CHARS, WorkspacePost } from '../../core/suggest/tags';
import { Suggestion, SuggestionKind, Suggestions, SuggestionSource } from '../../core/suggest/types';
import { addTagsEdits } from '../../core/tags/addTags';
import type { PostIndexService } from '../../services/postIndexService';
import type { PostValidation } from '../../services/postValidation';
import { mapLimit } from '../../util/mapLimit';
import type { Views } from '../../util/views';
import { askModel, type ChatSource, type ModelAnswer } from './suggestModel';

/** Each command's name, as its quick pick and messages say it. */
const NAMES: Readonly<Record<SuggestionKind, string>> = {
  title: 'Suggest Title',
  description: 'Suggest Description',
  tags: 'Suggest Tags',
};

/** Where a candidate comes from, in words. */
const SOURCES: Readonly<Record<SuggestionSource, string>> = {
  'hugo-summary': "Hugo's summary",
  'jekyll-excerpt': "Jekyll's excerpt",
  'first-paragraph': 'first paragraph',
  'first-heading': 'first heading',
  'first-sentence': 'first sentence',
  'file-name': 'file name',
  'workspace-tags': 'tags of similar posts',
  model: 'model',
};

/** Posts read for Suggest Tags before the reading shows as a (cancellable) notification. */
const MANY_POSTS = 200;
/** Files read at once for Suggest Tags. */
const READ_CONCURRENCY = 16;

/**
 * Suggest Title…, Suggest Description… and Suggest Tags…: candidates from the
 * post itself and the tags of the workspace's posts (src/core/suggest), after
 * those of the chat model for titles and descriptions when one is configured
 * (src/features/text/suggestModel.ts), picked in a quick pick and written into the
 * frontmatter as one edit (one Undo). They also run in untrusted workspaces:
 * they only read the workspace and edit the open document, and write no file
 * (the chat model setting is one an untrusted workspace cannot set).
 */
export async function runSuggest(
  kind: SuggestionKind,
  validation: PostValidation,
  views: Views,
  arg: unknown,
  chat?: ChatSource,
): Promise<void> {
  const name = NAMES[kind];
  const doc = await postDocument(arg);
  if (!doc) {
    void views.showMessage('info', `${name}: open a Markdown post first.`);
    return;
  }
  const post = vscode.workspace.asRelativePath(doc.uri, false);
  if (!postBody(doc.getText()).trim()) {
    void views.showMessage('info', `${name}: ${post} has no body to suggest from.`);
    return;
  }
  const context = await suggestContext(kind, doc, validation, views);
  if (!context) return; // reading the posts was cancelled
  const taxonomy = kind === 'tags' ? workspaceTaxonomy({ text: doc.getText(), path: doc.uri.path }, context) : undefined;
  const answer = chat ? await askModel(kind, doc, { bounds: context.descriptionBounds, taxonomy }, chat, views, name) : undefined;
  const result = withAnswer(kind, await suggest(kind, { text: doc.getText(), path: doc.uri.path }, context), answer);
  if (!result.candidates.length) {
    void views.showMessage('info', `${name}: nothing to suggest for ${post}. ${result.note ?? ''}`.trim());
    return;
  }
  const options = { title: name, placeHolder: placeholder(kind, answer) };
  const chosen =
    kind === 'tags'
      ? (await views.showQuickPickMany(result.candidates.map(tagItem), options))?.map((i) => i.label)
      : [(await views.showQuickPick(result.candidates.map(textItem), options))?.label].filter((l) => l !== undefined);
  if (chosen?.length) await write(kind, doc, chosen, views);
}

const PLACEHOLDERS: Readonly<Record<SuggestionKind, string>> = {
  title: 'The title to write into the frontmatter',
  description: 'The description to write into the frontmatter',
  tags: 'The tags to add to the frontmatter',
};

/** The model's candidates before the others (its failure left none: the others alone). */
function withAnswer(kind: SuggestionKind, result: Suggestions, answer: ModelAnswer | undefined): Suggestions {
  return answer ? { ...result, candidates: withModelCandidates(answer.candidates, result.candidates, kind) } : result;
}

/** The pick's placeholder; it says when the model read only the beginning of a long post, or offered nothing that fits. */
function placeholder(kind: SuggestionKind, answer: ModelAnswer | undefined): string {
  if (answer && !answer.failed && !answer.candidates.length) {
    const fits = kind === 'description' ? ' within the description length' : kind === 'tags' ? " among the blog's tags" : '';
    return `${PLACEHOLDERS[kind]} (${answer.model} suggested none${fits}; these come from the post)`;
  }
  if (!answer?.candidates.length || answer.omittedChars <= 0) return PLACEHOLDERS[kind];
  return `${PLACEHOLDERS[kind]} (${answer.model} read the beginning of the post; the last ${answer.omittedChars.toLocaleString('en')} characters were left out)`;
}

/** The document a command runs on: the one its argument names (a menu or a quick fix), else the active editor's. */
async function postDocument(arg: unknown): Promise<vscode.TextDocument | undefined> {
  const doc = arg instanceof vscode.Uri ? await vscode.workspace.openTextDocument(arg) : vscode.window.activeTextEditor?.document;
  return doc?.languageId === 'markdown' ? doc : undefined;
}

/** A title or description candidate: its text, with its length and where it comes from. */
function textItem(c: Suggestion): vscode.QuickPickItem {
  const length = charLength(c.text);
  const source = c.source === 'model' ? (c.model ?? SOURCES.model) : SOURCES[c.source];
  return { label: c.text, description: `${length} character${length === 1 ? '' : 's'} · ${source}` };
}

/** A tag candidate: how close the post is to the posts carrying it, and the words they share. */
function tagItem(c: Suggestion): vscode.QuickPickItem {
  if (c.source === 'model') return { label: c.text, description: `chosen by ${c.model ?? SOURCES.model} among the blog's tags` };
  const score = c.score ?? 0;
  const strength = score >= 0.1 ? 'strong match' : score >= 0.04 ? 'fair match' : 'weak match';
  return {
    label: c.text,
    description: `${strength} (score ${score.toFixed(2)}) · ${SOURCES[c.source]}`,
    detail: c.words?.length ? `shares: ${c.words.join(', ')}` : undefined,
  };
}

/** What the core reads besides the post: the site generator's summary settings, description bounds, the workspace's posts. */
async function suggestContext(
  kind: SuggestionKind,
  doc: vscode.TextDocument,
  validation: PostValidation,
  views: Views,
): Promise<SuggestContext | undefined> {
  const sites = validation.posts.site;
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  if (kind === 'tags') {
    const workspace = await workspacePosts(doc, validation.posts, views);
    return workspace && { workspace: () => workspace };
  }
  if (kind === 'title' || !folder || !sites) return {};
  const site = await sites.site(folder).catch(() => undefined);
  return {
    site: summarySettings(await sites.listing(folder.uri), site?.info?.id),
    descriptionBounds: descriptionBounds(await validation.customSchemaJson(doc.uri)),
  };
}

/**
 * The other posts of the post's workspace folder, from the post index, with
 * their text read asynchronously; in a cancellable notification when there
 * are many. Undefined when cancelled.
 */
async function workspacePosts(doc: vscode.TextDocument, posts: PostIndexService, views: Views): Promise<WorkspacePost[] | undefined> {
  await posts.ready();
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.toString();
  const uris = posts.index
    .all()
    .map((p) => posts.uriOf(p))
    .filter((u) => u.toString() !== doc.uri.toString() && vscode.workspace.getWorkspaceFolder(u)?.uri.toString() === folder);
  if (uris.length < MANY_POSTS) return readPosts(uris, posts);
  return views.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Suggest Tags: reading the posts', cancellable: true },
    (progress, token) => readPosts(uris, posts, token, progress),
  );
}

async function readPosts(
  uris: readonly vscode.Uri[],
  posts: PostIndexService,
  token?: vscode.CancellationToken,
  progress?: vscode.Progress<{ message?: string; increment?: number }>,
): Promise<WorkspacePost[] | undefined> {
  let read = 0;
  const all = await mapLimit(uris, READ_CONCURRENCY, async (uri): Promise<WorkspacePost | undefined> => {
    if (token?.isCancellationRequested) return undefined;
    const text = await posts.textOf(uri);
    if (++read % 100 === 0) progress?.report({ message: `${read} of ${uris.length} posts`, increment: (100 * 100) / uris.length });
    // The ranking reads the first MAX_BODY_CHARS of each body: only those are kept.
    return text === undefined
      ? undefined
      : { id: uri.path, tags: posts.get(uri)?.tags ?? [], body: postBody(text).slice(0, MAX_BODY_CHARS) };
  });
  return token?.isCancellationRequested ? undefined : all.filter((p) => p !== undefined);
}

/** Writes the chosen title, description or tags into the post's frontmatter, as one edit. */
async function write(kind: SuggestionKind, doc: vscode.TextDocument, chosen: readonly string[], views: Views): Promise<void> {
  const text = doc.getText();
  let edits: TextEdit[] | undefined;
  if (kind === 'tags') edits = addTagsEdits(text, chosen)?.edits;
  else edits = [setStringFieldEdit(text, kind, chosen[0])].filter((e) => e !== undefined);
  const post = vscode.workspace.asRelativePath(doc.uri, false);
  if (!edits?.length) {
    if (!edits || kind !== 'tags')
      void views.showMessage('warning', `${NAMES[kind]}: the frontmatter of ${post} does not parse; fix it first.`);
    return;
  }
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
  if (!(await vscode.workspace.applyEdit(edit))) void views.showMessage('warning', `${NAMES[kind]}: ${post} could not be changed.`);
}
