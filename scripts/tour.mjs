// Takes the README's screenshot tour (media/tour/*.png) by driving the real
// workbench as a user would: code-server with Inkwell loaded from this folder on a
// copy of the sample blog, Chromium at 1400×900, keyboard and command palette.
// Rerun after UI changes: `npm run tour` (builds first).
//
// Options: --out DIR (default media/tour), --only NAME[,NAME] (e.g. preview,gallery)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, registerThisFolder, repoRoot, startCodeServer } from './codeServer.mjs';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const outDir = path.resolve(opt('--out') ?? path.join(repoRoot, 'media', 'tour'));
const only = (opt('--only') ?? '').split(',').filter(Boolean);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (m) => console.log(`[tour] ${m}`);

/**
 * The shipped inkwell-gpt with a plain chat template (test/fixtures/chat-templates/plain.jinja), in
 * its own folder: the writing commands need an instruct model, and none can be downloaded here.
 * It is not one, so its words are a sketch; the diff and its buttons are what any model gets.
 */
function plainChatModel() {
  const models = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-tour-models-'));
  const dir = path.join(models, 'inkwell-gpt-chat');
  fs.cpSync(path.join(repoRoot, 'models', 'inkwell-gpt'), dir, { recursive: true });
  fs.copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'chat-templates', 'plain.jinja'), path.join(dir, 'chat_template.jinja'));
  return models;
}

/** Adds `settings` to the workspace's settings file (the workbench picks the change up). */
function addSettings(workspace, settings) {
  const file = path.join(workspace, '.vscode', 'settings.json');
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), ...settings }, null, 2));
}

function copyWorkspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-tour-'));
  fs.cpSync(path.join(repoRoot, 'samples', 'blog'), dir, { recursive: true });
  fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, '.vscode', 'settings.json'),
    JSON.stringify(
      {
        'workbench.colorTheme': 'Default Dark Modern',
        'editor.minimap.enabled': false,
        'window.commandCenter': false,
        'workbench.tips.enabled': false,
      },
      null,
      2,
    ),
  );
  return dir;
}

class Workbench {
  constructor(page) {
    this.page = page;
  }
  async palette(command, { pick, keepSelection = false } = {}) {
    const { page } = this;
    // Escape closes whatever is open; in the editor it would also drop a selection.
    if (!keepSelection) await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${command}`);
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: command.replace(/^Inkwell: /, '') })
      .first()
      .waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    if (pick !== undefined) {
      await page.locator('.quick-input-list .monaco-list-row', { hasText: pick }).first().waitFor({ timeout: 30_000 });
      await input.fill(pick);
      await sleep(300);
      await page.keyboard.press('Enter');
    }
  }
  async open(file) {
    const { page } = this;
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(file);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: file }).waitFor({ timeout: 30_000 });
    await sleep(1500);
  }
  async goto(line, column) {
    const { page } = this;
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(column ? `:${line}:${column}` : `:${line}`);
    await page.keyboard.press('Enter');
    await sleep(300);
  }
  async shot(name) {
    if (only.length && !only.includes(name)) return;
    const file = path.join(outDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    log(`wrote ${path.relative(repoRoot, file)}`);
  }
  /** Opens `file`, runs the suggestion command `name` and takes shot `shot` of its pick (a model may answer first). */
  async suggestion(file, name, shot) {
    const { page } = this;
    await this.open(file);
    await this.palette(`Inkwell: ${name}…`);
    await page.locator('.quick-input-widget:visible .quick-input-title', { hasText: name }).waitFor({ timeout: 120_000 });
    await sleep(1500);
    await this.shot(shot);
    await page.keyboard.press('Escape');
    await this.closeEditors();
  }
  async closeEditors() {
    await this.palette('View: Close All Editors');
    await sleep(500);
  }
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const workspace = copyWorkspace();
  const persistDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-tour-vscode-'));
  registerThisFolder(path.join(persistDir, 'extensions'));
  const server = await startCodeServer({ persistDir });
  const url = `${server.url}?folder=${encodeURIComponent(workspace)}`;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const want = (name) => only.length === 0 || only.includes(name);
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 180_000 });
    await page.getByText('Posts by Tag').first().waitFor({ timeout: 120_000 });
    await sleep(3000);
    const wb = new Workbench(page);

    if (want('walkthrough')) {
      log('walkthrough');
      await wb.palette('Welcome: Open Walkthrough...', { pick: 'Write a blog post with Inkwell' });
      await page.getByText('Write a blog post with Inkwell').first().waitFor({ timeout: 60_000 });
      await page.getByText('Check all posts').first().click();
      await sleep(6000);
      await wb.shot('walkthrough');
      await wb.closeEditors();
    }

    if (want('diagnostics') || want('quick-fix')) {
      log('diagnostics');
      await wb.open('notes-on-evaluation.md');
      await page.keyboard.press('Control+Shift+M');
      await page.locator('.markers-panel .monaco-list-row').first().waitFor({ timeout: 60_000 });
      await sleep(1500);
      await wb.shot('diagnostics');
      log('quick fix');
      await page.keyboard.press('Control+1'); // back to the editor
      await wb.goto(6, 6); // `Machine Learning`, a variant of the workspace's machine-learning
      await page.keyboard.press('Control+.');
      await page.getByText('Quick Fix', { exact: true }).first().waitFor({ timeout: 30_000 });
      await sleep(800);
      await wb.shot('quick-fix');
      await page.keyboard.press('Escape');
      await wb.palette('View: Toggle Panel Visibility'); // the Problems panel is open: this hides it
      await wb.closeEditors();
    }

    if (want('preview')) {
      log('preview');
      await wb.open('gans-in-one-afternoon.md');
      await wb.palette('Inkwell: Open Article Preview to the Side');
      await page
        .locator('.tab', { hasText: /Preview/ })
        .first()
        .waitFor({ timeout: 60_000 });
      await sleep(4000);
      await wb.shot('preview');
      await wb.closeEditors();
    }

    if (want('tag-page')) {
      log('tag page');
      await wb.palette('Inkwell: Preview Posts Tagged…', { pick: 'machine-learning' });
      await sleep(4000);
      await wb.shot('tag-page');
      await wb.closeEditors();
    }

    if (want('rename-tag')) {
      log('rename tag, refactor preview');
      await wb.open('gans-in-one-afternoon.md');
      await wb.palette('Inkwell: Rename Tag…', { pick: 'machine-learning' });
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill('ml');
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Preview Changes…' }).click({ timeout: 30_000 });
      await page.getByText('Refactor Preview').first().waitFor({ timeout: 30_000 });
      await sleep(2000);
      await wb.shot('rename-tag');
      await page.getByRole('button', { name: 'Discard' }).first().click({ timeout: 10_000 });
      await sleep(500);
      await wb.closeEditors();
    }

    if (want('suggest-tags')) {
      log('suggest tags');
      await wb.suggestion('exploring-generative-ai.md', 'Suggest Tags', 'suggest-tags');
    }

    if (['rewrite', 'summarize', 'suggest-title', 'suggest-description'].some(want)) {
      log('the writing commands, with a chat model');
      const models = plainChatModel();
      addSettings(workspace, { 'inkwell.models.paths': [models], 'inkwell.models.chat': 'inkwell-gpt-chat', 'inkwell.generation.seed': 3 });
      // The workbench reads the changed settings file a moment later.
      await sleep(4000);
      if (want('rewrite') || want('summarize')) {
        await wb.open('gans-in-one-afternoon.md');
        await wb.goto(17);
        await page.keyboard.press('Home');
        await page.keyboard.press('Shift+ArrowDown');
        await page.keyboard.press('Shift+ArrowDown');
        await page.keyboard.press('Shift+End');
        await wb.palette('Inkwell: Rewrite Selection…', { pick: 'Shorter', keepSelection: true });
        await page.getByText('proposal is in the diff').first().waitFor({ timeout: 120_000 });
        await sleep(1500);
        await wb.shot('rewrite');
        await wb.palette('Inkwell: Reject Proposal');
        await sleep(500);
        log('summarize');
        await wb.palette('Inkwell: Summarize (TL;DR)…', { pick: 'At the top' });
        await page.getByText('proposal is in the diff').first().waitFor({ timeout: 120_000 });
        await sleep(1500);
        await wb.shot('summarize');
        await wb.palette('Inkwell: Reject Proposal');
        await wb.closeEditors();
      }
      log('suggest title and description, with a chat model');
      await wb.suggestion('gans-in-one-afternoon.md', 'Suggest Title', 'suggest-title');
      await wb.suggestion('vae-latent-walks.md', 'Suggest Description', 'suggest-description');
      fs.rmSync(models, { recursive: true, force: true });
    }

    if (want('continuation')) {
      log('continuation');
      await wb.open('gans-in-one-afternoon.md');
      await wb.goto(30);
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await page.keyboard.type('The lesson I took from that afternoon is');
      await page.keyboard.press('Control+Alt+Enter');
      await sleep(8000);
      await wb.shot('continuation');
      await wb.palette('View: Revert File').catch(() => {});
      await wb.closeEditors();
    }

    if (want('gallery')) {
      log('image gallery');
      await wb.open('vae-latent-walks.md');
      await wb.goto(12);
      await wb.palette('Inkwell: Insert Generated Image');
      // A model pick may come first when several image models are installed.
      const picker = page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row');
      if (
        await picker
          .first()
          .isVisible({ timeout: 3000 })
          .catch(() => false)
      ) {
        await page.keyboard.press('Enter');
      }
      await page
        .locator('.tab', { hasText: /Image|Gallery/i })
        .first()
        .waitFor({ timeout: 60_000 });
      await sleep(6000);
      await wb.shot('gallery');
    }
  } catch (err) {
    const pages = browser.contexts().flatMap((c) => c.pages());
    if (pages[0]) await pages[0].screenshot({ path: path.join(os.tmpdir(), 'inkwell-tour-error.png') }).catch(() => {});
    console.error(`[tour] failed; the screen at that moment: ${path.join(os.tmpdir(), 'inkwell-tour-error.png')}`);
    throw err;
  } finally {
    await browser.close().catch(() => {});
    server.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(server.dirs.base, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
