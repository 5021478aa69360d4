import * as vscode from 'vscode';
import type { ArticleRenderer } from '../../core/render/engine';
import { ArticlePreview } from '../../preview/articlePreview';
import type { PreviewPersistedState } from '../../preview/previewMessages';
import { previewWebviewOptions } from '../../preview/resources';
import { setContext } from '../../util/contextKeys';
import { DisposableStore } from '../../util/dispose';
import type { Logger } from '../../util/logger';
import type { Views } from '../../util/views';

/** What the article preview feature needs. */
export interface ArticlePreviewFeatureDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: Logger;
  readonly views: Views;
  /** The lazily loaded renderer (shared with tag pages). */
  readonly renderer: () => Promise<ArticleRenderer>;
  /** Whether a file is a blog post (per `inkwell.posts.include`/`exclude`): the preview follows only posts. */
  readonly isPost: (uri: vscode.Uri) => boolean;
}

/** The article preview's commands. */
export interface ArticlePreviews extends vscode.Disposable {
  /** "Open Article Preview" (`toSide`: "… to the Side") of `arg`, a post's URI, else the active editor's. */
  open(arg: unknown, toSide: boolean): Promise<void>;
  /** "Toggle Article Preview Lock". */
  toggleLock(): void;
}

/**
 * "Open Article Preview" (in place or to the side), the preview lock, following
 * the active post, and restoring the panel after a window reload.
 */
export function registerArticlePreview(deps: ArticlePreviewFeatureDeps): ArticlePreviews {
  const store = new DisposableStore();
  let preview: ArticlePreview | undefined;

  const adopt = (panel: vscode.WebviewPanel, uri: vscode.Uri, options: { locked?: boolean; line?: number }) => {
    preview?.dispose();
    const created = new ArticlePreview(panel, uri, options, deps);
    preview = created;
    setContext('inkwell.previewLocked', created.locked);
    created.onDidDispose(() => {
      if (preview === created) {
        preview = undefined;
        setContext('inkwell.previewLocked', false);
      }
    });
    return created;
  };

  const open = async (arg: unknown, toSide: boolean) => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri || !isMarkdown(uri)) {
      void vscode.window.showInformationMessage('Inkwell: open a Markdown post to preview it.');
      return;
    }
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    const line = editor?.visibleRanges[0]?.start.line;
    const column = toSide ? vscode.ViewColumn.Beside : (editor?.viewColumn ?? vscode.ViewColumn.Active);
    if (preview) {
      preview.show(uri, line);
      preview.panel.reveal(column, toSide);
      return;
    }
    const panel = deps.views.createWebviewPanel(
      ArticlePreview.viewType,
      'Preview',
      { viewColumn: column, preserveFocus: toSide },
      previewWebviewOptions(deps.extensionUri),
    );
    adopt(panel, uri, { line });
  };

  const toggleLock = () => {
    if (!preview) {
      void vscode.window.showInformationMessage('Inkwell: no article preview is open.');
      return;
    }
    preview.setLocked(!preview.locked);
    setContext('inkwell.previewLocked', preview.locked);
    // Unlocking catches up with the post being edited.
    const active = vscode.window.activeTextEditor?.document.uri;
    if (!preview.locked && active && isMarkdown(active) && deps.isPost(active)) preview.show(active);
  };

  // An unlocked preview follows the post in the active editor (not READMEs and other notes).
  store.add(
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (!preview || preview.locked || !editor || !isMarkdown(editor.document.uri) || !deps.isPost(editor.document.uri)) return;
      preview.show(editor.document.uri, editor.visibleRanges[0]?.start.line);
    }),
  );

  store.add(
    vscode.window.registerWebviewPanelSerializer(ArticlePreview.viewType, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const saved = state as Partial<PreviewPersistedState> | undefined;
        if (typeof saved?.uri !== 'string') {
          panel.dispose();
          return;
        }
        adopt(panel, vscode.Uri.parse(saved.uri, true), {
          locked: saved.locked === true,
          line: typeof saved.line === 'number' ? saved.line : undefined,
        });
      },
    }),
  );

  store.add({ dispose: () => preview?.dispose() });
  return { open, toggleLock, dispose: () => store.dispose() };
}

function isMarkdown(uri: vscode.Uri): boolean {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  return doc ? doc.languageId === 'markdown' : /\.(md|markdown)$/i.test(uri.path);
}
