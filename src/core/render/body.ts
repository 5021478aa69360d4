import type { MarkdownIt, Token } from 'markdown-it';
import { escapeHtml } from './escape';
import { sanitizeArticleHtml } from './sanitize';
import { classifyLink, ImagePolicy, ImageSource, resolveImageSource } from './urlPolicy';

/**
 * Renders a post body in segments. Markdown-only segments hold no raw HTML:
 * markdown-it escapes their text and the rules below vet their link and image
 * URLs, so they skip the sanitizer. Segments with raw HTML blocks or inline
 * tags are sanitized whole, and an HTML element left open continues its
 * segment until it closes (a `<details>` around Markdown stays one piece).
 * Sanitized segments are cached, so an edit re-sanitizes only what changed. The
 * output also depends on the image policy (the post's folder, which files exist,
 * the https setting), so an entry remembers what the policy answered for it and
 * is reused only while the policy still answers the same: one renderer serves
 * every post the preview shows.
 */
export class BodyRenderer {
  private previous = new Map<string, SanitizedSegment>();

  constructor(private readonly md: MarkdownIt) {}

  render(src: string, images: ImagePolicy): string {
    const env = { inkwellImages: images } satisfies RenderEnv as Parameters<MarkdownIt['parse']>[1];
    const tokens = this.md.parse(src, env);
    const next = new Map<string, SanitizedSegment>();
    let out = '';
    for (const segment of segments(tokens)) {
      if (!segment.html) {
        out += this.md.renderer.render(tokens.slice(segment.start, segment.end), this.md.options, env);
        continue;
      }
      // Raw HTML: render without pre-resolving images; the sanitizer resolves them.
      const raw = this.md.renderer.render(tokens.slice(segment.start, segment.end), this.md.options, { ...env, inkwellImages: undefined });
      const cached = next.get(raw) ?? this.previous.get(raw);
      const clean = cached && stillValid(cached, images) ? cached : sanitizeRecording(raw, images);
      next.set(raw, clean);
      out += clean.html;
    }
    this.previous = next;
    return out;
  }
}

/** A sanitized segment and the policy answers it was built from. */
interface SanitizedSegment {
  html: string;
  allowHttpsImages: boolean;
  /** Every local image path the sanitizer resolved, with the URL it got (undefined: not found). */
  locals: ReadonlyArray<readonly [string, string | undefined]>;
}

/** Sanitizes `raw`, noting every question the sanitizer asked the policy. */
function sanitizeRecording(raw: string, images: ImagePolicy): SanitizedSegment {
  const locals: Array<readonly [string, string | undefined]> = [];
  const recording: ImagePolicy = {
    allowHttpsImages: images.allowHttpsImages,
    resolveLocal: (path) => {
      const url = images.resolveLocal(path);
      locals.push([path, url]);
      return url;
    },
  };
  return { html: sanitizeArticleHtml(raw, recording), allowHttpsImages: images.allowHttpsImages, locals };
}

/** True when the policy would answer every question of `segment` as it did then. */
function stillValid(segment: SanitizedSegment, images: ImagePolicy): boolean {
  return segment.allowHttpsImages === images.allowHttpsImages && segment.locals.every(([path, url]) => images.resolveLocal(path) === url);
}

interface RenderEnv {
  /** Set while rendering a Markdown-only segment: links and images are vetted by the rules. */
  inkwellImages?: ImagePolicy;
  [key: string]: unknown;
}

interface Segment {
  start: number;
  end: number;
  html: boolean;
}

const VOID_ELEMENTS = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
  'param',
  'keygen',
]);
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b(?:[^>"']|"[^"]*"|'[^']*')*?(\/?)>/g;

/** Elements opened minus elements closed in a piece of raw HTML (never below zero). */
function htmlBalance(html: string, start: number): number {
  let balance = start;
  for (const m of html.matchAll(TAG)) {
    const name = m[2].toLowerCase();
    if (VOID_ELEMENTS.has(name) || m[3]) continue;
    balance = Math.max(0, balance + (m[1] ? -1 : 1));
  }
  return balance;
}

/** Raw HTML inside tokens[start, end): block tokens and inline children. */
function rawHtmlOf(tokens: Token[], start: number, end: number): string | undefined {
  let html: string | undefined;
  for (let i = start; i < end; i++) {
    const t = tokens[i];
    if (t.type === 'html_block') html = (html ?? '') + t.content;
    else if (t.type === 'inline' && t.children) {
      for (const c of t.children) if (c.type === 'html_inline') html = (html ?? '') + c.content;
    }
  }
  return html;
}

/** Splits the token stream into top-level blocks, grouped as described on BodyRenderer. */
function segments(tokens: Token[]): Segment[] {
  const out: Segment[] = [];
  let open: Segment | undefined;
  let balance = 0;
  for (let i = 0; i < tokens.length;) {
    let j = i;
    let depth = 0;
    do {
      depth += tokens[j].nesting;
      j++;
    } while (j < tokens.length && depth > 0);
    const html = rawHtmlOf(tokens, i, j);
    if (open && (balance > 0 || (open.html && html !== undefined) || (!open.html && html === undefined))) {
      open.end = j;
      open.html ||= html !== undefined;
    } else {
      open = { start: i, end: j, html: html !== undefined };
      out.push(open);
    }
    if (html !== undefined) balance = htmlBalance(html, balance);
    i = j;
  }
  return out;
}

/** Installs the link and image rules Markdown-only segments rely on. */
export function vettedUrlsPlugin(md: MarkdownIt): void {
  const defaultLink = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    if ((env as RenderEnv | undefined)?.inkwellImages) {
      const token = tokens[idx];
      const target = classifyLink(String(token.attrGet('href') ?? ''));
      if (target.kind === 'blocked') token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'href');
      else token.attrSet('rel', 'noopener noreferrer');
    }
    return defaultLink(tokens, idx, options, env, self);
  };
  const defaultImage = md.renderer.rules.image!;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const policy = (env as RenderEnv | undefined)?.inkwellImages;
    if (!policy) return defaultImage(tokens, idx, options, env, self);
    const token = tokens[idx];
    const alt = self.renderInlineAsText(token.children ?? [], options, env);
    const title = token.attrGet('title');
    return imageHtml(resolveImageSource(String(token.attrGet('src') ?? ''), policy), alt, title == null ? undefined : String(title));
  };
}

/** The same markup the sanitizer produces for an image: the picture, or a note saying why not. */
function imageHtml(source: ImageSource, alt: string, title: string | undefined): string {
  if (source.kind === 'ok') {
    return `<img src="${escapeHtml(source.src)}" alt="${escapeHtml(alt)}"${title ? ` title="${escapeHtml(title)}"` : ''} />`;
  }
  const note = source.kind === 'missing' ? `Image not found: ${source.path}` : source.reason;
  return `<span class="inkwell-image-missing" role="img" title="${escapeHtml(note)}">${escapeHtml(alt ? `${alt} ` : '')}(${escapeHtml(note)})</span>`;
}
