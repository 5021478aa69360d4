// Tests the README's first command the way a newcomer runs it: a fresh clone
// (no node_modules, no dist, no .vscode-test), `npm start` through npm itself,
// then the printed URL opened in Chromium. Passes when the workbench loads with
// Inkwell in it and a notification toast appears for an Inkwell command (the
// user-facing instance must not run with the smoke-test driver, which drops
// toasts).
//
// Options:
//   --adopt-test-host  after a pass, move the clone's freshly installed test host
//                      (.vscode-test/node24, .vscode-test/code-server) into this
//                      checkout when it has none, so CI installs code-server once.
//   --keep             keep the clone (printed) for inspection.
//   --screenshot FILE  save a screenshot of the workbench after the toast appears.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, repoRoot, testHostInstalled } from './codeServer.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const startTimeoutMs = Number(process.env.INKWELL_FRESH_START_TIMEOUT ?? 25 * 60_000);

const t0 = Date.now();
const log = (msg) => console.log(`[fresh-start ${Math.round((Date.now() - t0) / 1000)}s] ${msg}`);

function freshClone() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-fresh-'));
  const clone = path.join(dir, 'inkwell');
  execFileSync('git', ['clone', '--quiet', repoRoot, clone], { stdio: 'inherit' });
  return { dir, clone };
}

/** A newcomer's environment: none of this run's own npm or Inkwell variables. */
function newcomerEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|INKWELL_)/i.test(k) || k === 'INIT_CWD' || k === 'ONNXRUNTIME_NODE_INSTALL') continue;
    env[k] = v;
  }
  // Open in a browser even where a desktop `code` happens to be installed.
  env.INKWELL_NO_DESKTOP = '1';
  return env;
}

/** Runs `npm start` in the clone and resolves with the URL it prints. */
function npmStart(clone) {
  const child = spawn('npm', ['start'], {
    cwd: clone,
    env: newcomerEnv(),
    detached: true, // own process group: we stop npm, code-server and its children together
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 2000).unref();
  };
  process.on('exit', stop);
  const url = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      const text = chunk.toString();
      output += text;
      process.stdout.write(text.replace(/^/gm, '  | '));
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/.exec(output);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`npm start exited (${code}) before printing a URL`)));
    setTimeout(() => reject(new Error(`npm start printed no URL within ${startTimeoutMs / 1000} s`)), startTimeoutMs).unref();
  });
  return { url, stop, output: () => output };
}

/**
 * What a newcomer reads while `npm start` sets up: each step named with how long it takes, and
 * during the long installs a line at least every INKWELL_PROGRESS_SECONDS (20 s) saying it is alive.
 */
function checkProgressOutput(output) {
  const expected = [
    /\[inkwell\] npm packages \(first run only: about a minute\)/,
    /\[inkwell\] installing npm packages: done in \d+s/,
    /\[inkwell\] building the extension/,
    /\[test-host\] step 2 of 2: code-server .*about 3 minutes on a quiet 2-core machine, up to 15 on a busy one/s,
    /\[test-host\] installing code-server: done in \d+s/,
    /\[inkwell\] starting VS Code \(code-server\)/,
  ];
  const missing = expected.filter((re) => !re.test(output));
  if (missing.length) throw new Error(`npm start did not say what it was doing: no ${missing.join(', ')}`);
  const took = Number(/installing code-server: done in (\d+)s/.exec(output)[1]);
  const alive = (output.match(/\[test-host\] still installing code-server… \d+s/g) ?? []).length;
  // One line per 20 s of the install (the last interval may end without one).
  if (alive < Math.floor(took / 20) - 1) throw new Error(`code-server took ${took} s to install but npm start said so only ${alive} times`);
  log(`npm start named its steps; code-server took ${took} s with ${alive} progress lines`);
}

async function checkWorkbench(url, screenshot) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  const html = await res.text();
  if (!/workbench/i.test(html)) throw new Error('The URL did not serve the VS Code workbench page.');
  log('the URL serves the workbench page; opening it in Chromium');

  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 180_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 180_000 });
    log(`window title: ${await page.title()}`);
    // The sample blog's explorer shows the Posts by Tag view once Inkwell is loaded.
    await page.getByText('Posts by Tag', { exact: false }).first().waitFor({ timeout: 120_000 });
    log('the Posts by Tag view is shown');
    // Run Check All Posts from the command palette, as a user would; its result is a
    // notification toast with a button.
    const toasts = page.locator('.notifications-toasts .notification-toast');
    for (let attempt = 0; attempt < 3; attempt++) {
      await page
        .locator('.monaco-workbench')
        .click({ position: { x: 700, y: 400 } })
        .catch(() => {});
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: 30_000 });
      await input.fill('>Inkwell: Check All Posts');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Check All Posts' }).first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Enter');
      try {
        await toasts.filter({ hasText: /post/i }).first().waitFor({ timeout: 60_000 });
        break;
      } catch (err) {
        if (attempt === 2) throw new Error(`No notification toast appeared after Inkwell: Check All Posts (${err.message.split('\n')[0]})`);
      }
    }
    log(`notification shown: ${JSON.stringify((await toasts.first().innerText()).replace(/\s+/g, ' ').trim())}`);
    if (screenshot) {
      fs.mkdirSync(path.dirname(path.resolve(screenshot)), { recursive: true });
      await page.screenshot({ path: screenshot });
      log(`screenshot: ${screenshot}`);
    }
  } finally {
    await browser.close().catch(() => {});
  }
}

function adoptTestHost(clone) {
  if (testHostInstalled()) return;
  const from = path.join(clone, '.vscode-test');
  const to = path.join(repoRoot, '.vscode-test');
  fs.mkdirSync(to, { recursive: true });
  for (const part of ['node24', 'code-server']) {
    fs.rmSync(path.join(to, part), { recursive: true, force: true });
    fs.renameSync(path.join(from, part), path.join(to, part));
  }
  log(`adopted the clone's test host into ${to}`);
}

async function main() {
  const { dir, clone } = freshClone();
  log(`fresh clone in ${clone}; running \`npm start\``);
  const started = npmStart(clone);
  let ok = false;
  try {
    const url = await started.url;
    log(`npm start printed ${url.slice(0, 60)}…`);
    checkProgressOutput(started.output());
    await checkWorkbench(url, opt('--screenshot'));
    ok = true;
  } finally {
    started.stop();
    await new Promise((r) => setTimeout(r, 2500));
    if (ok && flag('--adopt-test-host')) adoptTestHost(clone);
    if (flag('--keep')) log(`kept ${clone}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  log('PASS: npm start from a fresh clone serves the workbench with Inkwell, and notifications show');
}

main().catch((err) => {
  console.error(`[fresh-start] FAIL: ${err.stack ?? err}`);
  process.exit(1);
});
