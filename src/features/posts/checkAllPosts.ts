import * as vscode from 'vscode';
import type { PostValidation } from '../../services/postValidation';
import type { Views } from '../../util/views';

/** Result of "Inkwell: Check All Posts" (returned to callers such as tests). */
export interface CheckAllResult {
  posts: number;
  errors: number;
  warnings: number;
  cancelled: boolean;
}

/**
 * "Inkwell: Check All Posts": validates every post in the workspace and puts
 * the problems in the Problems panel, with progress and cancellation.
 */
export function checkAllPosts(validation: PostValidation, views: Views): Thenable<CheckAllResult> {
  return views.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Inkwell: checking posts', cancellable: true },
    async (progress, token): Promise<CheckAllResult> => {
      progress.report({ message: 'finding posts…' });
      await validation.posts.ready();
      const uris = validation.posts.index.all().map((p) => validation.posts.uriOf(p));
      validation.markWorkspaceChecked();
      const result: CheckAllResult = { posts: 0, errors: 0, warnings: 0, cancelled: false };
      const step = uris.length ? 100 / uris.length : 100;
      let lastReport = 0;
      for (const uri of uris) {
        if (token.isCancellationRequested) {
          result.cancelled = true;
          break;
        }
        const problems = await validation.checkFile(uri);
        result.posts++;
        for (const p of problems ?? []) {
          if (p.severity === 'error') result.errors++;
          else if (p.severity === 'warning') result.warnings++;
        }
        // Report progress in coarse steps: one message per post would flood the UI on big sites.
        if (result.posts - lastReport >= 25 || result.posts === uris.length) {
          progress.report({ increment: step * (result.posts - lastReport), message: `${result.posts} of ${uris.length}` });
          lastReport = result.posts;
        }
      }
      const summary = `${result.posts} post${result.posts === 1 ? '' : 's'} checked: ${result.errors} error${result.errors === 1 ? '' : 's'}, ${result.warnings} warning${result.warnings === 1 ? '' : 's'}${result.cancelled ? ' (cancelled)' : ''}.`;
      // Offer the Problems panel rather than opening it: focus stays where the user is.
      void vscode.window
        .showInformationMessage(`Inkwell: ${summary}`, ...(result.errors || result.warnings ? ['Show Problems'] : []))
        .then((choice) => {
          if (choice) void vscode.commands.executeCommand('workbench.actions.view.problems');
        });
      return result;
    },
  );
}
