import * as vscode from 'vscode';
import type { ArticleRenderer } from '../../core/render/engine';
import { buildTagTree } from '../../core/render/tagTree';
import { TagPagePanel } from '../../preview/tagPagePanel';
import { DisposableStore } from '../../util/dispose';
import type { Views } from '../../util/views';
import type { TaggedPostSource, TagTreeNode } from '../../views/tagTreeView';

/** What "Preview Posts Tagged…" needs. */
export interface TagPreviewDeps {
  readonly extensionUri: vscode.Uri;
  readonly renderer: () => Promise<ArticleRenderer>;
  readonly source: TaggedPostSource;
  readonly views: Views;
}

/** "Preview Posts Tagged…". */
export interface TagPages extends vscode.Disposable {
  /** Opens the page of a tag: `arg` is its name or its node in the tree; without one, a quick pick asks. */
  show(arg?: unknown): Promise<void>;
}

/**
 * "Preview Posts Tagged…": opens a tag page. The argument is a tag name or a tag
 * node of the tree; without one, a quick pick lists the tags with their counts.
 */
export function registerTagPreview(deps: TagPreviewDeps): TagPages {
  const store = new DisposableStore();
  let panel: TagPagePanel | undefined;

  const show = async (arg?: unknown) => {
    let tag = typeof arg === 'string' ? arg : isTagNode(arg) ? arg.tag : undefined;
    if (tag === undefined) {
      await deps.source.ready();
      const groups = buildTagTree(deps.source.all());
      if (!groups.length) {
        void vscode.window.showInformationMessage('Inkwell: no post has tags yet.');
        return;
      }
      const picked = await vscode.window.showQuickPick(
        groups.map((g) => ({ label: g.tag, description: `${g.posts.length} ${g.posts.length === 1 ? 'post' : 'posts'}` })),
        { title: 'Preview Posts Tagged…', placeHolder: 'Choose a tag' },
      );
      tag = picked?.label;
    }
    if (tag === undefined) return;
    if (panel) {
      panel.show(tag);
      return;
    }
    const created = TagPagePanel.create(tag, {
      extensionUri: deps.extensionUri,
      renderer: deps.renderer,
      posts: () => deps.source.all(),
      onPostsChanged: deps.source.onDidChange,
      views: deps.views,
    });
    panel = created;
    created.onDidDispose(() => {
      if (panel === created) panel = undefined;
    });
  };

  store.add({ dispose: () => panel?.dispose() });
  return { show, dispose: () => store.dispose() };
}

function isTagNode(value: unknown): value is Extract<TagTreeNode, { kind: 'tag' }> {
  return (
    !!value &&
    typeof value === 'object' &&
    (value as { kind?: unknown }).kind === 'tag' &&
    typeof (value as { tag?: unknown }).tag === 'string'
  );
}
