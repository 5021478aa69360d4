import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

/** Options scripts/runIntegrationTests.mjs writes into the test workspace. */
export interface RunOptions {
  grep?: string;
  files?: string[];
  /** The repository root (extension development folder). */
  repo?: string;
  /** True when Inkwell was installed from a packaged VSIX rather than loaded from the repo. */
  vsix?: boolean;
  /** Set by `npm run bench`: where the activation benchmark writes its numbers. */
  benchOut?: string;
}

export function readRunOptions(): RunOptions {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return {};
  try {
    return JSON.parse(fs.readFileSync(path.join(folder.uri.fsPath, '.vscode', 'inkwell-test-options.json'), 'utf8')) as RunOptions;
  } catch {
    return {};
  }
}

/** The repository root: fixtures and node_modules live there. */
export function repoRoot(): string {
  return readRunOptions().repo ?? path.resolve(__dirname, '../../..');
}
