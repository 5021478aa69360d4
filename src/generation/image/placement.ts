/**
 * Where a chosen image goes and how the post refers to it: path templates,
 * site-root links, collision-free names, the Markdown to insert and the
 * frontmatter `image:` edit. Paths here are POSIX and relative to the
 * workspace folder; the editor glue turns them into URIs.
 */
import * as path from 'path';

/** Values a path template can use. */
export interface PathTemplateVars {
  slug: string;
  seed: number;
  /** The model's name. */
  model: string;
  /** `YYYY-MM-DD`. */
  date: string;
}

/** Where a file goes and the link that points at it from the post. */
export interface ImagePlacement {
  /** Workspace-folder-relative POSIX path of the PNG. */
  file: string;
  /** What goes between the parentheses of `![alt](...)`. */
  link: string;
  /** Whether the link is site-root (`/uploads/...`) rather than relative to the post. */
  siteRoot: boolean;
}

/** A text change by offsets, applied by the glue as a WorkspaceEdit (so it can be undone). */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

const VARIABLES = ['slug', 'seed', 'model', 'date'] as const;

/** Keeps a value safe as a single path segment. */
function segment(value: string): string {
  return value.replace(/[\\/:*?"<>|\s]+/g, '-').replace(/^\.+/, '') || 'image';
}

/**
 * Substitutes `${slug}`, `${seed}`, `${model}` and `${date}`. An unknown
 * variable is an error, so a typo does not end up in a file name.
 */
export function expandPathTemplate(template: string, vars: PathTemplateVars): string {
  const expanded = template.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (!(VARIABLES as readonly string[]).includes(name)) {
      throw new Error(
        `Unknown variable ${whole} in the image path template "${template}". Use ${VARIABLES.map((v) => '${' + v + '}').join(', ')}.`,
      );
    }
    return segment(String(vars[name as (typeof VARIABLES)[number]]));
  });
  if (!expanded.trim() || expanded.endsWith('/')) throw new Error(`The image path template "${template}" does not name a file.`);
  return /\.png$/i.test(expanded) ? expanded : `${expanded}.png`;
}

/** The slug of a post: its file name, or its folder's for `index.md` page bundles. */
export function postSlug(postRelative: string): string {
  const base = path.posix.basename(postRelative).replace(/\.[^.]+$/, '');
  if (/^(index|_index)$/i.test(base)) {
    const dir = path.posix.basename(path.posix.dirname(postRelative));
    if (dir && dir !== '.') return segment(dir);
  }
  return segment(base);
}

/**
 * Places an expanded template. A relative path is relative to the post's
 * folder and linked relatively; a path starting with `/` goes into the static
 * folder and is linked from the site root, like `/uploads/x.png`.
 */
export function placeImage(expanded: string, postRelative: string, staticFolder: string): ImagePlacement {
  const clean = expanded.replace(/\\/g, '/');
  if (clean.startsWith('/')) {
    const link = path.posix.normalize(clean);
    const file = path.posix.normalize(path.posix.join(staticFolder || '.', link.slice(1)));
    assertInside(file, expanded);
    return { file, link, siteRoot: true };
  }
  const file = path.posix.normalize(path.posix.join(path.posix.dirname(postRelative), clean));
  assertInside(file, expanded);
  const link = path.posix.relative(path.posix.dirname(postRelative) || '.', file);
  return { file, link, siteRoot: false };
}

function assertInside(file: string, expanded: string): void {
  if (file === '..' || file.startsWith('../') || path.posix.isAbsolute(file)) {
    throw new Error(`The image path "${expanded}" points outside the workspace folder.`);
  }
}

/**
 * The path template for an image inserted into a post of a detected site generator, when the
 * writer did not set `inkwell.images.pathTemplate`: the generator's image folder linked from the
 * site root, or undefined to keep the default (beside the post) for a page bundle, whose page
 * is served from the post's folder.
 */
export function generatorImageTemplate(
  generator: { readonly imageFolder: string; readonly pageBundles?: boolean } | undefined,
  postRelative: string,
): string | undefined {
  if (!generator) return undefined;
  if (generator.pageBundles && /^index\.(md|markdown|mdx)$/i.test(path.posix.basename(postRelative))) return undefined;
  const folder = generator.imageFolder.replace(/^\/+|\/+$/g, '');
  return `/${folder ? `${folder}/` : ''}\${slug}-\${seed}.png`;
}

/**
 * The edit that inserts a Markdown image at `offset` as a paragraph of its own: a blank line
 * before and after it unless the text already has one (or starts or ends there), so it does not
 * render inside the paragraph it was typed into. Splits a line the cursor is in the middle of.
 */
export function imageParagraphEdit(text: string, offset: number, image: string): OffsetEdit {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lf = text.indexOf('\n', offset);
  const lineEnd = lf < 0 ? text.length : lf;
  const before = text.slice(lineStart, offset);
  const after = text.slice(offset, lineEnd).replace(/\r$/, '');
  // Is the line above (when the cursor starts its line) or below (when it ends it) blank or absent?
  const prevLineBlank = () => {
    if (lineStart === 0) return true;
    const prevStart = text.lastIndexOf('\n', lineStart - 2) + 1;
    return !/\S/.test(text.slice(prevStart, lineStart));
  };
  const nextLineBlank = () => {
    if (lf < 0) return true;
    const nextEnd = text.indexOf('\n', lf + 1);
    return !/\S/.test(text.slice(lf + 1, nextEnd < 0 ? text.length : nextEnd));
  };
  let lead = '';
  if (/\S/.test(before)) lead = eol + eol;
  else if (!prevLineBlank()) lead = eol;
  let trail = '';
  if (/\S/.test(after)) trail = eol + eol;
  else if (lf < 0) trail = eol;
  else if (!nextLineBlank()) trail = eol;
  // Trailing spaces where the line was split would stay at the end of the paragraph above.
  const start = /\S/.test(before) ? lineStart + before.trimEnd().length : offset;
  const end = /\S/.test(after) ? offset + (after.length - after.trimStart().length) : offset;
  return { start, end, newText: lead + image + trail };
}

/** The n-th alternative (n >= 2) of a placement whose file exists: `x.png` -> `x-2.png`, link likewise. */
export function numberedPlacement(p: ImagePlacement, n: number): ImagePlacement {
  if (n < 2) return p;
  const bump = (s: string) => s.replace(/(\.png)?$/i, (ext) => `-${n}${ext || ''}`);
  return { ...p, file: bump(p.file), link: bump(p.link) };
}

/** `![alt](link)`, with the alt text escaped and the link wrapped when it has spaces or parentheses. */
export function markdownImage(alt: string, link: string): string {
  const safeAlt = alt.replace(/[\r\n]+/g, ' ').replace(/([[\]\\])/g, '\\$1');
  const safeLink = /[\s()<>]/.test(link) ? `<${link.replace(/[<>]/g, encodeURIComponent)}>` : link;
  return `![${safeAlt}](${safeLink})`;
}

/**
 * The edit that sets the frontmatter's `image` to `link` when it is missing
 * or empty (YAML `---` or TOML `+++`). Undefined when the post has no
 * frontmatter or already names an image.
 */
export function frontmatterImageEdit(text: string, link: string): OffsetEdit | undefined {
  const bom = text.startsWith('\ufeff') ? 1 : 0;
  const fence = text.startsWith('---', bom) ? '---' : text.startsWith('+++', bom) ? '+++' : undefined;
  if (!fence) return undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = splitLines(text);
  if (lines.length < 2 || lines[0]!.text.slice(bom).trimEnd() !== fence) return undefined;
  const closeIndex = lines.findIndex((l, i) => i > 0 && (l.text.trimEnd() === fence || (fence === '---' && l.text.trimEnd() === '...')));
  if (closeIndex < 0) return undefined;
  const body = lines.slice(1, closeIndex);
  if (fence === '---') {
    // Plain only for ordinary file paths; anything YAML could read as a number,
    // boolean or null (`1e5`, `true`, `~`) or as syntax is double-quoted (JSON is valid YAML).
    const value = /^[/.\w][\w./~%+-]*\.(png|jpe?g|gif|webp|avif|svg)$/i.test(link) ? link : JSON.stringify(link);
    const idx = body.findIndex((l) => /^image\s*:/.test(l.text));
    if (idx < 0) return { start: lines[closeIndex]!.start, end: lines[closeIndex]!.start, newText: `image: ${value}${eol}` };
    const line = body[idx]!;
    const colon = line.text.indexOf(':');
    const raw = line.text
      .slice(colon + 1)
      .replace(/\s+#.*$/, '')
      .trim();
    const next = body[idx + 1];
    const hasBlock = next !== undefined && /^(\s+\S|-\s)/.test(next.text);
    if (!['', '""', "''", '~', 'null', 'Null', 'NULL'].includes(raw) || (raw === '' && hasBlock)) return undefined;
    return { start: line.start + colon + 1, end: line.start + line.text.length, newText: ` ${value}` };
  }
  // TOML: top-level keys come before the first [table] header.
  const tableAt = body.findIndex((l) => /^\s*\[/.test(l.text));
  const topLevel = tableAt < 0 ? body : body.slice(0, tableAt);
  const idx = topLevel.findIndex((l) => /^\s*image\s*=/.test(l.text));
  const value = JSON.stringify(link);
  if (idx < 0) {
    const before = tableAt < 0 ? lines[closeIndex]! : body[tableAt]!;
    return { start: before.start, end: before.start, newText: `image = ${value}${eol}` };
  }
  const line = topLevel[idx]!;
  const eq = line.text.indexOf('=');
  const raw = line.text
    .slice(eq + 1)
    .replace(/\s+#.*$/, '')
    .trim();
  if (raw !== '""' && raw !== "''") return undefined;
  return { start: line.start + eq + 1, end: line.start + line.text.length, newText: ` ${value}` };
}

function splitLines(text: string): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    out.push({ text: text.slice(start, end).replace(/\r$/, ''), start });
    if (nl < 0) return out;
    start = nl + 1;
  }
}

/**
 * The image link under `offset`: a Markdown image, an HTML `<img src>`, or the
 * frontmatter `image:` value on that line. Undefined when there is none.
 */
export function imageLinkAt(text: string, offset: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const nl = text.indexOf('\n', offset);
  const line = text.slice(lineStart, nl < 0 ? text.length : nl).replace(/\r$/, '');
  const col = offset - lineStart;
  const patterns = [
    /!\[(?:[^\]\\]|\\.)*\]\(\s*(?:<([^>]+)>|([^)\s]+))(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
    /<img\b[^>]*?\ssrc\s*=\s*(?:"([^"]+)"|'([^']+)')[^>]*>/gi,
    /^\s*image\s*[:=]\s*(?:"([^"]+)"|'([^']+)'|([^\s#"']+))/g,
  ];
  for (const re of patterns) {
    for (const m of line.matchAll(re)) {
      const from = m.index ?? 0;
      if (col >= from && col <= from + m[0].length) {
        const link = m.slice(1).find((g) => g !== undefined);
        if (link) return link;
      }
    }
  }
  return undefined;
}

/**
 * Workspace-relative files a link may mean, best first: a site-root link
 * resolves against each static folder in turn, a relative one against the
 * post's folder. Remote links resolve to nothing.
 */
export function resolveImageLink(link: string, postRelative: string, staticFolders: readonly string[]): string[] {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link)) return [];
  let clean = link.replace(/[?#].*$/, '');
  try {
    clean = decodeURI(clean);
  } catch {
    // Keep the raw link when it is not valid percent-encoding.
  }
  if (clean.startsWith('/')) {
    return staticFolders.map((f) => path.posix.normalize(path.posix.join(f || '.', clean.slice(1)))).filter((f) => !f.startsWith('../'));
  }
  const file = path.posix.normalize(path.posix.join(path.posix.dirname(postRelative), clean));
  return file.startsWith('../') ? [] : [file];
}

/** The post's title from YAML or TOML frontmatter (for a default alt text), or undefined. */
export function frontmatterTitle(text: string): string | undefined {
  const m = /^\ufeff?(---|\+\+\+)\r?\n([\s\S]*?)\r?\n(?:---|\+\+\+|\.\.\.)\s*(?:\r?\n|$)/.exec(text);
  if (!m) return undefined;
  const line = /^title\s*[:=]\s*(.+?)\s*$/m.exec(m[2]!);
  if (!line) return undefined;
  let value = line[1]!;
  if (/^".*"$/.test(value)) {
    try {
      value = JSON.parse(value) as string;
    } catch {
      value = value.slice(1, -1);
    }
  } else if (/^'.*'$/.test(value)) {
    value = value.slice(1, -1).replace(/''/g, "'");
  }
  return value.trim() || undefined;
}
