import * as vscode from 'vscode';
import { TextBackendError } from '../../generation/textBackend';
import { API_KEY_SECRET, type TextBackendService } from '../../services/textBackendService';
import type { Logger } from '../../util/logger';
import type { Views } from '../../util/views';
import { readConfig, writeSetting } from '../../util/config';

/**
 * The server side of text generation in the editor: "Inkwell: Set API Key" (kept in VS Code's
 * secret storage, never in settings) and choosing among the server's models. An empty key
 * removes the stored one; without `value`, an input box asks.
 */
export async function setApiKey(secrets: vscode.SecretStorage, log: Logger, value?: unknown): Promise<void> {
  const key =
    typeof value === 'string'
      ? value
      : await vscode.window.showInputBox({
          title: 'Inkwell: Set API Key',
          prompt: 'The API key of the OpenAI-compatible server (inkwell.remote.baseUrl). Leave empty to remove the stored key.',
          password: true,
          ignoreFocusOut: true,
        });
  if (key === undefined) return;
  if (key.trim()) {
    await secrets.store(API_KEY_SECRET, key.trim());
    log.info('Server: API key stored in secret storage.');
  } else {
    await secrets.delete(API_KEY_SECRET);
    log.info('Server: API key removed from secret storage.');
  }
}

/** "Select Model" when text comes from a server: its models, written to `inkwell.remote.model`. */
export async function selectServerModel(text: TextBackendService, log: Logger, views: Views): Promise<string | undefined> {
  let names: string[];
  try {
    names = await views.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Inkwell: asking the server for its models…' },
      async () => (await text.remote.listModels()).map((m) => m.name),
    );
  } catch (err) {
    const message = err instanceof TextBackendError ? err.message : String(err);
    log.error(`Server: ${message}`);
    void vscode.window.showErrorMessage(`Inkwell: ${message}`);
    return undefined;
  }
  if (!names.length) {
    void vscode.window.showWarningMessage('Inkwell: the server lists no models.');
    return undefined;
  }
  const current = readConfig('remote').model;
  const chosen = await vscode.window.showQuickPick(
    names.map((name) => ({ label: name, description: name === current ? 'in use' : undefined })),
    { title: 'Inkwell: Select Model (server)' },
  );
  if (!chosen) return undefined;
  await writeSetting('remote', 'model', chosen.label);
  return chosen.label;
}
