import * as vscode from 'vscode';
import { readingStats } from '../core/posts/readingTime';
import { updatedDateEdit } from '../core/site/updatedDate';
import { DisposableStore } from '../util/dispose';
import type { Views } from '../util/views';
import type { PostIndexService } from '../services/postIndexService';
import { readConfig } from '../util/config';

/**
 * The post's reading time and word count in the status bar, with the site
 * generator in its tooltip; and, with `inkwell.posts.updateDateOnSave`, the
 * generator's "last updated" field set when a post is saved.
 */
export function registerSiteStatus(posts: PostIndexService, views: Views): vscode.Disposable {
  const store = new DisposableStore();
  const item = store.add(views.createStatusBarItem('inkwell.readingTime', vscode.StatusBarAlignment.Right, 101));
  item.name = 'Inkwell Reading Time';
  let timer: NodeJS.Timeout | undefined;
  store.add({ dispose: () => clearTimeout(timer) });

  const render = () => {
    const editor = vscode.window.activeTextEditor;
    const doc = editor?.document;
    if (!doc || doc.languageId !== 'markdown' || !posts.isPost(doc.uri)) {
      item.hide();
      return;
    }
    const { words, minutes } = readingStats(doc.getText());
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
    const site = folder ? posts.site?.describe(folder) : undefined;
    // The generator in the text itself, not only the tooltip: its conventions decide what is checked.
    const generator = folder ? posts.site?.cached(folder)?.info?.name : undefined;
    item.text =
      `$(book) ${minutes} min · ${words.toLocaleString(vscode.env.language)} word${words === 1 ? '' : 's'}` +
      (generator ? ` · ${generator}` : '');
    const tip = new vscode.MarkdownString();
    tip.appendText(`${words} words, about ${minutes} minute${minutes === 1 ? '' : 's'} to read`);
    if (site) tip.appendMarkdown('\n\n').appendText(`Site generator: ${site}`);
    item.tooltip = tip;
    item.show();
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(render, 300);
  };
  store.add(vscode.window.onDidChangeActiveTextEditor(render));
  store.add(
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === vscode.window.activeTextEditor?.document) later();
    }),
  );
  if (posts.site) store.add(posts.site.onDidChange(later));
  void posts.site?.ready().then(render, () => undefined);
  render();

  store.add(
    vscode.workspace.onWillSaveTextDocument((e) => {
      const doc = e.document;
      if (e.reason !== vscode.TextDocumentSaveReason.Manual || !doc.isDirty || !posts.isPost(doc.uri)) return;
      if (!readConfig('posts', doc.uri).updateDateOnSave) return;
      const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
      const site = folder ? posts.site?.cached(folder) : undefined;
      const field = site?.info ? site.info.updatedField : 'lastmod';
      if (!field) return;
      const edit = updatedDateEdit(doc.getText(), field, new Date());
      if (!edit) return;
      e.waitUntil(
        Promise.resolve([vscode.TextEdit.replace(new vscode.Range(doc.positionAt(edit.start), doc.positionAt(edit.end)), edit.newText)]),
      );
    }),
  );
  return store;
}
