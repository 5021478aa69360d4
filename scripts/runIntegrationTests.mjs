// Runs the integration suites (out/test/integration/*.test.js) inside a real
// VS Code extension host: code-server serves the workbench, headless Chromium
// opens it with a test payload, and the smoke-test driver reports the result
// through window.codeAutomationLog / codeAutomationExit.
//
// Options: --grep PATTERN (mocha grep), --files a,b (suite file name filter),
//          --vsix FILE (install a packaged VSIX instead of the development folder)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, installExtension, repoRoot, startCodeServer } from './codeServer.mjs';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
// Workbench chatter forwarded by the smoke-test driver; shown only with INKWELL_TEST_VERBOSE=1.
const workbenchNoise = /^(Ignoring fetching|Updating additional builtin|Creating a socket|Resolv(ing|ed) connection token|\[(AccountPolicyGate|reconnection-grace-time|Service Worker|AgentHost)|Timed out waiting for authentication provider|Creation of workbench contribution|Unable to retrieve document from URI|document 'file:|Extension host \(Remote\) is (un)?responsive)/;
const timeoutMs = Number(process.env.INKWELL_INTEGRATION_TIMEOUT ?? 15 * 60_000);

function copyWorkspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-ws-'));
  fs.cpSync(path.join(repoRoot, 'samples', 'blog'), dir, { recursive: true });
  return dir;
}

async function main() {
  const workspace = copyWorkspace();
  // The extension host does not inherit this process's environment, so options
  // travel in a file inside this run's own workspace copy (runs may overlap).
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(workspace, '.vscode', 'inkwell-test-options.json'), JSON.stringify({
    grep: opt('--grep') ?? process.env.INKWELL_TEST_GREP ?? '',
    files: (opt('--files') ?? process.env.INKWELL_TEST_FILES ?? '').split(',').filter(Boolean),
    repo: repoRoot,
    vsix: !!opt('--vsix'),
    benchOut: opt('--bench-out'),
  }));
  const testsPath = path.join(repoRoot, 'out', 'test', 'integration');
  if (!fs.existsSync(path.join(testsPath, 'index.js'))) throw new Error('Build first: out/test/integration/index.js is missing.');
  const env = {};
  const verbose = !!process.env.INKWELL_TEST_VERBOSE;
  const log = verbose ? (t) => process.stderr.write(`[code-server] ${t}`) : () => {};
  const vsix = opt('--vsix');
  let persistDir;
  if (vsix) {
    // Test the packaged extension: install the VSIX the way a user would, then
    // run the suites against it instead of the development folder.
    persistDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-vsix-'));
    await installExtension(path.resolve(vsix), persistDir);
    console.log(`[integration] installed ${vsix}`);
  }
  const server = await startCodeServer({ env, log, persistDir, smokeTestDriver: true });
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [
    // VS Code runs extension tests only in development mode: with a VSIX, an empty
    // development extension stands in and Inkwell loads from the installed package.
    ['extensionDevelopmentPath', remote(vsix ? path.join(repoRoot, 'test/fixtures/vsix-test-host') : repoRoot)],
    ['extensionTestsPath', remote(testsPath)],
  ];
  const url = `${server.url}?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  console.log(`[integration] VS Code (code-server) on ${server.url}, workspace ${workspace}`);

  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  let code;
  try {
    const page = await browser.newPage();
    const exited = new Promise((resolve) => {
      page.exposeFunction('codeAutomationExit', (c) => resolve(Number(c)));
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      // The host forwards console.* arguments; format them as console would.
      const text = format(...(Array.isArray(args) ? args : [args]));
      if (!verbose && workbenchNoise.test(text)) return;
      if (type === 'error') process.stderr.write(text + '\n');
      else process.stdout.write(text + '\n');
    });
    if (verbose) page.on('console', (m) => process.stderr.write(`[browser] ${m.text()}\n`));
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 180_000 });
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => {
        console.error(`[integration] timed out after ${timeoutMs / 1000} s`);
        resolve(124);
      }, timeoutMs);
    });
    code = await Promise.race([exited, timeout]);
    clearTimeout(timer);
  } finally {
    await browser.close().catch(() => {});
    server.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(server.dirs.base, { recursive: true, force: true });
  }
  console.log(`[integration] extension host tests exited with code ${code}`);
  process.exit(code);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
