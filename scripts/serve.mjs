// Serves the offline VS Code with Inkwell loaded from this folder and the
// sample blog open, until Ctrl+C. Settings persist in .vscode-test/serve/.
//
// code-server honours the URL's extensionDevelopmentPath only with the
// smoke-test driver on, and that driver hides notification toasts. So Inkwell is
// registered as an installed extension whose location is this folder: the
// workbench behaves as for a user, and `npm run watch` + "Developer: Reload
// Window" picks up changes.
import * as path from 'node:path';
import { registerThisFolder, repoRoot, startCodeServer, testHostRoot } from './codeServer.mjs';

const folder = path.resolve(process.argv[2] ?? path.join(repoRoot, 'samples', 'blog'));
const persistDir = path.join(testHostRoot, 'serve');
registerThisFolder(path.join(persistDir, 'extensions'));
const server = await startCodeServer({ persistDir });
const url = `${server.url}?folder=${encodeURIComponent(folder)}`;
console.log(
  `\nInkwell is running in VS Code (code-server). Open this URL in a browser on this machine:\n\n  ${url}\n\nPress Ctrl+C to stop.`,
);
const stop = () => {
  server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.child.on('exit', (code) => {
  console.log(`code-server exited (${code}).`);
  process.exit(code ?? 1);
});
