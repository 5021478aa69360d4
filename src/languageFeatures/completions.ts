import * as vscode from 'vscode';
import { cursorContext, CursorContext } from '../core/frontmatter/cursor';
import { formatDate } from '../core/frontmatter/dates';
import { imageValueFor, toSlash } from '../core/frontmatter/images';
import { getField, parseFrontmatter } from '../core/frontmatter/parse';
import type { FieldSpec } from '../core/frontmatter/schema';
import type { FrontmatterLanguage } from '../core/frontmatter/split';
import type { PostIndexService } from '../services/postIndexService';
import type { PostValidation } from '../services/postValidation';
import { fieldDetail, fieldsFor } from './frontmatterFields';

/** Where the cursor is in the frontmatter and what it takes, for one completion request. */
interface CompletionSite<C extends CursorContext = CursorContext> {
  readonly doc: vscode.TextDocument;
  readonly text: string;
  readonly offset: number;
  readonly ctx: C;
  /** What the completion replaces: the prefix typed so far. */
  readonly range: vscode.Range;
  readonly language: FrontmatterLanguage;
}

/** A site where a field's value (or an item of its list) is being written. */
type ValueSite = CompletionSite<Extract<CursorContext, { kind: 'value' }>>;

/**
 * Frontmatter completions: field names from the schema (with docs), enum
 * values, the workspace's tags ordered by use, image paths, and today's date
 * in the workspace's style.
 */
export function registerCompletions(validation: PostValidation): vscode.Disposable {
  const provider: vscode.CompletionItemProvider = {
    async provideCompletionItems(doc, position, token) {
      if (!validation.posts.isPost(doc.uri)) return undefined;
      const text = doc.getText();
      const offset = doc.offsetAt(position);
      const ctx = cursorContext(text, offset);
      if (!ctx) return undefined;
      const fields = await fieldsFor(validation, doc.uri);
      if (token.isCancellationRequested) return undefined;
      const where = {
        doc,
        text,
        offset,
        range: new vscode.Range(doc.positionAt(ctx.prefixStart), position),
        language: parseFrontmatter(text).language ?? 'yaml',
      };
      if (ctx.kind === 'key') return fieldNameItems({ ...where, ctx }, fields);
      const site: ValueSite = { ...where, ctx };
      if (ctx.key === 'tags') return tagItems(site, validation.posts);
      if (ctx.key === 'image' && !ctx.inList) return imageItems(site, validation);
      const field = fields.find((f) => f.name === ctx.key);
      if (field?.type === 'date') return [dateItem(site, validation.posts)];
      return enumItems(site, field);
    },
  };
  return vscode.languages.registerCompletionItemProvider({ language: 'markdown' }, provider, ':', ' ', '-', '[', ',', '/', '"', '=');
}

/** A value as it is written where the cursor is: quoted in TOML and JSON unless a quote is open. */
function quoted(site: ValueSite, value: string): string {
  return site.ctx.quote || site.language === 'yaml' ? value : JSON.stringify(value);
}

/** The fields the post does not have yet, required ones first, with their docs. */
function fieldNameItems(site: CompletionSite, fields: readonly FieldSpec[]): vscode.CompletionItem[] {
  const present = new Set(parseFrontmatter(site.text).fields.map((f) => f.key));
  return fields
    .filter((f) => !present.has(f.name))
    .map((f, i) => {
      const item = new vscode.CompletionItem(f.name, vscode.CompletionItemKind.Property);
      item.documentation = new vscode.MarkdownString(f.description);
      item.detail = fieldDetail(f);
      item.range = site.range;
      item.insertText = site.language === 'toml' ? `${f.name} = ` : `${f.name}: `;
      // Required fields first, then schema order.
      item.sortText = `${f.required ? 0 : 1}${String(i).padStart(3, '0')}`;
      item.command = { command: 'editor.action.triggerSuggest', title: 'Suggest values' };
      return item;
    });
}

/** The workspace's tags the post lacks, most used first, with their post counts. */
async function tagItems(site: ValueSite, posts: PostIndexService): Promise<vscode.CompletionItem[]> {
  await posts.ready();
  const { ctx, offset, language } = site;
  // Tags the post already has are not offered again; the item being typed does not count.
  const items = getField(parseFrontmatter(site.text), 'tags')?.items ?? [];
  const mine = new Set(items.filter((i) => offset < i.start || offset > i.end).map((i) => i.value));
  return posts.index
    .tags()
    .filter((t) => !mine.has(t.tag))
    .map((t, rank) => {
      const item = new vscode.CompletionItem(
        { label: t.tag, description: `${t.count} post${t.count === 1 ? '' : 's'}` },
        vscode.CompletionItemKind.EnumMember,
      );
      item.range = site.range;
      item.insertText = ctx.inList ? quoted(site, t.tag) : language === 'yaml' ? `[${t.tag}]` : `[${JSON.stringify(t.tag)}]`;
      item.filterText = t.tag;
      // Most used first: VS Code sorts by sortText when the typed prefix matches equally.
      item.sortText = String(rank).padStart(6, '0');
      return item;
    });
}

/** The workspace's image files, as paths relative to the post or from the site root. */
async function imageItems(site: ValueSite, validation: PostValidation): Promise<vscode.CompletionItem[]> {
  const files = await validation.posts.imageFiles();
  const loc = validation.location(site.doc.uri);
  const siteRoot = !site.ctx.prefix || site.ctx.prefix.startsWith('/');
  return files
    .filter((u) => u.scheme === 'file')
    .map((u) => {
      const value = imageValueFor(toSlash(u.fsPath), siteRoot ? '/' : '', loc);
      const item = new vscode.CompletionItem(value, vscode.CompletionItemKind.File);
      item.range = site.range;
      item.insertText = quoted(site, value);
      item.filterText = value;
      item.detail = vscode.workspace.asRelativePath(u);
      return item;
    });
}

/** Now, written the way the workspace's posts write their dates. */
function dateItem(site: ValueSite, posts: PostIndexService): vscode.CompletionItem {
  const now = formatDate(new Date(), posts.index.preferredDateStyle() ?? 'date');
  const item = new vscode.CompletionItem(now, vscode.CompletionItemKind.Value);
  item.detail = 'now, in the style your posts use';
  item.range = site.range;
  item.insertText = site.ctx.quote || site.language !== 'json' ? now : JSON.stringify(now);
  return item;
}

/** The allowed values of a field that has a fixed set. */
function enumItems(site: ValueSite, field: FieldSpec | undefined): vscode.CompletionItem[] {
  return (field?.enum ?? []).map((v) => {
    const item = new vscode.CompletionItem(String(v), vscode.CompletionItemKind.EnumMember);
    item.range = site.range;
    item.insertText = typeof v === 'string' ? quoted(site, v) : String(v);
    return item;
  });
}
