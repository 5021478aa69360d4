import * as vscode from 'vscode';
import { cursorContext } from '../core/frontmatter/cursor';
import { formatDate } from '../core/frontmatter/dates';
import { imageValueFor, toSlash } from '../core/frontmatter/images';
import { getField, parseFrontmatter } from '../core/frontmatter/parse';
import { DEFAULT_FIELDS, FieldSpec } from '../core/frontmatter/schema';
import type { PostValidation } from './postsValidation';

/**
 * Frontmatter completions: field names from the schema (with docs), enum
 * values, the workspace's tags ordered by use, image paths, and today's date
 * in the workspace's style.
 */
export function registerCompletions(validation: PostValidation): vscode.Disposable {
  const posts = validation.posts;
  const provider: vscode.CompletionItemProvider = {
    async provideCompletionItems(doc, position, token) {
      if (!posts.isPost(doc.uri)) return undefined;
      const text = doc.getText();
      const offset = doc.offsetAt(position);
      const ctx = cursorContext(text, offset);
      if (!ctx) return undefined;
      const range = new vscode.Range(doc.positionAt(ctx.prefixStart), position);
      const fields = await fieldsFor(validation, doc.uri);
      if (token.isCancellationRequested) return undefined;
      const language = parseFrontmatter(text).language ?? 'yaml';

      if (ctx.kind === 'key') {
        const present = new Set(parseFrontmatter(text).fields.map((f) => f.key));
        return fields.filter((f) => !present.has(f.name)).map((f, i) => {
          const item = new vscode.CompletionItem(f.name, vscode.CompletionItemKind.Property);
          item.documentation = new vscode.MarkdownString(f.description);
          item.detail = `${f.type}${f.required ? ', required' : ''}`;
          item.range = range;
          item.insertText = language === 'toml' ? `${f.name} = ` : `${f.name}: `;
          // Required fields first, then schema order.
          item.sortText = `${f.required ? 0 : 1}${String(i).padStart(3, '0')}`;
          item.command = { command: 'editor.action.triggerSuggest', title: 'Suggest values' };
          return item;
        });
      }

      const quote = (s: string) => (ctx.quote || language === 'yaml' ? s : JSON.stringify(s));
      if (ctx.key === 'tags') {
        await posts.ready();
        const parsed = parseFrontmatter(text);
        // Tags the post already has are not offered again; the item being typed does not count.
        const items = getField(parsed, 'tags')?.items ?? [];
        const mine = new Set(items.filter((i) => offset < i.start || offset > i.end).map((i) => i.value));
        const tags = posts.index.tags();
        return tags
          .filter((t) => !mine.has(t.tag))
          .map((t, rank) => {
            const item = new vscode.CompletionItem({ label: t.tag, description: `${t.count} post${t.count === 1 ? '' : 's'}` }, vscode.CompletionItemKind.EnumMember);
            item.range = range;
            item.insertText = ctx.inList ? quote(t.tag) : language === 'yaml' ? `[${t.tag}]` : `[${JSON.stringify(t.tag)}]`;
            item.filterText = t.tag;
            // Most used first: VS Code sorts by sortText when the typed prefix matches equally.
            item.sortText = String(rank).padStart(6, '0');
            return item;
          });
      }
      if (ctx.key === 'image' && !ctx.inList) {
        const files = await posts.imageFiles();
        const loc = validation.location(doc.uri);
        const siteRoot = !ctx.prefix || ctx.prefix.startsWith('/');
        return files.filter((u) => u.scheme === 'file').map((u) => {
          const value = imageValueFor(toSlash(u.fsPath), siteRoot ? '/' : '', loc);
          const item = new vscode.CompletionItem(value, vscode.CompletionItemKind.File);
          item.range = range;
          item.insertText = quote(value);
          item.filterText = value;
          item.detail = vscode.workspace.asRelativePath(u);
          return item;
        });
      }
      const field = fields.find((f) => f.name === ctx.key);
      if (field?.type === 'date') {
        const now = formatDate(new Date(), posts.index.preferredDateStyle() ?? 'date');
        const item = new vscode.CompletionItem(now, vscode.CompletionItemKind.Value);
        item.detail = 'now, in the style your posts use';
        item.range = range;
        item.insertText = ctx.quote || language !== 'json' ? now : JSON.stringify(now);
        return [item];
      }
      return (field?.enum ?? []).map((v) => {
        const item = new vscode.CompletionItem(String(v), vscode.CompletionItemKind.EnumMember);
        item.range = range;
        item.insertText = typeof v === 'string' ? quote(v) : String(v);
        return item;
      });
    },
  };
  return vscode.languages.registerCompletionItemProvider({ language: 'markdown' }, provider, ':', ' ', '-', '[', ',', '/', '"', '=');
}

/** Fields of the schema in force for a post: the default fields, the custom ones, or both. */
export async function fieldsFor(validation: PostValidation, uri: vscode.Uri): Promise<FieldSpec[]> {
  const { options } = await validation.options(uri);
  const custom = options.customSchema?.fields ?? [];
  const base = options.customSchema && options.schemaMode === 'replace' ? [] : DEFAULT_FIELDS;
  const required = new Set(options.customSchema?.required ?? []);
  const byName = new Map<string, FieldSpec>();
  for (const f of base) byName.set(f.name, f);
  // The site generator's fields, with its documentation, come before the custom schema's.
  for (const f of options.site?.schema?.fields ?? []) {
    const known = byName.get(f.name);
    byName.set(f.name, { ...known, ...f, type: known && f.type === 'any' ? known.type : f.type, enum: f.enum ?? known?.enum, required: known?.required || options.site!.schema!.required.includes(f.name) });
  }
  for (const f of custom) byName.set(f.name, { ...byName.get(f.name), ...f, required: required.has(f.name) || byName.get(f.name)?.required });
  return [...byName.values()];
}
