import * as vscode from 'vscode';
import { hoverTarget } from '../core/frontmatter/cursor';
import { parseFrontmatter } from '../core/frontmatter/parse';
import type { PostValidation } from '../services/postValidation';
import { fieldDetail, fieldsFor } from './frontmatterFields';

/** Hovers in frontmatter: a field's documentation; for a tag, how many posts use it. */
export function registerHovers(validation: PostValidation): vscode.Disposable {
  const posts = validation.posts;
  return vscode.languages.registerHoverProvider(
    { language: 'markdown' },
    {
      async provideHover(doc, position) {
        if (!posts.isPost(doc.uri)) return undefined;
        const parsed = parseFrontmatter(doc.getText());
        const target = hoverTarget(parsed, doc.offsetAt(position));
        if (!target) return undefined;
        if (target.kind === 'key') {
          const spec = (await fieldsFor(validation, doc.uri)).find((f) => f.name === target.field.key);
          if (!spec) return undefined;
          const md = new vscode.MarkdownString();
          md.appendMarkdown(`**${spec.name}** _(${fieldDetail(spec)})_\n\n${spec.description}`);
          if (spec.enum?.length) md.appendMarkdown(`\n\nValues: ${spec.enum.map((v) => `\`${String(v)}\``).join(', ')}`);
          return new vscode.Hover(md, new vscode.Range(doc.positionAt(target.field.keyStart), doc.positionAt(target.field.keyEnd)));
        }
        await posts.ready();
        const users = posts.index.postsByTag(target.tag);
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**Tag ${escape(target.tag)}**: used by ${users.length} post${users.length === 1 ? '' : 's'}`);
        const others = posts.index.spellingsOf(target.tag).filter((s) => s.tag !== target.tag);
        if (others.length) md.appendMarkdown(`\n\nOther spellings: ${others.map((s) => `\`${s.tag}\` (${s.count})`).join(', ')}`);
        const titles = users.slice(0, 5).map((p) => `- ${escape(p.title ?? vscode.workspace.asRelativePath(posts.uriOf(p)))}`);
        if (titles.length) md.appendMarkdown(`\n\n${titles.join('\n')}${users.length > 5 ? `\n- … and ${users.length - 5} more` : ''}`);
        return new vscode.Hover(md, new vscode.Range(doc.positionAt(target.start), doc.positionAt(target.end)));
      },
    },
  );
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, '\\$&');
}
