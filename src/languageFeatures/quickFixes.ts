import * as vscode from 'vscode';
import { fixesFor } from '../core/frontmatter/fixes';
import { imageValueFor, toSlash } from '../core/frontmatter/images';
import { getField, parseFrontmatter } from '../core/frontmatter/parse';
import { isProblemCode, ProblemCode } from '../core/frontmatter/problemCodes';
import { IMAGE_EXTENSIONS } from '../core/posts/postGlobs';
import { DIAGNOSTIC_SOURCE, PostValidation } from '../services/postValidation';

/** Internal command behind "Choose an image…": a file picker for a post's `image` field ({@link chooseImage}). */
const CHOOSE_IMAGE = 'inkwell.chooseFrontmatterImage';

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
        if (DESCRIPTION_PROBLEMS.has(problem.code)) actions.push(suggestDescription(doc, diagnostic));
        if (problem.code === ProblemCode.ImageNotFound) {
          // Beyond close names: pick any image, or make one.
          const choose = new vscode.CodeAction('Choose an image…', vscode.CodeActionKind.QuickFix);
          choose.diagnostics = [diagnostic];
          choose.command = { command: CHOOSE_IMAGE, title: 'Choose an image…', arguments: [doc.uri] };
          const generate = new vscode.CodeAction('Generate an image…', vscode.CodeActionKind.QuickFix);
          generate.diagnostics = [diagnostic];
          generate.command = { command: 'inkwell.insertImage', title: 'Generate an image…', arguments: [{ hero: true }] };
          actions.push(choose, generate);
        }
      }
      return actions;
    },
  };
  return vscode.languages.registerCodeActionsProvider({ language: 'markdown' }, provider, {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  });
}

/** Problems with a post's description, which Suggest Description can fix. */
const DESCRIPTION_PROBLEMS: ReadonlySet<ProblemCode> = new Set([
  ProblemCode.DescriptionMissing,
  ProblemCode.DescriptionTooShort,
  ProblemCode.DescriptionTooLong,
]);

/** "Suggest a description…": runs Suggest Description on the post. */
function suggestDescription(doc: vscode.TextDocument, diagnostic: vscode.Diagnostic): vscode.CodeAction {
  const title = 'Suggest a description…';
  const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  action.command = { command: 'inkwell.suggestDescription', title, arguments: [doc.uri] };
  return action;
}

/** Asks for an image file and points the post's `image` field at it (site-root when it was). */
export async function chooseImage(validation: PostValidation, uri: vscode.Uri): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const loc = validation.location(uri);
  const start =
    loc.siteRoot && loc.staticFolders[0]
      ? vscode.Uri.joinPath(vscode.Uri.file(loc.siteRoot), loc.staticFolders[0])
      : vscode.Uri.joinPath(uri, '..');
  const picked = await vscode.window.showOpenDialog({
    title: 'Choose the image for this post',
    defaultUri: start,
    canSelectMany: false,
    openLabel: 'Use Image',
    filters: { Images: [...IMAGE_EXTENSIONS] },
  });
  const file = picked?.[0];
  if (!file) return;
  const text = doc.getText();
  const parsed = parseFrontmatter(text);
  const field = getField(parsed, 'image');
  if (!field) return;
  const original = typeof field.value.value === 'string' ? field.value.value : '';
  const value = imageValueFor(toSlash(file.fsPath), original, loc);
  const quoted = parsed.language !== 'yaml' || field.value.quote || /[:#'"\s]/.test(value) ? JSON.stringify(value) : value;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(doc.positionAt(field.value.start), doc.positionAt(field.value.end)), quoted);
  await vscode.workspace.applyEdit(edit);
}

function codeOf(d: vscode.Diagnostic): string | undefined {
  const code = d.code;
  if (typeof code === 'string') return code;
  if (typeof code === 'object' && code !== null) return String(code.value);
  return undefined;
}
