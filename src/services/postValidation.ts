import * as fs from 'fs';
import * as vscode from 'vscode';
import { compileCustomSchema, CustomSchema } from '../core/frontmatter/customSchema';
import { FixContext } from '../core/frontmatter/fixes';
import { toSlash } from '../core/frontmatter/images';
import { parseFrontmatter, ParsedFrontmatter } from '../core/frontmatter/parse';
import { DEFAULT_SEVERITY, Problem, ProblemCode, Severity } from '../core/frontmatter/problemCodes';
import { DEFAULT_MAX_FILE_SIZE_KB, validateParsed, validatePost, ValidateOptions } from '../core/frontmatter/validate';
import { lineColAt, lineStarts, stripBom } from '../core/posts/lines';
import { onConfigChange, readConfig } from '../util/config';
import { DisposableStore } from '../util/dispose';
import type { Logger } from '../util/logger';
import type { PostIndexService } from './postIndexService';

/** `source` of every Inkwell frontmatter diagnostic. */
export const DIAGNOSTIC_SOURCE = 'inkwell';

/** The problems of one document version, with the parse they came from. */
export interface DocumentProblems {
  version: number;
  /** PostIndex.version the tag checks saw. */
  indexVersion: number;
  text: string;
  parsed: ParsedFrontmatter;
  problems: Problem[];
}

/**
 * The line the writer is filling in, whose problems are held back until they pause (`at` is
 * when they last typed) or, with `untilLeft`, until the cursor has been on it (`visited`) and
 * left it (New Post puts the cursor on the value to write).
 */
export interface HeldLine {
  readonly line: number;
  readonly at: number;
  readonly untilLeft?: boolean;
  readonly visited?: boolean;
}

/** Problems of a post that were just published. */
export interface PublishedProblems {
  readonly uri: vscode.Uri;
  /** The version of the open document they were found in; undefined for a file checked on disk. */
  readonly version?: number;
}

/**
 * Shared by diagnostics, quick fixes, completions and "Check All Posts": turns
 * settings and the workspace into validator options, loads the custom schema
 * on first use, and owns the "inkwell" diagnostic collection.
 */
export class PostValidation implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  private readonly store = new DisposableStore();
  /** Each custom schema file as written (JSON) and compiled, loaded once until settings or the file change. */
  private readonly schemas = new Map<string, Promise<{ json: unknown; schema: CustomSchema }>>();
  private readonly cache = new Map<string, DocumentProblems>();
  private readonly settingsEmitter = new vscode.EventEmitter<void>();
  /** Fires when settings or the custom schema change, so everything is checked again. */
  readonly onDidChangeSettings = this.settingsEmitter.event;
  private readonly publishEmitter = new vscode.EventEmitter<PublishedProblems>();
  /** Fires after a post's problems went to the Problems panel. */
  readonly onDidPublish = this.publishEmitter.event;

  constructor(
    readonly posts: PostIndexService,
    private readonly log?: Logger,
  ) {
    this.store.add(this.collection);
    this.store.add(this.settingsEmitter);
    this.store.add(this.publishEmitter);
    this.store.add(onConfigChange('validation', () => this.settingsChanged()));
    this.store.add(onConfigChange('posts', () => this.settingsChanged()));
    this.store.add(
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (this.schemas.has(d.uri.fsPath)) this.settingsChanged();
      }),
    );
    this.store.add(vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString())));
  }

  dispose(): void {
    this.store.dispose();
  }

  private settingsChanged(): void {
    this.schemas.clear();
    this.cache.clear();
    this.settingsEmitter.fire();
  }

  /** Validation settings for a post. */
  settings(uri: vscode.Uri) {
    return readConfig('validation', uri);
  }

  /** Where a post's relative and site-root image paths resolve. */
  location(uri: vscode.Uri): { postPath?: string; siteRoot?: string; staticFolders: string[] } {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const site = folder && this.posts.site?.cached(folder);
    const staticFolders = site ? [...site.staticFolders] : readConfig('posts', uri).staticFolders;
    return {
      postPath: uri.scheme === 'file' ? toSlash(uri.fsPath) : undefined,
      siteRoot: folder?.uri.scheme === 'file' ? toSlash(folder.uri.fsPath) : undefined,
      staticFolders,
    };
  }

  /** Validator options for a post; loads the custom schema if one is set. */
  async options(uri: vscode.Uri): Promise<{ options: ValidateOptions; schemaError?: string }> {
    const cfg = this.settings(uri);
    const options: ValidateOptions = {
      ...this.location(uri),
      postId: uri.toString(),
      tags: this.posts.index,
      fileExists: (p) => fs.existsSync(p),
      flagUnknownKeys: cfg.flagUnknownKeys,
      maxFileSizeKB: cfg.maxFileSizeKB,
      schemaMode: cfg.schemaMode,
      severity: cfg.severity,
    };
    await this.siteOptions(uri, options);
    if (!cfg.schema.trim()) return { options };
    try {
      options.customSchema = (await this.schema(uri, cfg.schema.trim())).schema;
      return { options };
    } catch (err) {
      return { options, schemaError: err instanceof Error ? err.message : String(err) };
    }
  }

  /** Adds the site generator's conventions (fields, checks, severities) to a post's options. */
  private async siteOptions(uri: vscode.Uri, options: ValidateOptions): Promise<void> {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const site = folder && this.posts.site ? await this.posts.site.site(folder).catch(() => undefined) : undefined;
    if (!site?.info || !folder) return;
    const base = folder.uri.path.endsWith('/') ? folder.uri.path : `${folder.uri.path}/`;
    const rel = uri.path.startsWith(base) ? uri.path.slice(base.length) : uri.path;
    Object.assign(options, site.validation(rel, options), { staticFolders: [...site.staticFolders] });
  }

  /**
   * The custom schema's JSON as written, for readers other than the validator (the description
   * bounds of Suggest Description); undefined when none is set, the workspace is untrusted or the
   * file cannot be read (validation reports that).
   */
  async customSchemaJson(uri: vscode.Uri): Promise<unknown> {
    const setting = this.settings(uri).schema.trim();
    if (!setting) return undefined;
    return this.schema(uri, setting).then(
      (loaded) => loaded.json,
      () => undefined,
    );
  }

  /** The custom schema named in settings, read and compiled once until settings or the file change. */
  private schema(uri: vscode.Uri, setting: string): Promise<{ json: unknown; schema: CustomSchema }> {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!vscode.workspace.isTrusted) return Promise.reject(new Error('custom schemas are ignored until the workspace is trusted.'));
    const file = folder ? vscode.Uri.joinPath(folder.uri, setting) : vscode.Uri.file(setting);
    let pending = this.schemas.get(file.fsPath);
    if (!pending) {
      pending = (async () => {
        let json: unknown;
        try {
          json = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(file)));
        } catch (err) {
          throw new Error(`cannot read ${setting}: ${err instanceof Error ? err.message : String(err)}`);
        }
        const schema = await compileCustomSchema(json);
        this.log?.info(`Loaded custom frontmatter schema ${file.fsPath}`);
        return { json, schema };
      })();
      this.schemas.set(file.fsPath, pending);
    }
    return pending;
  }

  /**
   * Validates a document's current text. The result is cached by document and
   * index version (quick fixes reuse what the diagnostics showed); `fresh`
   * re-checks anyway, for things no version tracks, such as image files.
   */
  async problems(doc: vscode.TextDocument, fresh = false): Promise<DocumentProblems> {
    const key = doc.uri.toString();
    const cached = this.cache.get(key);
    if (!fresh && cached && cached.version === doc.version && cached.indexVersion === this.posts.index.version) return cached;
    const text = doc.getText();
    const indexVersion = this.posts.index.version;
    const result = await this.validateText(doc.uri, text);
    const entry = { version: doc.version, indexVersion, text, ...result };
    if (!doc.isClosed) this.cache.set(key, entry);
    return entry;
  }

  /** Validates a text as the post at `uri` (the file on disk or an open document). */
  async validateText(uri: vscode.Uri, text: string): Promise<{ parsed: ParsedFrontmatter; problems: Problem[] }> {
    const { options, schemaError } = await this.options(uri);
    const limit = (options.maxFileSizeKB ?? DEFAULT_MAX_FILE_SIZE_KB) * 1024;
    // Over the limit: validatePost returns only the "skipped" note, without parsing.
    if (text.length > limit) return { parsed: { fields: [], data: {}, errors: [] }, problems: validatePost(text, options) };
    const parsed = parseFrontmatter(text);
    const problems = validateParsed(parsed, text, options);
    if (schemaError && parsed.block) {
      const setting = this.settings(uri).schema;
      problems.unshift({
        code: ProblemCode.SchemaInvalid,
        severity: DEFAULT_SEVERITY[ProblemCode.SchemaInvalid],
        start: parsed.block.start,
        end: parsed.block.openEnd,
        message: `The custom schema "${setting}" (inkwell.validation.schema) cannot be used: ${schemaError}`,
      });
    }
    return { parsed, problems };
  }

  private workspaceChecked = false;

  /** True after "Check All Posts": the Problems panel then lists closed posts too. */
  get checkedWorkspace(): boolean {
    return this.workspaceChecked;
  }

  /** "Check All Posts" ran: from now on the Problems panel lists closed posts too. */
  markWorkspaceChecked(): void {
    this.workspaceChecked = true;
  }

  /** Per document (by URI string): the line the writer is filling in. */
  private readonly held = new Map<string, HeldLine>();

  /** The line of a document whose problems are held back, if any (see {@link HeldLine}). */
  heldLine(uri: vscode.Uri): HeldLine | undefined {
    return this.held.get(uri.toString());
  }

  /**
   * Holds back the problems of `line`: the writer typed there just now. With `untilLeft`, until the
   * cursor has been on the line and left it (New Post's line to fill in).
   */
  holdLine(uri: vscode.Uri, line: number, untilLeft?: boolean): void {
    this.held.set(uri.toString(), untilLeft ? { line, at: Date.now(), untilLeft } : { line, at: Date.now() });
  }

  /** The cursor is on the held line: leaving it now ends the hold. */
  visitHeldLine(uri: vscode.Uri): void {
    const held = this.held.get(uri.toString());
    if (held) this.held.set(uri.toString(), { ...held, visited: true });
  }

  /** Ends the hold on a document's line: its problems show. */
  releaseLine(uri: vscode.Uri): void {
    this.held.delete(uri.toString());
  }

  /**
   * Validates a post as saved on disk (or its open document) and publishes the
   * result. Returns the problems, or undefined when the file cannot be read.
   */
  async checkFile(uri: vscode.Uri): Promise<Problem[] | undefined> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) {
      const result = await this.problems(open);
      this.publish(uri, result.problems, result.text, open);
      return result.problems;
    }
    let text: string;
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      text = stripBom(new TextDecoder('utf-8').decode(bytes));
    } catch {
      this.collection.delete(uri);
      return undefined;
    }
    if (!this.settings(uri).enabled) return [];
    const { problems } = await this.validateText(uri, text);
    this.publish(uri, problems, text);
    return problems;
  }

  /** Context for the quick fixes of a post. */
  async fixContext(uri: vscode.Uri): Promise<FixContext> {
    const images = await this.posts.imageFiles().catch(() => [] as vscode.Uri[]);
    // FileStat.ctime is the creation time where the file system keeps one.
    const created = await Promise.resolve(vscode.workspace.fs.stat(uri)).then(
      (s) => (s.ctime > 0 ? new Date(s.ctime) : undefined),
      () => undefined,
    );
    return {
      ...this.location(uri),
      fileCreated: created,
      dateStyle: this.posts.index.preferredDateStyle(),
      imageFiles: images.filter((u) => u.scheme === 'file').map((u) => toSlash(u.fsPath)),
    };
  }

  /** Takes a document's problems out of the Problems panel. */
  unpublish(uri: vscode.Uri): void {
    this.collection.delete(uri);
  }

  /** Publishes problems for a document in the Problems panel. */
  publish(uri: vscode.Uri, problems: readonly Problem[], text: string, doc?: vscode.TextDocument): void {
    const lines = doc ? undefined : lineStarts(text);
    const pos = (offset: number) => {
      if (doc) return doc.positionAt(offset);
      const { line, character } = lineColAt(lines!, offset);
      return new vscode.Position(line, character);
    };
    this.collection.set(
      uri,
      problems.map((p) => toDiagnostic(p, pos, uri)),
    );
    this.publishEmitter.fire({ uri, version: doc?.version });
  }
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** A core problem as a VS Code diagnostic (offsets become a Range here, at the edge). */
export function toDiagnostic(p: Problem, positionAt: (offset: number) => vscode.Position, uri: vscode.Uri): vscode.Diagnostic {
  const d = new vscode.Diagnostic(new vscode.Range(positionAt(p.start), positionAt(p.end)), p.message, SEVERITY[p.severity]);
  if (p.related) {
    const where = new vscode.Location(uri, new vscode.Range(positionAt(p.related.start), positionAt(p.related.end)));
    d.relatedInformation = [new vscode.DiagnosticRelatedInformation(where, p.related.message)];
  }
  d.code = p.code;
  d.source = DIAGNOSTIC_SOURCE;
  if (p.code === ProblemCode.UnknownKey) d.tags = [vscode.DiagnosticTag.Unnecessary];
  return d;
}
