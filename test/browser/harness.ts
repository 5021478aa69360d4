/**
 * Shared set-up for tests that load preview pages into real Chromium: the
 * browser, the webview script bundled from source, and a stand-in for the
 * VS Code webview host (acquireVsCodeApi, resources served from one origin).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Browser, BrowserContext, chromium } from 'playwright-core';
import type { WebviewToHost } from '../../src/preview/previewMessages';
import chromiumArgs from '../../scripts/chromiumArgs.json';
import { bundleForBrowser } from '../support/bundle';

/** The origin the tests serve pages from; it plays `webview.cspSource`. */
export const ORIGIN = 'https://inkwell.test';
export const repoRoot = path.resolve(__dirname, '..', '..');

/** Starts Chromium (INKWELL_CHROMIUM or /usr/bin/chromium) with the flags the integration runs use. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.INKWELL_CHROMIUM ?? '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}; set INKWELL_CHROMIUM.`);
  return chromium.launch({ executablePath, args: chromiumArgs });
}

/** Bundles src/webview/preview.ts the way esbuild.js does, so tests check the source tree. */
export function bundleWebviewScript(): Promise<string> {
  return bundleForBrowser('src/webview/preview.ts');
}

/**
 * Installs the webview host stand-in on a context: `acquireVsCodeApi` whose
 * postMessage lands in `messages`. A string script, because the test runner's
 * transpiler would inject helpers into a function that the page lacks.
 */
export async function installHostApi(context: BrowserContext, messages: WebviewToHost[]): Promise<void> {
  await context.exposeBinding('__inkwellHost', (_source, json: string) => {
    messages.push(JSON.parse(json) as WebviewToHost);
  });
  await context.addInitScript(`(() => {
    let saved;
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__inkwellHost(JSON.stringify(m)),
      setState: (s) => { saved = s; },
      getState: () => saved,
    });
  })();`);
}

/**
 * Serves a preview page on ORIGIN as the webview would load it: the page, the bundled
 * webview script and media/preview.css; anything else is 404, any other origin aborted.
 */
export async function servePreviewPage(context: BrowserContext, html: string, script: string): Promise<void> {
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== ORIGIN) return route.abort();
    if (url.pathname === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
    if (url.pathname === '/preview.js') return route.fulfill({ contentType: 'text/javascript', body: script });
    if (url.pathname === '/preview.css')
      return route.fulfill({ contentType: 'text/css', body: fs.readFileSync(path.join(repoRoot, 'media/preview.css')) });
    return route.fulfill({ status: 404, body: '' });
  });
}
