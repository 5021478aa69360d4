import * as vscode from 'vscode';
import * as path from 'path';
import { imageLinkAt, resolveImageLink } from '../../generation/image/placement';
import { pngSize, readPngTextAsync } from '../../generation/image/pngText';
import { ImageProvenance, PROVENANCE_KEYWORD, readProvenance } from '../../generation/image/provenance';
import { freshSeed, isValidSeed } from '../../generation/image/random';
import { isModelName } from '../../generation/modelRegistry';
import type { ImageSource } from '../../runtime/protocol';
import { readConfig } from '../../util/config';
import { uriExists } from '../../util/uriExists';
import { CandidateSource, DEFAULT_VARIATION_STRENGTH, GalleryMode, ImageFeatureDeps, ImageGallery } from './imageGallery';
import { defaultAlt, heroByDefault, InsertedImage, InsertTarget, insertWithoutUi, saveAndInsert, showImageError } from './insertImage';

/** Arguments of `inkwell.regenerateImage` from code; with `choose` no UI is shown. */
export interface RegenerateImageArgs {
  /** The PNG (URI string); defaults to the image link under the cursor. */
  image?: string;
  /** A second PNG: blend the two instead of varying one. */
  blendWith?: string;
  /** Index of the candidate to insert without the gallery (0 is the recreated original when there is provenance). */
  choose?: number;
  alt?: string;
  /** Seed of the first variation. */
  seed?: number;
  /** Noise scale of variations. */
  strength?: number;
  count?: number;
}

interface SourceImage {
  uri: vscode.Uri;
  provenance?: ImageProvenance;
  source: ImageSource;
}

/** Largest PNG Regenerate reads (Inkwell's own images are a few hundred KB). */
const MAX_SOURCE_BYTES = 32 * 1024 * 1024;
/** Largest side of a PNG without provenance that is sent to the model to encode. */
const MAX_SOURCE_SIDE = 4096;
/** Most text the provenance chunk may hold (a VAE latent and a few fields need a few KB). */
const MAX_PROVENANCE_BYTES = 256 * 1024;

async function readSource(uri: vscode.Uri): Promise<SourceImage> {
  const name = vscode.workspace.asRelativePath(uri);
  let bytes: Uint8Array;
  try {
    const { size } = await vscode.workspace.fs.stat(uri);
    if (size > MAX_SOURCE_BYTES) {
      throw new RangeError(
        `${name} is ${Math.round(size / 2 ** 20)} MB; Inkwell regenerates images of up to ${MAX_SOURCE_BYTES / 2 ** 20} MB.`,
      );
    }
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (err) {
    throw err instanceof RangeError ? err : new Error(`Cannot read ${name}.`);
  }
  let text: Record<string, string>;
  try {
    // Only the chunk Inkwell writes, inflated (if a tool compressed it) to a bounded size, off this thread.
    text = await readPngTextAsync(bytes, { keywords: [PROVENANCE_KEYWORD], maxTextBytes: MAX_PROVENANCE_BYTES });
  } catch {
    throw new Error(`${name} is not a PNG file; only PNG images can be regenerated.`);
  }
  const provenance = readProvenance(text);
  const size = pngSize(bytes);
  if (!provenance && size && (size.width > MAX_SOURCE_SIDE || size.height > MAX_SOURCE_SIDE)) {
    throw new Error(`${name} is ${size.width}×${size.height} pixels; Inkwell encodes images of up to ${MAX_SOURCE_SIDE} pixels a side.`);
  }
  const source: ImageSource = provenance
    ? provenance.latent
      ? { latent: provenance.latent, seed: provenance.seed }
      : { seed: provenance.seed, ...(provenance.label !== undefined ? { label: provenance.label } : {}) }
    : { pngBase64: Buffer.from(bytes).toString('base64') };
  return { uri, provenance, source };
}

/** The PNG an image link under the cursor points at, resolved like the preview does. */
async function imageUnderCursor(editor: vscode.TextEditor): Promise<vscode.Uri> {
  const doc = editor.document;
  const link = imageLinkAt(doc.getText(), doc.offsetAt(editor.selection.active));
  if (!link) throw new Error('Put the cursor on an image link (![alt](file.png)), or run this on a PNG in the Explorer.');
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  const root = folder?.uri ?? vscode.Uri.joinPath(doc.uri, '..');
  const postRelative = folder ? path.posix.relative(folder.uri.path, doc.uri.path) : path.posix.basename(doc.uri.path);
  const candidates = resolveImageLink(link, postRelative, readConfig('posts', doc.uri).staticFolders);
  for (const rel of candidates) {
    const uri = vscode.Uri.joinPath(root, rel);
    if (await uriExists(uri)) return uri;
  }
  throw new Error(
    candidates.length ? `The image ${link} does not exist (looked for ${candidates.join(', ')}).` : `${link} is not a local image.`,
  );
}

/**
 * An image remembers its model by name. The configured model wins when it has
 * that name (it may be set by path); otherwise the name is looked up. Without
 * provenance the configured model has to encode the image.
 */
async function modelFor(deps: ImageFeatureDeps, sources: SourceImage[], scope: vscode.Uri | undefined): Promise<string> {
  const configured = readConfig('models', scope).image;
  const made = sources.find((s) => s.provenance)?.provenance;
  if (!made) return deps.resolveImageModel(configured, scope);
  const current = await deps.resolveImageModel(configured, scope).catch(() => undefined);
  if (current && path.basename(current) === made.model) return current;
  // The PNG may come from anywhere (a repository, a download): what it records is a name, never a path.
  if (!isModelName(made.model)) {
    throw new Error(
      `This image says it was made by "${made.model}", which is a path, not a model name. Inkwell looks up the model an image names among its model folders, by name only.`,
    );
  }
  return deps.resolveImageModel(made.model, scope).catch((err: unknown) => {
    throw new Error(`This image was made by the model "${made.model}", which Inkwell cannot find: ${(err as Error).message}`);
  });
}

function isMarkdown(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
  return !!doc && (doc.languageId === 'markdown' || /\.(md|markdown)$/i.test(doc.uri.path));
}

/**
 * "Inkwell: Regenerate from This Image": on an image link under the cursor or a
 * PNG in the Explorer. With provenance it recreates the image exactly (shown
 * first) and offers variations of its latent; without, a VAE with an encoder
 * varies the pixels. Two PNGs selected in the Explorer are blended.
 */
export async function regenerateImage(deps: ImageFeatureDeps, first?: unknown, all?: unknown): Promise<InsertedImage | undefined> {
  try {
    const args: RegenerateImageArgs =
      first && typeof first === 'object' && !(first instanceof vscode.Uri) ? (first as RegenerateImageArgs) : {};
    const editor = vscode.window.activeTextEditor;
    const post = isMarkdown(editor?.document) ? editor : undefined;

    // Explorer: (clicked, selection); a Markdown URI means the editor's context menu.
    let uris: vscode.Uri[] = [];
    if (first instanceof vscode.Uri && /\.png$/i.test(first.path)) {
      uris = Array.isArray(all) ? all.filter((u): u is vscode.Uri => u instanceof vscode.Uri && /\.png$/i.test(u.path)) : [first];
      if (!uris.length) uris = [first];
    } else if (args.image) {
      uris = [vscode.Uri.parse(args.image), ...(args.blendWith ? [vscode.Uri.parse(args.blendWith)] : [])];
    } else if (post) {
      uris = [await imageUnderCursor(post)];
    } else {
      throw new Error('Put the cursor on an image link in a post, or run this on a PNG in the Explorer.');
    }
    if (uris.length > 2) throw new Error('Select one PNG to vary, or two to blend.');
    if (args.seed !== undefined && !isValidSeed(args.seed))
      throw new Error(`The seed must be a whole number from 0 to 4294967295 (got ${args.seed}).`);

    const sources = await Promise.all(uris.map(readSource));
    const scope = post?.document.uri ?? uris[0];
    const images = readConfig('images', scope);
    const model = await modelFor(deps, sources, scope);
    const count = Math.max(1, Math.min(64, Math.floor(args.count ?? images.count)));
    const seed = args.seed ?? freshSeed();
    const mode: GalleryMode =
      sources.length === 2
        ? { kind: 'blend', a: sources[0]!.source, b: sources[1]!.source }
        : {
            kind: 'variations',
            source: sources[0]!.source,
            baseSeed: seed,
            strength: args.strength ?? DEFAULT_VARIATION_STRENGTH,
            ...(sources[0]!.provenance ? { original: sources[0]!.provenance } : {}),
          };
    const source = new CandidateSource(deps, model, mode, count, images.upscale);

    // With a post open, a chosen image is linked into it; otherwise it is saved beside the original.
    const target: InsertTarget | undefined = post ? { document: post.document, position: post.selection.active } : undefined;
    const alt = args.alt ?? (target ? defaultAlt(target.document, target.position) : 'Generated image');
    // Regenerating the hero image (cursor on `image:`) replaces it; otherwise the new image goes in at the cursor.
    const hero = !!target && heroByDefault(target.document, target.position);
    if (args.choose !== undefined) {
      if (!target) throw new Error('Open the post to insert the regenerated image into.');
      return await insertWithoutUi(deps, source, args.choose, target, alt, hero);
    }
    const names = sources.map((s) => path.posix.basename(s.uri.path));
    ImageGallery.show(deps, {
      title: sources.length === 2 ? `Blends of ${names[0]} and ${names[1]}` : `Variations of ${names[0]}`,
      alt,
      hero,
      source,
      upscale: images.upscale,
      use: async (c, chosenAlt, asHero) => {
        // The gallery has focus now, so look at visible editors rather than the active one.
        const visible = vscode.window.visibleTextEditors.find((e) => isMarkdown(e.document));
        const t = target ?? (visible ? { document: visible.document, position: visible.selection.active } : undefined);
        if (!t) throw new Error('Open a post (and put the cursor where the image goes), then choose Use again.');
        return (await saveAndInsert(deps, t, c.model, c.candidate.provenance, chosenAlt, asHero)).link;
      },
    });
    return undefined;
  } catch (err) {
    return showImageError(deps, err);
  }
}
