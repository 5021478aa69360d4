import * as path from 'path';
import * as vscode from 'vscode';
import type { ImageBatchResult, ImageCandidate, ImageSource, ParamsOf, ResultOf } from '../../runtime/protocol';
import type { ImageProvenance } from '../../generation/image/provenance';
import { candidateSeeds } from '../../generation/image/random';
import { isCancellation } from '../../runtime/runtimeError';
import { PanelLifetime } from '../../preview/panelLifetime';
import { makeNonce } from '../../util/nonce';
import type { Logger } from '../../util/logger';
import type { Views } from '../../util/views';
import {
  buildGalleryHtml,
  GalleryHostMessage,
  GalleryItem,
  GalleryWebviewMessage,
  isGalleryWebviewMessage,
} from '../../preview/galleryPage';

/** The image methods of the runtime protocol. */
export type ImageMethod = 'image.generate' | 'image.variations' | 'image.blend' | 'image.render';

/** What the image features need from the rest of the extension; built in `activate`. */
export interface ImageFeatureDeps {
  /** Sends a request to the model runtime (started on first use). */
  request<M extends ImageMethod>(method: M, params: ParamsOf<M>, signal?: AbortSignal): Promise<ResultOf<M>>;
  /**
   * The folder of an image model given by name or path (a setting value), for a
   * post; rejects with a message that says how to fix the setting.
   */
  resolveImageModel(nameOrPath: string, scope?: vscode.Uri): Promise<string>;
  extensionUri: vscode.Uri;
  log: Logger;
  views: Views;
  /** The site generator's conventions for a post's folder, when one is known (where images go). */
  siteOf?(uri: vscode.Uri): Promise<SiteImageConventions | undefined>;
}

/** What image placement needs of a site: its generator's image conventions and its static folders. */
export interface SiteImageConventions {
  generator?: { readonly name: string; readonly imageFolder: string; readonly pageBundles?: boolean };
  staticFolders: readonly string[];
}

/** What one gallery generates: fresh samples, variations of one image, or blends of two. */
export type GalleryMode =
  | { kind: 'sample'; baseSeed: number; label?: number }
  | {
      kind: 'variations';
      source: ImageSource;
      baseSeed: number;
      strength: number;
      /** The image the variations start from, recreated and shown first. */
      original?: ImageProvenance;
    }
  | { kind: 'blend'; a: ImageSource; b: ImageSource };

/** Strength of "Vary" and of regenerating: keeps the likeness, changes details. */
export const DEFAULT_VARIATION_STRENGTH = 0.5;

/** A candidate the user can pick, with the model that made it. */
export interface GalleryCandidate {
  id: number;
  model: string;
  candidate: ImageCandidate;
}

/**
 * Generates batches for a gallery (or for a command run without UI): keeps
 * the seeds moving on with "More" and remembers every candidate by id.
 */
export class CandidateSource {
  private batch = 0;
  private nextId = 1;
  private readonly candidates = new Map<number, GalleryCandidate>();
  /** The last result's facts about the model (name, kind, classes). */
  info: Omit<ImageBatchResult, 'candidates' | 'ms' | 'loadMs'> | undefined;

  constructor(
    private readonly deps: ImageFeatureDeps,
    readonly model: string,
    private currentMode: GalleryMode,
    readonly count: number,
    private readonly upscale: 'nearest' | 'smooth',
  ) {}

  get(id: number): GalleryCandidate | undefined {
    return this.candidates.get(id);
  }

  get size(): number {
    return this.candidates.size;
  }

  /** Switches to variations of a candidate ("Vary"); the next batch starts over. */
  varyFrom(c: GalleryCandidate): void {
    const p = c.candidate.provenance;
    const source: ImageSource = p.latent
      ? { latent: p.latent, seed: p.seed }
      : { seed: p.seed, ...(p.label !== undefined ? { label: p.label } : {}) };
    // Noise seeds start away from the image's own seed, so "Vary" on neighbouring
    // candidates (seeds s and s + 1) does not reuse the same noise.
    this.currentMode = {
      kind: 'variations',
      source,
      baseSeed: (p.seed * 7919 + 1) >>> 0,
      strength: DEFAULT_VARIATION_STRENGTH,
      original: p,
    };
    this.batch = 0;
  }

  /** What the batches are: samples, variations or blends. */
  get mode(): GalleryMode {
    return this.currentMode;
  }

  get canMore(): boolean {
    return this.mode.kind !== 'blend';
  }

  /** The next batch of thumbnails (the model's own size). */
  async next(signal?: AbortSignal): Promise<GalleryCandidate[]> {
    // The batch number moves on only when a batch succeeds, so a retry gets the same seeds.
    const k = this.batch;
    const common = { model: this.model, size: 0, upscale: this.upscale };
    const mode = this.mode;
    const results: ImageBatchResult[] = [];
    if (mode.kind === 'sample') {
      const seeds = candidateSeeds((mode.baseSeed + k * this.count) >>> 0, this.count);
      results.push(
        await this.deps.request('image.generate', { ...common, seeds, ...(mode.label !== undefined ? { label: mode.label } : {}) }, signal),
      );
    } else if (mode.kind === 'variations') {
      if (k === 0 && mode.original) results.push(await this.deps.request('image.render', { ...common, provenance: mode.original }, signal));
      const seeds = candidateSeeds((mode.baseSeed + k * this.count) >>> 0, this.count);
      results.push(await this.deps.request('image.variations', { ...common, source: mode.source, seeds, strength: mode.strength }, signal));
    } else {
      results.push(await this.deps.request('image.blend', { ...common, a: mode.a, b: mode.b, count: this.count }, signal));
    }
    this.batch = k + 1;
    const { candidates: _c, ms: _ms, loadMs: _l, ...info } = results[results.length - 1]!;
    this.info = info;
    const out: GalleryCandidate[] = [];
    for (const r of results) {
      for (const candidate of r.candidates) {
        const c = { id: this.nextId++, model: this.model, candidate };
        this.candidates.set(c.id, c);
        out.push(c);
      }
    }
    return out;
  }
}

/** What a gallery shows, in words, for its subtitle. */
export function describeMode(mode: GalleryMode): string {
  if (mode.kind === 'sample') return mode.label !== undefined ? `new images of class ${mode.label}` : 'new images';
  if (mode.kind === 'variations') return mode.original ? `variations of seed ${mode.original.seed}` : 'variations of an image';
  return 'blends of two images';
}

/** A short caption for a candidate. */
export function captionOf(c: ImageCandidate): string {
  const p = c.provenance;
  const parts = [p.method === 'blend' && c.t !== undefined ? `blend ${Math.round(c.t * 100)}%` : `seed ${c.seed}`];
  if (p.method === 'variation') parts.push('variation');
  if (c.label !== undefined) parts.push(`class ${c.label}`);
  return parts.join(' · ');
}

/** Opens a gallery panel; the caller decides what "Use" does. */
export interface GalleryOptions {
  title: string;
  alt: string;
  /** Whether "Use as hero image" starts checked (the cursor was in the frontmatter). */
  hero: boolean;
  source: CandidateSource;
  upscale: 'nearest' | 'smooth';
  /** Saves a candidate and puts it in the post as the hero image or at the cursor; resolves with its link. */
  use(c: GalleryCandidate, alt: string, hero: boolean): Promise<string>;
}

/**
 * The image gallery: a locked-down webview that shows candidates and sends
 * back which one to use. One gallery at a time; opening another replaces it.
 */
export class ImageGallery implements vscode.Disposable {
  private static current: ImageGallery | undefined;
  private readonly panel: vscode.WebviewPanel;
  private readonly lifetime: PanelLifetime;
  private readonly abort = new AbortController();
  private ready = false;
  private busy = false;
  private pending: GalleryHostMessage[] = [];

  static show(deps: ImageFeatureDeps, options: GalleryOptions): ImageGallery {
    ImageGallery.current?.dispose();
    const gallery = new ImageGallery(deps, options);
    ImageGallery.current = gallery;
    return gallery;
  }

  private constructor(
    private readonly deps: ImageFeatureDeps,
    private readonly options: GalleryOptions,
  ) {
    const media = vscode.Uri.joinPath(deps.extensionUri, 'media');
    this.panel = deps.views.createWebviewPanel(
      'inkwell.imageGallery',
      options.title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      {
        enableScripts: true,
        enableForms: false,
        localResourceRoots: [media],
        retainContextWhenHidden: true,
      },
    );
    const webview = this.panel.webview;
    webview.html = buildGalleryHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'webview', 'gallery.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'gallery.css')).toString(),
      title: options.title,
      subtitle: `${path.basename(options.source.model)} · ${describeMode(options.source.mode)}`,
      alt: options.alt,
      hero: options.hero,
      canVary: true,
      upscale: options.upscale,
    });
    this.lifetime = new PanelLifetime(this.panel);
    this.lifetime.add({ dispose: () => this.abort.abort() });
    this.lifetime.onDidDispose(() => {
      if (ImageGallery.current === this) ImageGallery.current = undefined;
    });
    this.lifetime.add(
      webview.onDidReceiveMessage((m: unknown) => {
        if (isGalleryWebviewMessage(m)) void this.onMessage(m);
        else deps.log.warn(`Image gallery: ignored a message the page should not send: ${describeMessage(m)}`);
      }),
    );
    void this.more(true);
  }

  private post(message: GalleryHostMessage): void {
    if (!this.ready) {
      this.pending.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  private async onMessage(message: GalleryWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        for (const m of this.pending.splice(0)) void this.panel.webview.postMessage(m);
        return;
      case 'more':
        return this.more(false);
      case 'vary': {
        const c = this.options.source.get(message.id);
        if (!c) return;
        this.options.source.varyFrom(c);
        return this.more(true);
      }
      case 'use': {
        const c = this.options.source.get(message.id);
        if (!c || this.busy) return;
        this.setBusy(true, 'Saving…');
        try {
          const link = await this.options.use(c, message.alt, message.hero ?? this.options.hero);
          this.post({ type: 'used', id: c.id, link });
          this.setBusy(false, `Inserted ${link}`);
        } catch (err) {
          this.fail(err);
        }
        return;
      }
    }
  }

  private setBusy(busy: boolean, text: string): void {
    this.busy = busy;
    this.post({ type: 'status', busy, text });
  }

  private fail(err: unknown): void {
    if (isCancellation(err)) return;
    const message = err instanceof Error ? err.message : String(err);
    this.busy = false;
    this.deps.log.error(`Image gallery: ${message}`);
    this.post({ type: 'error', message });
  }

  private async more(replace: boolean): Promise<void> {
    if (this.busy) return;
    const source = this.options.source;
    if (!replace && !source.canMore) {
      this.setBusy(false, 'These are all the blends between the two images; use Vary on one to explore around it.');
      return;
    }
    this.setBusy(true, `Generating ${source.count} images…`);
    try {
      const batch = await source.next(this.abort.signal);
      const items: GalleryItem[] = batch.map((c) => ({
        id: c.id,
        src: `data:image/png;base64,${c.candidate.pngBase64}`,
        caption: captionOf(c.candidate),
      }));
      this.post({ type: 'items', items, replace });
      const info = source.info;
      if (info)
        this.post({ type: 'subtitle', text: `${info.displayName} · ${info.modelKind.toUpperCase()} · ${describeMode(source.mode)}` });
      this.setBusy(false, `${source.size} candidates`);
    } catch (err) {
      this.fail(err);
    }
  }

  dispose(): void {
    this.lifetime.dispose();
  }

  /** Closes the open gallery, if any. */
  static closeCurrent(): void {
    ImageGallery.current?.dispose();
  }
}

/** Closes the gallery when the extension goes. */
export function registerImageGallery(): vscode.Disposable {
  return new vscode.Disposable(() => ImageGallery.closeCurrent());
}

/** A short, bounded description of an unexpected message for the log. */
function describeMessage(m: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(m) ?? String(m);
  } catch {
    text = String(m);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
