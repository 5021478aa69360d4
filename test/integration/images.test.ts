import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { decodePng, encodePng, pngChunk } from '../../src/generation/image/png';
import { deflateSync } from 'zlib';
import { provenanceText, readProvenance } from '../../src/generation/image/provenance';
import type { InsertedImage } from '../../src/features/images/insertImage';
import type { GalleryHostMessage, GalleryWebviewMessage } from '../../src/preview/galleryPage';
import type { ModelCheckResult } from '../../src/runtime/protocol';
import type { InkwellTestSupport, WatchedWebview } from '../../src/testSupport';
import { closeAll, inkwell, lastLogLine, messagesOf, openPost, openWebview, testing, waitFor, workspaceRoot } from './helpers';
import { repoRoot } from './repo';

const fixtures = path.join(repoRoot(), 'test', 'fixtures', 'models');
const DISPLAY = 96;

async function setImages(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('inkwell.images').update(key, value, vscode.ConfigurationTarget.Workspace);
}

async function setModel(dir: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('inkwell.models').update('image', dir, vscode.ConfigurationTarget.Workspace);
}

async function read(uri: string) {
  return decodePng(await vscode.workspace.fs.readFile(vscode.Uri.parse(uri)));
}

/** Puts the cursor at the end of the document (after the frontmatter, so both edits can apply). */
function cursorToEnd(editor: vscode.TextEditor): void {
  const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
  editor.selection = new vscode.Selection(end, end);
}

function frontmatterImage(text: string): string | undefined {
  return /^image:\s*(.*)$/m.exec(text.split(/^---\s*$/m)[1] ?? '')?.[1]?.trim();
}

/** The image gallery as its page shows it: whether it is ready for a click, and how many candidates it has made. */
interface GalleryView {
  page: WatchedWebview;
  /** Candidates made so far, as the status line counts them. */
  candidates: number;
  /** Thumbnails in the grid now. */
  shown: number;
}

/** The open gallery once its page is up, not busy and has shown at least `atLeast` candidates. */
function settledGallery(t: InkwellTestSupport, atLeast: number): GalleryView | undefined {
  const page = openWebview(t, 'inkwell.imageGallery');
  if (!page || !messagesOf<GalleryWebviewMessage, 'ready'>(page.received, 'ready').length) return undefined;
  const status = messagesOf<GalleryHostMessage, 'status'>(page.posted, 'status').pop();
  const candidates = Number(/^(\d+) candidates$/.exec(status?.text ?? '')?.[1] ?? 0);
  let shown = 0;
  for (const m of messagesOf<GalleryHostMessage, 'items'>(page.posted, 'items')) shown = (m.replace ? 0 : shown) + m.items.length;
  return status && !status.busy && candidates >= atLeast ? { page, candidates, shown } : undefined;
}

/** Sends "Use" as the gallery page does and returns the link the gallery reports inserted. */
async function useInGallery(page: WatchedWebview, message: Extract<GalleryWebviewMessage, { type: 'use' }>): Promise<string> {
  const before = page.posted.length;
  page.send(message);
  const done = await waitFor(
    () =>
      page.posted.slice(before).find((m): m is GalleryHostMessage => {
        const type = (m as GalleryHostMessage).type;
        return type === 'used' || type === 'error';
      }),
    'the gallery to insert the image',
  );
  assert.strictEqual(done.type, 'used', JSON.stringify(done));
  return done.type === 'used' ? done.link : '';
}

/** The file an image link in a post points at. */
function linkedFile(post: vscode.TextDocument, link: string): vscode.Uri {
  return vscode.Uri.joinPath(post.uri, '..', link);
}

suite('Generated images', function () {
  // The first test starts the model runtime process; on a busy machine that takes a while.
  this.timeout(180000);

  suiteSetup(async () => {
    await inkwell();
    await setModel(path.join(fixtures, 'tiny-gan'));
    await setImages('displaySize', DISPLAY);
    await setImages('count', 4);
  });

  suiteTeardown(async () => {
    await closeAll();
    await setModel(undefined);
    for (const key of ['displaySize', 'count', 'pathTemplate', 'upscale']) await setImages(key, undefined);
  });

  teardown(closeAll);

  test('inserting an image in the text saves a PNG of the display size and links it at the cursor only', async () => {
    const editor = await openPost('posts/notes-on-evaluation.md');
    assert.strictEqual(frontmatterImage(editor.document.getText()), undefined, 'the post starts without an image');
    cursorToEnd(editor);
    // No alt text given: it comes from the paragraph the image follows.
    const result = await vscode.commands.executeCommand<InsertedImage>('inkwell.insertImage', { seed: 1234, choose: 2 });
    assert.ok(result, 'the command reports what it inserted');
    assert.strictEqual(result.seed, 1236, 'candidate 2 of a batch from seed 1234');
    assert.strictEqual(result.link, 'images/notes-on-evaluation-1236.png');
    assert.strictEqual(
      vscode.Uri.parse(result.uri).fsPath,
      path.join(workspaceRoot().fsPath, 'posts', 'images', 'notes-on-evaluation-1236.png'),
    );

    const png = await read(result.uri);
    assert.deepStrictEqual([png.width, png.height], [DISPLAY, DISPLAY]);
    const provenance = readProvenance(png.text);
    assert.strictEqual(provenance?.model, 'tiny-gan');
    assert.strictEqual(provenance?.seed, 1236);

    const text = editor.document.getText();
    assert.ok(
      text.trimEnd().endsWith('![Accuracy does not apply when there is no single right answer](images/notes-on-evaluation-1236.png)'),
      `the link is at the cursor, described by the paragraph before it: ${text.slice(-120)}`,
    );
    // Its own paragraph: glued to the text above, it would render inside that paragraph.
    assert.match(text, /\S\n\n!\[Accuracy does not apply[^\n]*\)\n$/, 'a blank line before the image');
    assert.strictEqual(frontmatterImage(text), undefined, 'the image is shown once: not also as the hero image');
    assert.strictEqual(result.frontmatterUpdated, false);
  });

  test('with the cursor in the frontmatter the image becomes the hero image only', async () => {
    const editor = await openPost('posts/notes-on-evaluation.md');
    const inFrontmatter = new vscode.Position(2, 3);
    editor.selection = new vscode.Selection(inFrontmatter, inFrontmatter);
    const result = await vscode.commands.executeCommand<InsertedImage>('inkwell.insertImage', { seed: 31, choose: 0 });
    assert.ok(result?.frontmatterUpdated, JSON.stringify(result));
    const text = editor.document.getText();
    assert.strictEqual(frontmatterImage(text), 'images/notes-on-evaluation-31.png');
    assert.ok(!text.includes('!['), 'no inline link as well');
  });

  test('Undo of an inserted image deletes its now unused file, and Redo brings it back', async () => {
    const editor = await openPost('posts/notes-on-evaluation.md');
    cursorToEnd(editor);
    const result = await vscode.commands.executeCommand<InsertedImage>('inkwell.insertImage', { seed: 909, choose: 0, alt: 'undo me' });
    assert.ok(result);
    const file = vscode.Uri.parse(result.uri);
    const exists = async () =>
      vscode.workspace.fs.stat(file).then(
        () => true,
        () => false,
      );
    assert.ok(await exists(), 'the PNG is saved');
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('undo');
    await waitFor(() => !editor.document.getText().includes(result.link), 'Undo to take the link out');
    await waitFor(async () => !(await exists()), 'the orphaned PNG to be deleted');
    await vscode.commands.executeCommand('redo');
    await waitFor(() => editor.document.getText().includes(result.link), 'Redo to put the link back');
    await waitFor(exists, 'the PNG to be written again');
  });

  test('the same seed gives the same bytes, and an existing file is never overwritten', async () => {
    const editor = await openPost('posts/notes-on-evaluation.md');
    cursorToEnd(editor);
    const first = await vscode.commands.executeCommand<InsertedImage>('inkwell.insertImage', { seed: 500, choose: 0, alt: 'one' });
    cursorToEnd(editor);
    const second = await vscode.commands.executeCommand<InsertedImage>('inkwell.insertImage', { seed: 500, choose: 0, alt: 'two' });
    assert.ok(first && second);
    assert.notStrictEqual(second.uri, first.uri);
    assert.strictEqual(second.link, 'images/notes-on-evaluation-500-2.png');
    const a = await vscode.workspace.fs.readFile(vscode.Uri.parse(first.uri));
    const b = await vscode.workspace.fs.readFile(vscode.Uri.parse(second.uri));
    assert.ok(Buffer.from(a).equals(Buffer.from(b)), 'identical PNG bytes');
    assert.ok(!first.frontmatterUpdated && !second.frontmatterUpdated, 'both went in at the cursor');
  });

  test('a site-root template saves into the static folder, links from the root and keeps a set image:', async () => {
    await setImages('pathTemplate', '/uploads/${slug}-${seed}.png');
    try {
      const editor = await openPost('posts/gans-in-one-afternoon.md');
      const before = frontmatterImage(editor.document.getText());
      cursorToEnd(editor);
      const result = await vscode.commands.executeCommand<InsertedImage>('inkwell.insertImage', { seed: 77, choose: 1, alt: 'x' });
      assert.ok(result);
      assert.strictEqual(result.link, '/uploads/gans-in-one-afternoon-78.png');
      assert.strictEqual(
        vscode.Uri.parse(result.uri).fsPath,
        path.join(workspaceRoot().fsPath, 'static', 'uploads', 'gans-in-one-afternoon-78.png'),
      );
      assert.strictEqual(frontmatterImage(editor.document.getText()), before, 'image: stays as it was');
    } finally {
      await setImages('pathTemplate', undefined);
    }
  });

  test('the gallery opens with the configured number of candidates', async () => {
    const t = await testing();
    await openPost('posts/vae-latent-walks.md');
    await vscode.commands.executeCommand('inkwell.insertImage');
    const gallery = await waitFor(() => settledGallery(t, 1), 'the gallery to show candidates', 30000);
    assert.strictEqual(gallery.candidates, 4);
    assert.strictEqual(gallery.shown, 4);
    assert.deepStrictEqual(messagesOf<GalleryHostMessage, 'error'>(gallery.page.posted, 'error'), []);
    // The line under the heading names the model once the candidates are there.
    const subtitle = messagesOf<GalleryHostMessage, 'subtitle'>(gallery.page.posted, 'subtitle').pop();
    assert.deepStrictEqual(subtitle, { type: 'subtitle', text: 'Tiny GAN (test fixture) · GAN · new images' });
  });

  test('the gallery ignores messages its page would never send, and says so in the log', async () => {
    const t = await testing();
    await openPost('posts/vae-latent-walks.md');
    await vscode.commands.executeCommand('inkwell.insertImage');
    const { page } = await waitFor(() => settledGallery(t, 1), 'the gallery to show candidates', 30000);
    const posted = page.posted.length;
    const bad: unknown[] = [
      { type: 'use', id: -1, alt: 'negative id' },
      { type: 'use', id: 1.5, alt: 'fractional id' },
      { type: 'use', id: 1, alt: 42 },
      { type: 'use', id: 1, alt: 'x'.repeat(5000) },
      { type: 'use', id: 1, alt: 'hero is no boolean', hero: 'yes' },
      { type: 'vary', id: '2' },
      { type: 'saveAs', path: '/etc/passwd' },
      'more',
      null,
    ];
    for (const m of bad) page.send(m);
    const ignored = t.log.filter((l) => l.level === 'warn' && l.message.startsWith('Image gallery: ignored a message'));
    assert.ok(ignored.length >= bad.length, ignored.map((l) => l.message).join('\n'));
    assert.strictEqual(page.posted.length, posted, 'the gallery did nothing for them');
  });

  test('"Use as hero image" in the gallery replaces the hero image and links nothing in the text', async () => {
    const t = await testing();
    const editor = await openPost('posts/vae-latent-walks.md');
    cursorToEnd(editor);
    const before = editor.document.getText();
    await vscode.commands.executeCommand('inkwell.insertImage');
    const { page } = await waitFor(() => settledGallery(t, 1), 'the gallery to show candidates', 30000);
    const link = await useInGallery(page, { type: 'use', id: 1, alt: 'ignored for a hero image', hero: true });
    const text = editor.document.getText();
    assert.strictEqual(frontmatterImage(text), link);
    assert.strictEqual(text.split('---').slice(2).join('---'), before.split('---').slice(2).join('---'), 'the body is unchanged');
  });

  test('the gallery handles More, Vary and Use as its page sends them', async () => {
    const t = await testing();
    const editor = await openPost('posts/vae-latent-walks.md');
    cursorToEnd(editor);
    await vscode.commands.executeCommand('inkwell.insertImage');
    const { page } = await waitFor(() => settledGallery(t, 4), 'the first batch', 30000);
    page.send({ type: 'more' } satisfies GalleryWebviewMessage);
    const more = await waitFor(() => settledGallery(t, 8), 'the second batch');
    assert.deepStrictEqual([more.candidates, more.shown], [8, 8]);
    page.send({ type: 'vary', id: 2 } satisfies GalleryWebviewMessage);
    // The grid now shows the varied image itself, recreated, and four variations of it.
    const varied = await waitFor(() => settledGallery(t, 13), 'the variations');
    assert.deepStrictEqual([varied.candidates, varied.shown], [13, 5]);
    // Id 9 is the recreated original; 10 is its first variation.
    const link = await useInGallery(page, { type: 'use', id: 10, alt: 'Chosen in the gallery' });
    assert.ok(link.startsWith('images/vae-latent-walks-'), link);
    assert.ok(editor.document.getText().includes(`![Chosen in the gallery](${link})`), editor.document.getText().slice(-200));
    const png = await read(linkedFile(editor.document, link).toString());
    assert.deepStrictEqual([png.width, png.height], [DISPLAY, DISPLAY]);
    assert.strictEqual(readProvenance(png.text)?.method, 'variation');
    assert.deepStrictEqual(messagesOf<GalleryHostMessage, 'error'>(page.posted, 'error'), []);
  });

  test('regenerating from an inserted image recreates it exactly from its provenance', async () => {
    const editor = await openPost('posts/notes-on-evaluation.md');
    cursorToEnd(editor);
    const original = await vscode.commands.executeCommand<InsertedImage>('inkwell.insertImage', { seed: 4242, choose: 0, alt: 'original' });
    assert.ok(original);
    // Put the cursor inside the link just inserted.
    const at = editor.document.getText().lastIndexOf(original.link);
    const pos = editor.document.positionAt(at + 3);
    editor.selection = new vscode.Selection(pos, pos);
    const again = await vscode.commands.executeCommand<InsertedImage>('inkwell.regenerateImage', { choose: 0, alt: 'again' });
    assert.ok(again, `regenerate reports what it inserted (log: ${lastLogLine(await testing(), /^Images: /)})`);
    assert.notStrictEqual(again.uri, original.uri);
    const a = await vscode.workspace.fs.readFile(vscode.Uri.parse(original.uri));
    const b = await vscode.workspace.fs.readFile(vscode.Uri.parse(again.uri));
    assert.ok(Buffer.from(a).equals(Buffer.from(b)), 'candidate 0 is the original, byte for byte');
    const variation = await vscode.commands.executeCommand<InsertedImage>('inkwell.regenerateImage', {
      image: original.uri,
      choose: 1,
      seed: 9,
      alt: 'variation',
    });
    assert.ok(variation);
    const v = await read(variation.uri);
    assert.strictEqual(readProvenance(v.text)?.method, 'variation');
    assert.strictEqual(readProvenance(v.text)?.latent?.length, 16);
  });

  test('a VAE varies a PNG without provenance by encoding it', async () => {
    await setModel(path.join(fixtures, 'tiny-vae'));
    try {
      const editor = await openPost('posts/gans-in-one-afternoon.md');
      cursorToEnd(editor);
      const grid = vscode.Uri.joinPath(workspaceRoot(), 'static', 'uploads', 'gan-grid.png').toString();
      const result = await vscode.commands.executeCommand<InsertedImage>('inkwell.regenerateImage', {
        image: grid,
        choose: 0,
        seed: 3,
        alt: 'vae',
      });
      assert.ok(result);
      const png = await read(result.uri);
      assert.deepStrictEqual([png.width, png.height], [DISPLAY, DISPLAY]);
      const p = readProvenance(png.text);
      assert.strictEqual(p?.model, 'tiny-vae');
      assert.strictEqual(p?.method, 'variation');
    } finally {
      await setModel(path.join(fixtures, 'tiny-gan'));
    }
  });

  test('a PNG whose provenance chunk is a zlib bomb is varied as a plain PNG, without inflating the bomb', async () => {
    await setModel(path.join(fixtures, 'tiny-vae'));
    const bombed = vscode.Uri.joinPath(workspaceRoot(), 'static', 'uploads', 'bombed.png');
    try {
      // 64 MiB of text deflated to about 64 KB, as the inkwell:provenance chunk, right after IHDR.
      const grid = Buffer.from(
        await vscode.workspace.fs.readFile(vscode.Uri.joinPath(workspaceRoot(), 'static', 'uploads', 'gan-grid.png')),
      );
      const data = Buffer.concat([Buffer.from('inkwell:provenance\0\0', 'latin1'), deflateSync(Buffer.alloc(64 * 2 ** 20, 0x7b))]);
      await vscode.workspace.fs.writeFile(bombed, Buffer.concat([grid.subarray(0, 33), pngChunk('zTXt', data), grid.subarray(33)]));
      const editor = await openPost('posts/gans-in-one-afternoon.md');
      cursorToEnd(editor);
      const before = process.memoryUsage().arrayBuffers;
      const result = await vscode.commands.executeCommand<InsertedImage>('inkwell.regenerateImage', {
        image: bombed.toString(),
        choose: 0,
        seed: 4,
        alt: 'bombed',
      });
      assert.ok(result, 'the image was varied');
      // The bomb would hold 64 MiB in this process if it had been inflated.
      assert.ok(process.memoryUsage().arrayBuffers - before < 32 * 2 ** 20, 'the provenance chunk was not inflated in full');
      const p = readProvenance((await read(result.uri)).text);
      assert.strictEqual(p?.method, 'variation', 'encoded as a PNG without provenance');
    } finally {
      await vscode.workspace.fs.delete(bombed).then(undefined, () => undefined);
      await setModel(path.join(fixtures, 'tiny-gan'));
    }
  });

  test('a TOML post gets image = "…" and two PNGs blend', async () => {
    const editor = await openPost('posts/fine-tuning-gpt-on-your-posts.md');
    cursorToEnd(editor);
    const a = await vscode.commands.executeCommand<InsertedImage>('inkwell.insertImage', { seed: 10, choose: 0, alt: 'a', hero: true });
    assert.ok(a?.frontmatterUpdated);
    assert.match(editor.document.getText(), /^\+\+\+[\s\S]*\nimage = "images\/fine-tuning-gpt-on-your-posts-10\.png"\n\+\+\+/);
    cursorToEnd(editor);
    const b = await vscode.commands.executeCommand<InsertedImage>('inkwell.insertImage', { seed: 20, choose: 0, alt: 'b' });
    assert.ok(b);
    const blend = await vscode.commands.executeCommand<InsertedImage>('inkwell.regenerateImage', {
      image: a.uri,
      blendWith: b.uri,
      choose: 1,
      alt: 'blend',
    });
    assert.ok(blend, `blend inserted (log: ${lastLogLine(await testing(), /^Images: /)})`);
    const p = readProvenance((await read(blend.uri)).text);
    assert.strictEqual(p?.method, 'blend');
    assert.deepStrictEqual(p?.parentSeeds, [10, 20]);
    assert.strictEqual(p?.t, 0.4, 'the second of four blends');
  });

  test('with default settings the shipped inkwell-gan makes the image', async function () {
    if (!fs.existsSync(path.join(repoRoot(), 'models', 'inkwell-gan', 'manifest.json'))) this.skip();
    await setModel(undefined);
    try {
      const editor = await openPost('posts/exploring-generative-ai.md');
      cursorToEnd(editor);
      const result = await vscode.commands.executeCommand<InsertedImage>('inkwell.insertImage', { seed: 2024, choose: 0, alt: 'emoji' });
      assert.ok(result, `inserted (log: ${lastLogLine(await testing(), /^Images: /)})`);
      const png = await read(result.uri);
      assert.deepStrictEqual([png.width, png.height], [DISPLAY, DISPLAY]);
      assert.strictEqual(readProvenance(png.text)?.model, 'inkwell-gan');
    } finally {
      await setModel(path.join(fixtures, 'tiny-gan'));
    }
  });

  test('Check Model reports an image model and its test image', async () => {
    const check = await vscode.commands.executeCommand<ModelCheckResult | { error: string }>('inkwell.checkModel', {
      kind: 'image',
      model: path.join(fixtures, 'tiny-vae'),
    });
    assert.ok(check && 'kind' in check && check.kind === 'image', JSON.stringify(check));
    assert.strictEqual(check.modelKind, 'vae');
    assert.strictEqual(check.canEncode, true);
    assert.strictEqual(check.latentSize, 8);
    assert.deepStrictEqual([check.sample.width, check.sample.height], [16, 16]);
    // Named without a kind, a GAN folder is still found and checked as an image model.
    const gan = await vscode.commands.executeCommand<ModelCheckResult | { error: string }>('inkwell.checkModel', {
      model: path.join(fixtures, 'tiny-gan'),
    });
    assert.ok(gan && 'kind' in gan && gan.kind === 'image' && gan.modelKind === 'gan', JSON.stringify(gan));
  });

  test('a PNG that names its model by a path cannot make the runtime load a model from the workspace', async () => {
    const t = await testing();
    // A repository ships a model folder and an image whose provenance points at it.
    const evil = vscode.Uri.joinPath(workspaceRoot(), '.inkwell', 'models', 'evil-gan');
    await vscode.workspace.fs.copy(vscode.Uri.file(path.join(fixtures, 'tiny-gan')), evil, { overwrite: true });
    const editor = await openPost('posts/notes-on-evaluation.md');
    cursorToEnd(editor);
    const made = await vscode.commands.executeCommand<InsertedImage>('inkwell.insertImage', { seed: 77, choose: 0, alt: 'made' });
    assert.ok(made);
    const png = await read(made.uri);
    const provenance = readProvenance(png.text)!;
    try {
      for (const model of ['./.inkwell/models/evil-gan', evil.fsPath, '../.inkwell/models/evil-gan']) {
        const planted = vscode.Uri.joinPath(workspaceRoot(), 'posts', 'planted.png');
        await vscode.workspace.fs.writeFile(planted, encodePng(png, provenanceText({ ...provenance, model })));
        const before = new Set(fs.readdirSync(path.join(workspaceRoot().fsPath, 'posts', 'images')));
        const result = await vscode.commands.executeCommand<InsertedImage | undefined>('inkwell.regenerateImage', {
          image: planted.toString(),
          choose: 0,
        });
        assert.strictEqual(result, undefined, `nothing was made from ${model}`);
        assert.strictEqual(
          lastLogLine(t, /^Images: /),
          `Images: This image says it was made by "${model}", which is a path, not a model name. Inkwell looks up the model an image names among its model folders, by name only.`,
        );
        assert.deepStrictEqual(new Set(fs.readdirSync(path.join(workspaceRoot().fsPath, 'posts', 'images'))), before, 'no image was saved');
      }
    } finally {
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(workspaceRoot(), '.inkwell'), { recursive: true });
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(workspaceRoot(), 'posts', 'planted.png'));
    }
  });

  test('an image is never saved through a symlink that leads out of the workspace', async function () {
    if (process.platform === 'win32') this.skip();
    const t = await testing();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-outside-'));
    const link = path.join(workspaceRoot().fsPath, 'posts', 'dirlink');
    fs.symlinkSync(outside, link);
    try {
      await setImages('pathTemplate', 'dirlink/${slug}-${seed}.png');
      const editor = await openPost('posts/notes-on-evaluation.md');
      cursorToEnd(editor);
      const before = editor.document.getText();
      const result = await vscode.commands.executeCommand<InsertedImage | undefined>('inkwell.insertImage', {
        seed: 5,
        choose: 0,
        alt: 'escape',
      });
      assert.strictEqual(result, undefined);
      assert.strictEqual(
        lastLogLine(t, /^Images: /),
        'Images: Not saving posts/dirlink/notes-on-evaluation-5.png: a symbolic link on its path leads outside the workspace.',
      );
      assert.deepStrictEqual(fs.readdirSync(outside), [], 'nothing was written outside');
      assert.strictEqual(editor.document.getText(), before, 'the post is unchanged');
    } finally {
      await setImages('pathTemplate', undefined);
      fs.rmSync(link);
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  test('in a trusted workspace too, no image is saved into a static folder that links out of it', async function () {
    if (process.platform === 'win32') this.skip();
    assert.ok(vscode.workspace.isTrusted, 'the test workspace is trusted');
    const t = await testing();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-outside-'));
    const link = path.join(workspaceRoot().fsPath, 'public');
    fs.symlinkSync(outside, link);
    const posts = vscode.workspace.getConfiguration('inkwell.posts');
    try {
      await posts.update('staticFolders', ['public'], vscode.ConfigurationTarget.Workspace);
      await setImages('pathTemplate', '/uploads/${slug}-${seed}.png');
      const editor = await openPost('posts/notes-on-evaluation.md');
      cursorToEnd(editor);
      const before = editor.document.getText();
      const result = await vscode.commands.executeCommand<InsertedImage | undefined>('inkwell.insertImage', {
        seed: 7,
        choose: 0,
        alt: 'x',
      });
      assert.strictEqual(result, undefined);
      assert.strictEqual(
        lastLogLine(t, /^Images: /),
        'Images: Not saving public/uploads/notes-on-evaluation-7.png: a symbolic link on its path leads outside the workspace.',
      );
      assert.deepStrictEqual(fs.readdirSync(outside), [], 'nothing was written outside');
      assert.strictEqual(editor.document.getText(), before, 'the post is unchanged');
    } finally {
      await setImages('pathTemplate', undefined);
      await posts.update('staticFolders', undefined, vscode.ConfigurationTarget.Workspace);
      fs.rmSync(link);
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
