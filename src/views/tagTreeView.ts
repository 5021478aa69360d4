import * as path from 'path';
import * as vscode from 'vscode';
import { calendarDate, formatDate } from '../core/render/articleMeta';
import { buildTagTree, TagGroup, TagTreePost } from '../core/render/tagTree';
import { setContext } from '../util/contextKeys';
import { DisposableStore } from '../util/dispose';
import type { Views } from '../util/views';
import type { PostIndexService } from '../services/postIndexService';

/** Where the tag tree and tag pages get their posts; the post index provides it. */
export interface TaggedPostSource {
  /** Resolves when the first workspace scan is done. */
  ready(): Promise<void>;
  all(): readonly TagTreePost[];
  readonly onDidChange: vscode.Event<unknown>;
}

/** Adapts the workspace post index to what the tag features read. */
export function taggedPostsFrom(service: PostIndexService): TaggedPostSource {
  return { ready: () => service.ready(), all: () => service.index.all(), onDidChange: service.onDidChange };
}

/** A node of the tree: a tag, or a post under a tag. */
export type TagTreeNode =
  | { readonly kind: 'tag'; readonly tag: string; readonly posts: readonly TagTreePost[] }
  | { readonly kind: 'post'; readonly tag: string; readonly post: TagTreePost };

/** The "Posts by Tag" tree: tags with counts, each tag's posts newest first. */
export class TagTreeProvider implements vscode.TreeDataProvider<TagTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TagTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private groups: TagGroup[] | undefined;
  private filterText = '';
  private readonly subscription: vscode.Disposable;

  constructor(private readonly source: TaggedPostSource) {
    this.subscription = source.onDidChange(() => this.refresh());
  }

  get filter(): string {
    return this.filterText;
  }

  set filter(value: string) {
    this.filterText = value.trim();
    this.refresh();
  }

  refresh(): void {
    this.groups = undefined;
    this.changed.fire(undefined);
  }

  /** The tag groups as shown (filter applied); builds them once per change. */
  async tagGroups(): Promise<readonly TagGroup[]> {
    await this.source.ready();
    return (this.groups ??= buildTagTree(this.source.all(), this.filterText));
  }

  async getChildren(node?: TagTreeNode): Promise<TagTreeNode[]> {
    if (!node) return (await this.tagGroups()).map((g) => ({ kind: 'tag', tag: g.tag, posts: g.posts }));
    if (node.kind === 'tag') return node.posts.map((post) => ({ kind: 'post', tag: node.tag, post }));
    return [];
  }

  getParent(node: TagTreeNode): TagTreeNode | undefined {
    if (node.kind === 'tag') return undefined;
    const group = this.groups?.find((g) => g.tag === node.tag);
    return group && { kind: 'tag', tag: group.tag, posts: group.posts };
  }

  getTreeItem(node: TagTreeNode): vscode.TreeItem {
    if (node.kind === 'tag') {
      const item = new vscode.TreeItem(node.tag, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `tag:${node.tag}`;
      item.description = String(node.posts.length);
      item.tooltip = `${node.posts.length} ${node.posts.length === 1 ? 'post' : 'posts'} tagged “${node.tag}”`;
      item.iconPath = new vscode.ThemeIcon('tag');
      item.contextValue = 'inkwell.tag';
      return item;
    }
    const uri = vscode.Uri.parse(node.post.id);
    const item = new vscode.TreeItem(node.post.title ?? path.posix.basename(uri.path), vscode.TreeItemCollapsibleState.None);
    item.id = `post:${node.tag}:${node.post.id}`;
    const day = node.post.date ? calendarDate(node.post.date) : undefined;
    item.description = [day ? formatDate(day, vscode.env.language) : undefined, node.post.draft ? 'draft' : undefined]
      .filter(Boolean)
      .join(' · ');
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(node.post.title ?? '');
    if (node.post.description) tooltip.appendMarkdown('\n\n').appendText(node.post.description);
    tooltip.appendMarkdown('\n\n').appendText(vscode.workspace.asRelativePath(uri));
    item.tooltip = tooltip;
    item.resourceUri = uri;
    item.iconPath = new vscode.ThemeIcon(node.post.draft ? 'edit' : 'markdown');
    item.contextValue = 'inkwell.post';
    item.command = { command: 'vscode.open', title: 'Open Post', arguments: [uri] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Set in a workspace's state once Posts by Tag was opened there for the writer. */
const OPENED_ONCE = 'inkwell.tags.openedOnce';

/**
 * Registers the `inkwell.tags` view with its filter commands. The first time a workspace with
 * tagged posts is opened, the view is opened too (VS Code starts an extension's Explorer view
 * collapsed at the bottom, where nobody finds it); after that it stays as the writer leaves it.
 */
export function registerTagTree(source: TaggedPostSource, views: Views, workspaceState: vscode.Memento): TagTree {
  const store = new DisposableStore();
  const provider = store.add(new TagTreeProvider(source));
  const view = store.add(views.createTreeView('inkwell.tags', { treeDataProvider: provider, showCollapseAll: true }));
  if (!workspaceState.get<boolean>(OPENED_ONCE)) void openOnce(provider, view, workspaceState);

  const applyFilter = async (value: string) => {
    provider.filter = value;
    setContext('inkwell.tagFilterActive', !!provider.filter);
    view.description = provider.filter ? `matching “${provider.filter}”` : undefined;
    const groups = await provider.tagGroups();
    view.message = provider.filter && !groups.length ? `No tags match “${provider.filter}”.` : undefined;
  };

  const filter = async (arg?: unknown) => {
    const value =
      typeof arg === 'string'
        ? arg
        : await vscode.window.showInputBox({
            title: 'Filter Tags',
            prompt: 'Show the tags whose name contains this text (empty shows all)',
            value: provider.filter,
          });
    if (value !== undefined) await applyFilter(value);
  };
  store.add({ dispose: () => setContext('inkwell.tagFilterActive', false) });

  return { filter, clearFilter: () => applyFilter(''), dispose: () => store.dispose() };
}

/** The filter commands of Posts by Tag. */
export interface TagTree extends vscode.Disposable {
  /** "Filter Tags…": shows the tags whose name contains `arg`; without it, an input box asks. */
  filter(arg?: unknown): Promise<void>;
  /** "Clear Tag Filter". */
  clearFilter(): Promise<void>;
}

/** Opens the view on its first tag, without focus or selection, once the posts are read. */
async function openOnce(provider: TagTreeProvider, view: vscode.TreeView<TagTreeNode>, workspaceState: vscode.Memento): Promise<void> {
  const [first] = await provider.getChildren();
  if (!first) return; // no tags yet: a later session opens it
  try {
    // Revealing an item opens (expands) the view; nothing is selected and the editor keeps focus.
    await view.reveal(first, { select: false, focus: false, expand: false });
    await workspaceState.update(OPENED_ONCE, true);
  } catch {
    // The view was disposed meanwhile (the extension stopped): the next session tries again.
  }
}
