// Runs the same integration suites in a desktop VS Code downloaded by
// @vscode/test-electron. Needs internet; CI uses runIntegrationTests.mjs instead.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from './codeServer.mjs';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-ws-'));
fs.cpSync(path.join(repoRoot, 'samples', 'blog'), workspace, { recursive: true });
fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
fs.writeFileSync(path.join(workspace, '.vscode', 'inkwell-test-options.json'), JSON.stringify({ repo: repoRoot }));
try {
  await runTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  fs.rmSync(workspace, { recursive: true, force: true });
}
