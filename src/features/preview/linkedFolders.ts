import * as vscode from 'vscode';
import { onDidBlockExternalFile, setAllowedExternalFolders, type BlockedExternalFile } from '../../preview/resources';
import type { Logger } from '../../util/logger';
import { DisposableStore } from '../../util/dispose';

/** Workspace state key of the linked folders outside the workspace the user allowed. */
const ALLOWED_KEY = 'inkwell.preview.allowedLinkedFolders';

/**
 * A static folder may be a symbolic link to a folder outside the workspace (a shared
 * `uploads`). The previews show files from there only once the user allowed that
 * folder: they are asked the first time a preview needs one (in a trusted workspace;
 * an untrusted one never reads outside), and the answer is kept for the workspace.
 * **Allow the Previews to Show a Linked Folder…** asks again for a folder turned down.
 */
export function registerLinkedFolders(state: vscode.Memento, log: Logger): LinkedFolders {
  const store = new DisposableStore();
  const allowed = () => new Set(state.get<string[]>(ALLOWED_KEY, []));
  setAllowedExternalFolders(allowed());
  const blocked = new Map<string, BlockedExternalFile>();
  const asked = new Set<string>();

  const allow = async (b: BlockedExternalFile) => {
    const next = allowed().add(b.realFolder);
    await state.update(ALLOWED_KEY, [...next]);
    log.info(`Preview: showing files from ${b.realFolder} (static folder "${b.staticFolder}" links there), as allowed.`);
    setAllowedExternalFolders(next);
  };

  store.add(
    onDidBlockExternalFile((b) => {
      blocked.set(b.realFolder, b);
      if (asked.has(b.realFolder)) return;
      asked.add(b.realFolder);
      log.info(`Preview: not showing files from ${b.realFolder}, outside the workspace (static folder "${b.staticFolder}" links there).`);
      void vscode.window
        .showInformationMessage(
          `Inkwell: the static folder "${b.staticFolder}" links to ${b.realFolder}, outside the workspace. Show its images in the previews?`,
          'Allow',
          'Not Now',
        )
        .then((choice) => (choice === 'Allow' ? allow(b) : undefined));
    }),
  );
  const allowFolder = async (realFolder?: unknown) => {
    let target = typeof realFolder === 'string' ? blocked.get(realFolder) : undefined;
    if (!target) {
      if (!blocked.size) {
        void vscode.window.showInformationMessage('Inkwell: no preview has needed a linked folder outside the workspace.');
        return;
      }
      const pick = await vscode.window.showQuickPick(
        [...blocked.values()].map((b) => ({ label: b.realFolder, description: `linked from "${b.staticFolder}"`, b })),
        { placeHolder: 'Show images from this folder outside the workspace in the previews' },
      );
      target = pick?.b;
    }
    if (target) await allow(target);
  };
  return { allow: allowFolder, dispose: () => store.dispose() };
}

/** "Allow the Previews to Show a Linked Folder…". */
export interface LinkedFolders extends vscode.Disposable {
  /** Allows the folder `realFolder` (one a preview needed); without it, a quick pick of those asks. */
  allow(realFolder?: unknown): Promise<void>;
}
