// Serves the offline VS Code with Inkwell loaded from this folder and the
// sample blog open, until Ctrl+C. Settings persist in .vscode-test/serve/.
import * as path from 'node:path';
import { repoRoot, startCodeServer, testHostRoot } from './codeServer.mjs';

const folder = path.resolve(process.argv[2] ?? path.join(repoRoot, 'samples', 'blog'));
const server = await startCodeServer({ persistDir: path.join(testHostRoot, 'serve') });
const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${repoRoot}`]];
const url = `${server.url}?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
console.log(`\nInkwell is running in VS Code (code-server). Open this URL in a browser on this machine:\n\n  ${url}\n\nPress Ctrl+C to stop.`);
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
