/**
 * What the integration tests see of Inkwell, built by `activate` only when the
 * extension runs under them (`ExtensionMode.Test`) and returned as
 * `api.testing`. It watches the views Inkwell creates (through {@link Views})
 * and the public events of its services; production objects carry nothing for it.
 */
import * as vscode from 'vscode';
import { NewPostPrompts, windowPrompts } from './features/posts/newPost';
import type { PostValidation } from './services/postValidation';
import { MessageSeverity, Views, windowViews } from './util/views';

/** One line of Inkwell's log. */
export interface LogLine {
  readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
}

/** A webview panel Inkwell opened, as its page sees it. */
export interface WatchedWebview {
  readonly viewType: string;
  /** The panel's title, as its tab shows it. */
  readonly title: string;
  /** The page's HTML as last set. */
  readonly html: string;
  /** Messages posted to the page, oldest first. */
  readonly posted: readonly unknown[];
  /** Messages the page posted, oldest first. */
  readonly received: readonly unknown[];
  /** HTML set, messages posted and messages received, in the order the extension saw them. */
  readonly timeline: readonly WebviewEvent[];
  /** Whether the panel was closed. */
  readonly disposed: boolean;
  /** Hands `message` to Inkwell as if the page had posted it (a test cannot click inside a webview). */
  send(message: unknown): void;
}

/** One thing that passed between Inkwell and a page. */
export type WebviewEvent =
  | { readonly kind: 'html' }
  | { readonly kind: 'posted'; readonly message: unknown }
  | { readonly kind: 'received'; readonly message: unknown };

/** A progress notification (or other progress view) Inkwell showed, as the user reads it. */
export interface WatchedProgress {
  readonly title: string | undefined;
  /** The messages reported, oldest first (the view shows the newest). */
  readonly messages: readonly string[];
  /** Whether the task finished and the view went away. */
  readonly done: boolean;
}

/** A notification Inkwell showed, as the user reads it. */
export interface WatchedMessage {
  readonly severity: MessageSeverity;
  readonly message: string;
  /** Its buttons. */
  readonly items: readonly string[];
}

/** A quick pick Inkwell showed, as the user reads it. */
export interface WatchedQuickPick {
  readonly title: string | undefined;
  readonly placeHolder: string | undefined;
  /** The items' labels, in the order shown (separators included). */
  readonly labels: readonly string[];
  /** Each item's description (beside its label) and detail (the line below), by position. */
  readonly descriptions: readonly (string | undefined)[];
  readonly details: readonly (string | undefined)[];
  /** The label picked, once the pick is answered; undefined while open or when dismissed (the first one of a multi-pick). */
  readonly picked: string | undefined;
  /** Whether it has checkboxes to tick any number of items. */
  readonly canPickMany: boolean;
  /** The labels picked, once the pick is answered (one for a single pick); undefined while open or when dismissed. */
  readonly pickedAll: readonly string[] | undefined;
  readonly done: boolean;
}

/** `api.testing`: present only under the integration tests. */
export interface InkwellTestSupport {
  /** Milliseconds `activate` took. */
  readonly activationMs: number;
  /** Webview panels Inkwell opened, oldest first, of one view type when given. */
  webviews(viewType?: string): readonly WatchedWebview[];
  /** The data provider of a tree view: the rows VS Code shows. */
  treeDataProvider<T>(viewId: string): vscode.TreeDataProvider<T> | undefined;
  /** Whether a tree view is showing (its pane open, not collapsed or hidden). */
  treeViewVisible(viewId: string): boolean;
  /** A status bar item by its id. */
  statusBarItem(id: string): vscode.StatusBarItem | undefined;
  /** Inkwell's log (the "Inkwell" output channel), oldest line first. */
  readonly log: readonly LogLine[];
  /** The document version whose problems were last published, by document URI. */
  publishedVersion(uri: string): number | undefined;
  /** Answers New Post's questions with `prompts` instead of asking; undefined asks again. */
  answerNewPost(prompts: NewPostPrompts | undefined): void;
  /** Progress views Inkwell showed through its views, oldest first. */
  progress(): readonly WatchedProgress[];
  /** Notifications Inkwell showed through its views, oldest first. */
  messages(): readonly WatchedMessage[];
  /** Quick picks Inkwell showed through its views, oldest first. */
  quickPicks(): readonly WatchedQuickPick[];
}

/** What a quick pick showed and what was picked, filled in as it happens. */
type PickRecord = { -readonly [K in keyof WatchedQuickPick]: WatchedQuickPick[K] };

/** Builds the views and watchers behind {@link InkwellTestSupport}. */
export class TestSupport implements vscode.Disposable {
  private readonly webviewRecords: WebviewRecord[] = [];
  private readonly trees = new Map<string, vscode.TreeDataProvider<unknown>>();
  private readonly treeViews = new Map<string, vscode.TreeView<unknown>>();
  private readonly statusItems = new Map<string, vscode.StatusBarItem>();
  private readonly logLines: LogLine[] = [];
  private readonly progressRecords: { title: string | undefined; messages: string[]; done: boolean }[] = [];
  private readonly messageRecords: WatchedMessage[] = [];
  private readonly pickRecords: PickRecord[] = [];
  private readonly published = new Map<string, number>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private answers: NewPostPrompts | undefined;

  /** VS Code's views, with what they show kept for the tests. */
  readonly views: Views = {
    createWebviewPanel: (viewType, title, showOptions, options) => {
      const record = new WebviewRecord(viewType, windowViews.createWebviewPanel(viewType, title, showOptions, options));
      this.webviewRecords.push(record);
      return record.panel;
    },
    createTreeView: (viewId, options) => {
      this.trees.set(viewId, options.treeDataProvider as vscode.TreeDataProvider<unknown>);
      const view = windowViews.createTreeView(viewId, options);
      this.treeViews.set(viewId, view as vscode.TreeView<unknown>);
      return view;
    },
    createStatusBarItem: (id, alignment, priority) => {
      const item = windowViews.createStatusBarItem(id, alignment, priority);
      this.statusItems.set(id, item);
      return item;
    },
    createLogOutputChannel: (name) => {
      const channel = windowViews.createLogOutputChannel(name);
      const record =
        (level: LogLine['level']) =>
        (message: string | Error, ...args: unknown[]) => {
          this.logLines.push({ level, message: message instanceof Error ? message.message : message });
          (channel[level] as (m: string | Error, ...a: unknown[]) => void)(message, ...args);
        };
      return forward(channel, {
        trace: record('trace'),
        debug: record('debug'),
        info: record('info'),
        warn: record('warn'),
        error: record('error'),
      });
    },
    withProgress: (options, task) => {
      const record = { title: options.title, messages: [] as string[], done: false };
      this.progressRecords.push(record);
      return Promise.resolve(
        windowViews.withProgress(options, (progress, token) =>
          task(
            {
              report: (value) => {
                if (value.message !== undefined) record.messages.push(value.message);
                progress.report(value);
              },
            },
            token,
          ),
        ),
      ).finally(() => {
        record.done = true;
      });
    },
    showMessage: (severity, message, ...items) => {
      this.messageRecords.push({ severity, message, items });
      return windowViews.showMessage(severity, message, ...items);
    },
    showQuickPick: (items, options) => {
      const record = this.recordPick(items, options, false);
      return Promise.resolve(windowViews.showQuickPick(items, options)).then((picked) => {
        record.picked = picked?.label;
        record.pickedAll = picked && [picked.label];
        record.done = true;
        return picked;
      });
    },
    showQuickPickMany: (items, options) => {
      const record = this.recordPick(items, options, true);
      return Promise.resolve(windowViews.showQuickPickMany(items, options)).then((picked) => {
        record.picked = picked?.[0]?.label;
        record.pickedAll = picked?.map((p) => p.label);
        record.done = true;
        return picked;
      });
    },
    // The tests read what a reader sees in a preview page.
    pagesReportText: true,
  };

  /** New Post's questions: the tests' answers when they gave some, else the usual input boxes. */
  readonly newPostPrompts: NewPostPrompts = {
    title: () => (this.answers ?? windowPrompts).title(),
    description: () => (this.answers ?? windowPrompts).description(),
    tags: (known) => (this.answers ?? windowPrompts).tags(known),
  };

  /** Starts the record of a quick pick as it opens. */
  private recordPick(items: readonly vscode.QuickPickItem[], options: vscode.QuickPickOptions, canPickMany: boolean): PickRecord {
    const record: PickRecord = {
      title: options.title,
      placeHolder: options.placeHolder,
      labels: items.map((i) => i.label),
      descriptions: items.map((i) => i.description),
      details: items.map((i) => i.detail),
      picked: undefined,
      canPickMany,
      pickedAll: undefined,
      done: false,
    };
    this.pickRecords.push(record);
    return record;
  }

  /** Keeps the document version of each publication of problems. */
  watchValidation(validation: PostValidation): void {
    this.subscriptions.push(
      validation.onDidPublish((p) => {
        if (p.version !== undefined) this.published.set(p.uri.toString(), p.version);
      }),
    );
  }

  /** The object `activate` returns as `api.testing`. */
  api(activationMs: number): InkwellTestSupport {
    const lines = this.logLines;
    return {
      activationMs,
      webviews: (viewType) => this.webviewRecords.filter((r) => viewType === undefined || r.viewType === viewType),
      treeDataProvider: <T>(viewId: string) => this.trees.get(viewId) as vscode.TreeDataProvider<T> | undefined,
      treeViewVisible: (viewId) => this.treeViews.get(viewId)?.visible ?? false,
      statusBarItem: (id) => this.statusItems.get(id),
      get log() {
        return lines;
      },
      publishedVersion: (uri) => this.published.get(uri),
      answerNewPost: (prompts) => {
        this.answers = prompts;
      },
      progress: () => this.progressRecords,
      messages: () => this.messageRecords,
      quickPicks: () => this.pickRecords,
    };
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    for (const r of this.webviewRecords) r.dispose();
  }
}

/** A webview panel handed to Inkwell in place of VS Code's, which keeps what passes through it. */
class WebviewRecord implements WatchedWebview {
  readonly timeline: WebviewEvent[] = [];
  readonly panel: vscode.WebviewPanel;
  private pageHtml = '';
  private lastTitle: string;
  private closed = false;
  private readonly injected = new vscode.EventEmitter<unknown>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    readonly viewType: string,
    private readonly real: vscode.WebviewPanel,
  ) {
    this.lastTitle = real.title;
    this.subscriptions = [
      this.injected,
      real.webview.onDidReceiveMessage((m: unknown) => {
        this.timeline.push({ kind: 'received', message: m });
      }),
      real.onDidDispose(() => {
        this.closed = true;
      }),
    ];
    const webview = forward(
      real.webview,
      {
        postMessage: (message: unknown) => {
          this.timeline.push({ kind: 'posted', message });
          return real.webview.postMessage(message);
        },
        onDidReceiveMessage: (listener: (e: unknown) => unknown, thisArgs?: unknown, disposables?: vscode.Disposable[]) => {
          const both = vscode.Disposable.from(
            real.webview.onDidReceiveMessage(listener, thisArgs),
            this.injected.event(listener, thisArgs),
          );
          disposables?.push(both);
          return both;
        },
      },
      (prop, value) => {
        if (prop === 'html') {
          this.pageHtml = String(value);
          this.timeline.push({ kind: 'html' });
        }
      },
    );
    this.panel = forward(real, { webview });
  }

  get title(): string {
    if (!this.closed) {
      try {
        this.lastTitle = this.real.title;
      } catch {
        // Closed just now: the last title read stands.
      }
    }
    return this.lastTitle;
  }

  get html(): string {
    return this.pageHtml;
  }

  get posted(): unknown[] {
    return this.messages('posted');
  }

  get received(): unknown[] {
    return this.messages('received');
  }

  private messages(kind: 'posted' | 'received'): unknown[] {
    return this.timeline.flatMap((e) => (e.kind === kind ? [e.message] : []));
  }

  get disposed(): boolean {
    return this.closed;
  }

  send(message: unknown): void {
    if (this.closed) throw new Error(`The ${this.viewType} panel is closed.`);
    this.injected.fire(message);
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }
}

/**
 * `target` with some members replaced; every other read and write goes to
 * `target` itself (VS Code's objects keep their state in private fields).
 */
function forward<T extends object>(
  target: T,
  overrides: Record<string, unknown>,
  onSet?: (prop: string | symbol, value: unknown) => void,
): T {
  return new Proxy(target, {
    get(t, prop) {
      if (typeof prop === 'string' && Object.prototype.hasOwnProperty.call(overrides, prop)) return overrides[prop];
      const value: unknown = Reflect.get(t, prop, t);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
    set(t, prop, value) {
      onSet?.(prop, value);
      return Reflect.set(t, prop, value, t);
    },
  });
}
