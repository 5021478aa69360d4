import * as vscode from 'vscode';
import { fixesFor } from '../core/frontmatter/fixes';
import { isProblemCode } from '../core/frontmatter/problemCodes';
import { DIAGNOSTIC_SOURCE, PostValidation } from './postsValidation';

/**
 * Quick fixes for frontmatter diagnostics. The fixes are computed by the pure
 * core from the problem (matched by code and position) and become edits here.
 */
export function registerQuickFixes(validation: PostValidation): vscode.Disposable {
  const provider: vscode.CodeActionProvider = {
    async provideCodeActions(doc, _range, context, token) {
      const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && isProblemCode(codeOf(d)));
      if (!ours.length) return [];
      const result = await validation.problems(doc);
      const fixContext = await validation.fixContext(doc.uri);
      if (token.isCancellationRequested) return [];
      const actions: vscode.CodeAction[] = [];
      for (const diagnostic of ours) {
        const start = doc.offsetAt(diagnostic.range.start);
        const problem = result.problems.find((p) => p.code === codeOf(diagnostic) && p.start === start);
        if (!problem) continue;
        for (const fix of fixesFor(result.text, problem, fixContext, result.parsed)) {
          const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
          action.diagnostics = [diagnostic];
          action.isPreferred = fix.isPreferred;
          action.edit = new vscode.WorkspaceEdit();
          for (const e of fix.edits) {
            action.edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
          }
          actions.push(action);
        }
      }
      return actions;
    },
  };
  return vscode.languages.registerCodeActionsProvider({ language: 'markdown' }, provider, {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  });
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  const code = d.code;
  if (typeof code === 'string') return code;
  if (typeof code === 'object' && code !== null) return String(code.value);
  return undefined;
}
