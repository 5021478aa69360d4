import * as vscode from 'vscode';
import * as path from 'path';
import { isoDate } from '../core/slug';
import type { ImageProvenance } from '../generation/image/provenance';
import {
  expandPathTemplate,
  frontmatterImageEdit,
  frontmatterTitle,
  ImagePlacement,
  markdownImage,
  numberedPlacement,
  placeImage,
  postSlug,
} from '../generation/image/placement';
import { freshSeed, isValidSeed } from '../generation/image/random';
import { readConfig } from '../util/config';
import { CandidateSource, GalleryCandidate, ImageFeatureDeps, ImageGallery } from './imageGallery';

/** Arguments of `inkwell.insertImage` from code; with `choose` no UI is shown. */
export interface InsertImageArgs {
  /** Seed of the first candidate (candidate i has seed + i). */
  seed?: number;
  /** Index of the candidate to insert without showing the gallery. */
  choose?: number;
  /** Alt text; defaults to the post's title. */
  alt?: string;
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
  /** Whether `image:` in the frontmatter was set. */
  frontmatterUpdated: boolean;
}

/** Where an image goes: a post, and the position its link is inserted at. */
export interface InsertTarget {
  document: vscode.TextDocument;
  position: vscode.Position;
}

/** The alt text used when none is given: the post's title. */
export function defaultAlt(document: vscode.TextDocument): string {
  return frontmatterTitle(document.getText()) ?? 'Generated image';
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

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `bytes` to the first free name of `placement` (`x.png`, `x-2.png`, …):
 * never overwrites, and writes a temporary file first and renames it, so
 * nobody sees half a PNG and a file that appears meanwhile is not replaced.
 */
export async function writeNewFile(root: vscode.Uri, placement: ImagePlacement, bytes: Uint8Array): Promise<{ uri: vscode.Uri; placement: ImagePlacement }> {
  for (let n = 1; n < 10000; n++) {
    const p = numberedPlacement(placement, n);
    const uri = vscode.Uri.joinPath(root, p.file);
    if (await exists(uri)) continue;
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
 * template, and inserts `![alt](link)` (plus `image:` when empty) as one edit.
 */
export async function saveAndInsert(deps: ImageFeatureDeps, target: InsertTarget, model: string, provenance: ImageProvenance, alt: string): Promise<InsertedImage> {
  const doc = target.document;
  if (doc.isUntitled) throw new Error('Save the post first: images are saved relative to it.');
  const images = readConfig('images', doc.uri);
  const posts = readConfig('posts', doc.uri);
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  const root = folder?.uri ?? vscode.Uri.joinPath(doc.uri, '..');
  const postRelative = folder ? path.posix.relative(folder.uri.path, doc.uri.path) : path.posix.basename(doc.uri.path);
  const expanded = expandPathTemplate(images.pathTemplate, { slug: postSlug(postRelative), seed: provenance.seed, model: provenance.model, date: isoDate(new Date()) });
  if (expanded.startsWith('/') && !folder) {
    throw new Error(`The image path template "${images.pathTemplate}" is site-root, but ${path.posix.basename(doc.uri.path)} is not in a workspace folder with a static folder.`);
  }
  const placement = placeImage(expanded, postRelative, await staticFolder(root, posts.staticFolders));

  const rendered = await deps.request('image.render', { model, provenance, size: images.displaySize, upscale: images.upscale });
  const png = rendered.candidates[0];
  if (!png) throw new Error('The model runtime returned no image.');
  const saved = await writeNewFile(root, placement, Buffer.from(png.pngBase64, 'base64'));

  // The user may have moved the cursor while choosing: follow the editor when it is visible.
  const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
  const position = editor?.selection.active ?? target.position;
  const link = saved.placement.link;
  const edit = new vscode.WorkspaceEdit();
  edit.insert(doc.uri, position, markdownImage(alt.trim() || defaultAlt(doc), link));
  const fm = images.setFrontmatterImage ? frontmatterImageEdit(doc.getText(), link) : undefined;
  const fmRange = fm && new vscode.Range(doc.positionAt(fm.start), doc.positionAt(fm.end));
  // Overlapping edits would be refused; the cursor inside the frontmatter line is not worth failing for.
  const frontmatterUpdated = !!fmRange && !fmRange.contains(position);
  if (frontmatterUpdated) edit.replace(doc.uri, fmRange!, fm!.newText);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Saved ${vscode.workspace.asRelativePath(saved.uri)}, but could not insert the link into the post.`);
  deps.log.info(`Inserted ${link} (${provenance.model}, seed ${provenance.seed}) into ${vscode.workspace.asRelativePath(doc.uri)}`);
  lastInserted = { uri: saved.uri.toString(), link, seed: provenance.seed, frontmatterUpdated };
  return lastInserted;
}

let lastInserted: InsertedImage | undefined;
let lastError: string | undefined;

function isMarkdown(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'markdown' || /\.(md|markdown)$/i.test(doc.uri.path);
}

/** The error shown to the user, with the fix when we know it. */
export function showImageError(deps: ImageFeatureDeps, err: unknown): undefined {
  const message = err instanceof Error ? err.message : String(err);
  lastError = message;
  deps.log.error(`Images: ${message}`);
  void vscode.window.showErrorMessage(`Inkwell: ${message}`, 'Show Log').then((choice) => {
    if (choice) deps.log.show();
  });
  return undefined;
}

/**
 * "Inkwell: Insert Generated Image": opens the gallery for the active post; with
 * `choose` in its arguments it inserts that candidate without UI (for tests and scripts).
 */
export function registerInsertImage(deps: ImageFeatureDeps): vscode.Disposable {
  deps.probes.register('images.lastInserted', () => lastInserted);
  deps.probes.register('images.lastError', () => lastError);
  return vscode.commands.registerCommand('inkwell.insertImage', async (args?: InsertImageArgs): Promise<InsertedImage | undefined> => {
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
      if (a.seed !== undefined && !isValidSeed(a.seed)) throw new Error(`The seed must be a whole number from 0 to 4294967295 (got ${a.seed}).`);
      const images = readConfig('images', doc.uri);
      const models = readConfig('models', doc.uri);
      const model = await deps.resolveImageModel(models.image, doc.uri);
      const count = Math.max(1, Math.min(64, Math.floor(a.count ?? images.count)));
      const source = new CandidateSource(deps, model, { kind: 'sample', baseSeed: a.seed ?? freshSeed(), ...(a.label !== undefined ? { label: a.label } : {}) }, count, images.upscale);
      if (a.choose !== undefined) return await insertWithoutUi(deps, source, a.choose, target, a.alt ?? defaultAlt(doc));
      ImageGallery.show(deps, {
        title: `Images for ${path.posix.basename(doc.uri.path)}`,
        alt: defaultAlt(doc),
        source,
        upscale: images.upscale,
        use: async (c: GalleryCandidate, alt: string) => (await saveAndInsert(deps, target, c.model, c.candidate.provenance, alt)).link,
      });
      return undefined;
    } catch (err) {
      return showImageError(deps, err);
    }
  });
}

/** Generates one batch with progress, then inserts candidate `index` of it. */
export async function insertWithoutUi(deps: ImageFeatureDeps, source: CandidateSource, index: number, target: InsertTarget, alt: string): Promise<InsertedImage> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Inkwell: generating images', cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      const batch = await source.next(abort.signal);
      const chosen = batch[index];
      if (!chosen) throw new Error(`There is no candidate ${index}: the batch has ${batch.length} (0 to ${batch.length - 1}).`);
      progress.report({ message: 'saving' });
      return await saveAndInsert(deps, target, chosen.model, chosen.candidate.provenance, alt);
    } finally {
      sub.dispose();
    }
  });
}
