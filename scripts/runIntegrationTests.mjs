// Runs the integration suites (out/test/integration/*.test.js) inside a real
// VS Code extension host: code-server serves the workbench, headless Chromium
// opens it with a test payload, and the smoke-test driver reports the result
// through window.codeAutomationLog / codeAutomationExit.
//
// Each suite runs in a fresh temporary copy of its workspace: samples/blog, or the
// folder its file declares in a comment line `@workspace DIR` (relative to the
// repository). A declared folder holding a `*.code-workspace` file opens as that
// multi-root workspace. Suites of different workspaces run one after the other,
// each in its own VS Code.
//
// Options: --grep PATTERN (mocha grep), --files a,b (suite file name filter),
//          --workspace DIR (run the selected suites on a copy of DIR instead),
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
const workbenchNoise =
  /^(Ignoring fetching|Updating additional builtin|Creating a socket|Resolv(ing|ed) connection token|\[(AccountPolicyGate|reconnection-grace-time|Service Worker|AgentHost)|Timed out waiting for authentication provider|Creation of workbench contribution|Unable to retrieve document from URI|document 'file:|Extension host \(Remote\) is (un)?responsive)/;
const timeoutMs = Number(process.env.INKWELL_INTEGRATION_TIMEOUT ?? 15 * 60_000);

const DEFAULT_WORKSPACE = 'samples/blog';
const testsPath = path.join(repoRoot, 'out', 'test', 'integration');

/** The workspace a suite declares (`@workspace DIR` in a comment line), else the default. */
function declaredWorkspace(suiteFile) {
  const source = path.join(repoRoot, 'test', 'integration', suiteFile.replace(/\.js$/, '.ts'));
  const text = fs.existsSync(source) ? fs.readFileSync(source, 'utf8') : '';
  return /^\s*(?:\/\/|\/?\*+)\s*@workspace\s+(\S+)/m.exec(text)?.[1] ?? DEFAULT_WORKSPACE;
}

/** The suites to run, grouped by the workspace they run in (the default first). */
function suitesByWorkspace() {
  const only = (opt('--files') ?? process.env.INKWELL_TEST_FILES ?? '').split(',').filter(Boolean);
  const files = fs
    .readdirSync(testsPath)
    .filter((f) => f.endsWith('.test.js'))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  const forced = opt('--workspace');
  const groups = new Map();
  if (!forced) groups.set(DEFAULT_WORKSPACE, []);
  for (const f of files) {
    const ws = forced ?? declaredWorkspace(f);
    if (!groups.has(ws)) groups.set(ws, []);
    groups.get(ws).push(f);
  }
  return [...groups].filter(([, suites]) => suites.length > 0);
}

/**
 * Copies `source` (relative to the repository, or absolute) to a temporary
 * folder. Returns the copy, what to open (`folder` or `workspace` for a
 * `*.code-workspace` file) and the first workspace folder, where the options go.
 */
function copyWorkspace(source) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-ws-'));
  fs.cpSync(path.resolve(repoRoot, source), dir, { recursive: true });
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.code-workspace'));
  if (!file) return { dir, open: { folder: dir }, firstFolder: dir };
  const config = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const first = config.folders?.[0]?.path;
  if (typeof first !== 'string') throw new Error(`${source}/${file} lists no folders.`);
  return { dir, open: { workspace: path.join(dir, file) }, firstFolder: path.resolve(dir, first) };
}

async function main() {
  if (!fs.existsSync(path.join(testsPath, 'index.js'))) throw new Error('Build first: out/test/integration/index.js is missing.');
  let worst = 0;
  for (const [source, suites] of suitesByWorkspace()) {
    const code = await runIn(source, suites);
    if (code !== 0 && worst === 0) worst = code;
  }
  process.exit(worst);
}

/** Runs `suites` (out/test/integration file names) in one VS Code on a copy of `source`. */
async function runIn(source, suites) {
  const { dir, open, firstFolder } = copyWorkspace(source);
  // The extension host does not inherit this process's environment, so options
  // travel in a file inside this run's own workspace copy (runs may overlap).
  fs.mkdirSync(path.join(firstFolder, '.vscode'), { recursive: true });
  fs.writeFileSync(
    path.join(firstFolder, '.vscode', 'inkwell-test-options.json'),
    JSON.stringify({
      grep: opt('--grep') ?? process.env.INKWELL_TEST_GREP ?? '',
      files: suites,
      repo: repoRoot,
      vsix: !!opt('--vsix'),
      benchOut: opt('--bench-out'),
    }),
  );
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
  const server = await startCodeServer({
    env,
    log,
    persistDir,
    smokeTestDriver: true,
    // Suites decide when the runtime starts; the background load has a test of its own that turns it on.
    settings: { 'inkwell.runtime.preloadModel': false },
  });
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [
    // VS Code runs extension tests only in development mode: with a VSIX, an empty
    // development extension stands in and Inkwell loads from the installed package.
    ['extensionDevelopmentPath', remote(vsix ? path.join(repoRoot, 'test/fixtures/vsix-test-host') : repoRoot)],
    ['extensionTestsPath', remote(testsPath)],
  ];
  const [what, where] = Object.entries(open)[0];
  const url = `${server.url}?${what}=${encodeURIComponent(where)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  console.log(`[integration] VS Code (code-server) on ${server.url}, ${what} ${where} (a copy of ${source}): ${suites.join(', ')}`);

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
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(server.dirs.base, { recursive: true, force: true });
  }
  console.log(`[integration] extension host tests (${source}) exited with code ${code}`);
  return code;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
