import * as vscode from 'vscode';
import * as path from 'path';
import { altFromContext, inFrontmatter, replaceFrontmatterImage } from '../../core/imageInsertion';
import { isoDate } from '../../core/slug';
import type { ImageProvenance } from '../../generation/image/provenance';
import {
  expandPathTemplate,
  frontmatterImageEdit,
  frontmatterTitle,
  generatorImageTemplate,
  ImagePlacement,
  imageParagraphEdit,
  markdownImage,
  numberedPlacement,
  placeImage,
  postSlug,
} from '../../generation/image/placement';
import { freshSeed, isValidSeed } from '../../generation/image/random';
import { isInsideWorkspaceRealPath } from '../../preview/resources';
import { signalOf } from '../../util/cancellation';
import { isUserSet, readConfig } from '../../util/config';
import { uriExists } from '../../util/uriExists';
import { CandidateSource, GalleryCandidate, ImageFeatureDeps, ImageGallery } from './imageGallery';

/** Arguments of `inkwell.insertImage` from code; with `choose` no UI is shown. */
export interface InsertImageArgs {
  /** Seed of the first candidate (candidate i has seed + i). */
  seed?: number;
  /** Index of the candidate to insert without showing the gallery. */
  choose?: number;
  /** Alt text; defaults to the sentence around the cursor, else the post's title. */
  alt?: string;
  /**
   * Use the image as the post's hero image (`image:` in the frontmatter) instead
   * of linking it at the cursor. Defaults to true when the cursor is in the frontmatter.
   */
  hero?: boolean;
  /** Candidates per batch; defaults to `inkwell.images.count`. */
  count?: number;
  /** Class label for a conditional model. */
  label?: number;
}

/** What inserting an image did (returned to callers such as tests). */
export interface InsertedImage {
  /** The saved PNG. */
  uri: string;
  /** The link inserted into the post. */
  link: string;
  seed: number;
  /** Whether `image:` in the frontmatter was set (a hero image); otherwise the link went in at the cursor. */
  frontmatterUpdated: boolean;
}

/** Where an image goes: a post, and the position its link is inserted at. */
export interface InsertTarget {
  document: vscode.TextDocument;
  position: vscode.Position;
}

/**
 * The alt text used when none is given: the first sentence of the paragraph
 * around `position`, else the post's title.
 */
export function defaultAlt(document: vscode.TextDocument, position?: vscode.Position): string {
  const text = document.getText();
  const around = position ? altFromContext(text, document.offsetAt(position)) : undefined;
  return around ?? frontmatterTitle(text) ?? 'Generated image';
}

/** Whether an image inserted at `position` is the hero image by default: the cursor is in the frontmatter. */
export function heroByDefault(document: vscode.TextDocument, position: vscode.Position): boolean {
  return inFrontmatter(document.getText(), document.offsetAt(position));
}

/** The first static folder that exists in the workspace folder, else the first one configured. */
async function staticFolder(root: vscode.Uri, folders: readonly string[]): Promise<string> {
  for (const f of folders) {
    try {
      const stat = await vscode.workspace.fs.stat(vscode.Uri.joinPath(root, f));
      if (stat.type & vscode.FileType.Directory) return f;
    } catch {
      // Not there; try the next one.
    }
  }
  return folders[0] ?? '.';
}

/**
 * Writes `bytes` to the first free name of `placement` (`x.png`, `x-2.png`, …):
 * never overwrites, and writes a temporary file first and renames it, so
 * nobody sees half a PNG and a file that appears meanwhile is not replaced.
 */
export async function writeNewFile(
  root: vscode.Uri,
  placement: ImagePlacement,
  bytes: Uint8Array,
): Promise<{ uri: vscode.Uri; placement: ImagePlacement }> {
  for (let n = 1; n < 10000; n++) {
    const p = numberedPlacement(placement, n);
    const uri = vscode.Uri.joinPath(root, p.file);
    if (!isInsideWorkspaceRealPath(uri, root, 'write'))
      throw new Error(`Not saving ${vscode.workspace.asRelativePath(uri)}: a symbolic link on its path leads outside the workspace.`);
    if (await uriExists(uri)) continue;
    const dir = vscode.Uri.joinPath(uri, '..');
    await vscode.workspace.fs.createDirectory(dir);
    const tmp = vscode.Uri.joinPath(dir, `.${path.posix.basename(p.file)}.${process.pid}.${Date.now()}.tmp`);
    await vscode.workspace.fs.writeFile(tmp, bytes);
    try {
      await vscode.workspace.fs.rename(tmp, uri, { overwrite: false });
      return { uri, placement: p };
    } catch (err) {
      await vscode.workspace.fs.delete(tmp).then(undefined, () => undefined);
      if (err instanceof vscode.FileSystemError && err.code === 'FileExists') continue;
      throw err;
    }
  }
  throw new Error(`Could not find a free file name for ${placement.file}.`);
}

/**
 * Renders a chosen candidate at the display size, saves it by the path
 * template, and puts it in the post one way: as the hero image (`image:` in
 * the frontmatter) or as `![alt](link)` at the cursor.
 */
export async function saveAndInsert(
  deps: ImageFeatureDeps,
  target: InsertTarget,
  model: string,
  provenance: ImageProvenance,
  alt: string,
  hero = false,
): Promise<InsertedImage> {
  const doc = target.document;
  if (doc.isUntitled) throw new Error('Save the post first: images are saved relative to it.');
  const images = readConfig('images', doc.uri);
  const posts = readConfig('posts', doc.uri);
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  const root = folder?.uri ?? vscode.Uri.joinPath(doc.uri, '..');
  const postRelative = folder ? path.posix.relative(folder.uri.path, doc.uri.path) : path.posix.basename(doc.uri.path);
  // Unless the writer chose a path template, the site generator decides where its pages find images.
  const site = folder ? await deps.siteOf?.(doc.uri).catch(() => undefined) : undefined;
  const userTemplate = isUserSet('images', 'pathTemplate', doc.uri);
  const template = (!userTemplate && generatorImageTemplate(site?.generator, postRelative)) || images.pathTemplate;
  const expanded = expandPathTemplate(template, {
    slug: postSlug(postRelative),
    seed: provenance.seed,
    model: provenance.model,
    date: isoDate(new Date()),
  });
  if (expanded.startsWith('/') && !folder) {
    throw new Error(
      `The image path template "${template}" is site-root, but ${path.posix.basename(doc.uri.path)} is not in a workspace folder with a static folder.`,
    );
  }
  const placement = placeImage(expanded, postRelative, await staticFolder(root, site?.staticFolders ?? posts.staticFolders));

  const rendered = await deps.request('image.render', { model, provenance, size: images.displaySize, upscale: images.upscale });
  const png = rendered.candidates[0];
  if (!png) throw new Error('The model runtime returned no image.');
  const bytes = Buffer.from(png.pngBase64, 'base64');
  const saved = await writeNewFile(root, placement, bytes);

  // The user may have moved the cursor while choosing: follow the editor when it is visible.
  const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
  const position = editor?.selection.active ?? target.position;
  const link = saved.placement.link;
  const edit = new vscode.WorkspaceEdit();
  const text = doc.getText();
  const fm = hero ? (frontmatterImageEdit(text, link) ?? replaceFrontmatterImage(text, link)) : undefined;
  if (hero && !fm) {
    await vscode.workspace.fs.delete(saved.uri).then(undefined, () => undefined);
    throw new Error(
      'This post has no YAML or TOML frontmatter to set the hero image in; put the cursor in the text to insert the image there.',
    );
  }
  if (fm) edit.replace(doc.uri, new vscode.Range(doc.positionAt(fm.start), doc.positionAt(fm.end)), fm.newText);
  else {
    // A paragraph of its own: glued to the text above, it would render inside that paragraph.
    const md = imageParagraphEdit(text, doc.offsetAt(position), markdownImage(alt.trim() || defaultAlt(doc, position), link));
    edit.replace(doc.uri, new vscode.Range(doc.positionAt(md.start), doc.positionAt(md.end)), md.newText);
  }
  if (!(await vscode.workspace.applyEdit(edit))) {
    await vscode.workspace.fs.delete(saved.uri).then(undefined, () => undefined);
    throw new Error('Could not insert the image into the post.');
  }
  tracker?.track(doc, saved.uri, link, bytes);
  deps.log.info(
    `Inserted ${link} (${provenance.model}, seed ${provenance.seed}) into ${vscode.workspace.asRelativePath(doc.uri)}${fm ? ' as its hero image' : ''}`,
  );
  return { uri: saved.uri.toString(), link, seed: provenance.seed, frontmatterUpdated: !!fm };
}

/**
 * Image files inserted into open posts. The PNG is written when the writer
 * picks it; if Undo then takes its link out of the post again, the file is an
 * orphan and is deleted (and written again should Redo bring the link back).
 */
class InsertedImageTracker implements vscode.Disposable {
  private readonly byDocument = new Map<string, { uri: vscode.Uri; link: string; bytes: Uint8Array; onDisk: boolean }[]>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly log: ImageFeatureDeps['log']) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.reason === vscode.TextDocumentChangeReason.Undo || e.reason === vscode.TextDocumentChangeReason.Redo)
          void this.sync(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.byDocument.delete(d.uri.toString())),
    ];
  }

  track(doc: vscode.TextDocument, uri: vscode.Uri, link: string, bytes: Uint8Array): void {
    const list = this.byDocument.get(doc.uri.toString()) ?? [];
    list.push({ uri, link, bytes, onDisk: true });
    this.byDocument.set(doc.uri.toString(), list);
  }

  private async sync(doc: vscode.TextDocument): Promise<void> {
    const list = this.byDocument.get(doc.uri.toString());
    if (!list) return;
    const text = doc.getText();
    for (const entry of list) {
      const linked = text.includes(entry.link);
      if (entry.onDisk && !linked && !this.linkedElsewhere(doc, entry.uri)) {
        entry.onDisk = false;
        await vscode.workspace.fs.delete(entry.uri).then(
          () => this.log.info(`Removed ${vscode.workspace.asRelativePath(entry.uri)}: Undo took its link out of the post.`),
          () => undefined,
        );
      } else if (!entry.onDisk && linked) {
        entry.onDisk = true;
        await vscode.workspace.fs.writeFile(entry.uri, entry.bytes);
      }
    }
  }

  /** Whether another open post links the same file (by its name). */
  private linkedElsewhere(doc: vscode.TextDocument, uri: vscode.Uri): boolean {
    const name = path.posix.basename(uri.path);
    return vscode.workspace.textDocuments.some((d) => d !== doc && d.uri.scheme === 'file' && d.getText().includes(name));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.byDocument.clear();
  }
}

let tracker: InsertedImageTracker | undefined;

function isMarkdown(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'markdown' || /\.(md|markdown)$/i.test(doc.uri.path);
}

/** The error shown to the user, with the fix when we know it. */
export function showImageError(deps: ImageFeatureDeps, err: unknown): undefined {
  const message = err instanceof Error ? err.message : String(err);
  deps.log.error(`Images: ${message}`);
  void vscode.window.showErrorMessage(`Inkwell: ${message}`, 'Show Log').then((choice) => {
    if (choice) deps.log.show();
  });
  return undefined;
}

/** Starts following the images inserted into open posts (Undo deletes an orphaned file, Redo writes it again). */
export function registerInsertImage(deps: ImageFeatureDeps): vscode.Disposable {
  const ownTracker = (tracker = new InsertedImageTracker(deps.log));
  return vscode.Disposable.from(ownTracker, { dispose: () => (tracker = tracker === ownTracker ? undefined : tracker) });
}

/**
 * "Inkwell: Insert Generated Image": opens the gallery for the active post; with
 * `choose` in its arguments it inserts that candidate without UI (for tests and scripts).
 */
export async function insertImage(deps: ImageFeatureDeps, args?: InsertImageArgs): Promise<InsertedImage | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !isMarkdown(editor.document)) {
    void vscode.window.showErrorMessage('Inkwell: open a Markdown post to insert a generated image into.');
    return undefined;
  }
  const a = args && typeof args === 'object' && !(args instanceof vscode.Uri) ? args : {};
  const doc = editor.document;
  const target: InsertTarget = { document: doc, position: editor.selection.active };
  try {
    if (doc.isUntitled) throw new Error('Save the post first: images are saved relative to it.');
    if (a.seed !== undefined && !isValidSeed(a.seed))
      throw new Error(`The seed must be a whole number from 0 to 4294967295 (got ${a.seed}).`);
    const images = readConfig('images', doc.uri);
    const models = readConfig('models', doc.uri);
    const model = await deps.resolveImageModel(models.image, doc.uri);
    const count = Math.max(1, Math.min(64, Math.floor(a.count ?? images.count)));
    const source = new CandidateSource(
      deps,
      model,
      { kind: 'sample', baseSeed: a.seed ?? freshSeed(), ...(a.label !== undefined ? { label: a.label } : {}) },
      count,
      images.upscale,
    );
    const hero = a.hero ?? heroByDefault(doc, target.position);
    if (a.choose !== undefined)
      return await insertWithoutUi(deps, source, a.choose, target, a.alt ?? defaultAlt(doc, target.position), hero);
    ImageGallery.show(deps, {
      title: `Images for ${path.posix.basename(doc.uri.path)}`,
      alt: defaultAlt(doc, target.position),
      hero,
      source,
      upscale: images.upscale,
      use: async (c: GalleryCandidate, alt: string, asHero: boolean) =>
        (await saveAndInsert(deps, target, c.model, c.candidate.provenance, alt, asHero)).link,
    });
    return undefined;
  } catch (err) {
    return showImageError(deps, err);
  }
}

/** Generates one batch with progress, then inserts candidate `index` of it. */
export async function insertWithoutUi(
  deps: ImageFeatureDeps,
  source: CandidateSource,
  index: number,
  target: InsertTarget,
  alt: string,
  hero = false,
): Promise<InsertedImage> {
  return deps.views.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Inkwell: generating images', cancellable: true },
    async (progress, token) => {
      const cancel = signalOf(token);
      try {
        const batch = await source.next(cancel.signal);
        const chosen = batch[index];
        if (!chosen) throw new Error(`There is no candidate ${index}: the batch has ${batch.length} (0 to ${batch.length - 1}).`);
        progress.report({ message: 'saving' });
        return await saveAndInsert(deps, target, chosen.model, chosen.candidate.provenance, alt, hero);
      } finally {
        cancel.dispose();
      }
    },
  );
}
