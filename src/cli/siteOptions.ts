/**
 * The site generator conventions for the command line: reads a site root's
 * listing and configuration from disk and hands them to the pure detection
 * in src/core/site.
 */
import * as fs from 'fs';
import * as path from 'path';
import { toSlash } from '../core/frontmatter/images';
import { DEFAULT_POST_EXCLUDE } from '../core/posts/postGlobs';
import { isConfigFile, SITE_ENTRIES, SiteListing } from '../core/site/detect';
import { GeneratorSetting, isGeneratorId } from '../core/site/generators';
import { ASTRO_CONTENT_CONFIGS, AstroFacts, loadSite, Site } from '../core/site/site';

/** Largest config file detection reads. */
const MAX_CONFIG_BYTES = 256 * 1024;

/** The root's entries and config texts, as detection wants them. */
export function readSiteListing(root: string): SiteListing {
  const entries: string[] = [];
  const contents: Record<string, string> = {};
  let names: fs.Dirent[] = [];
  try {
    names = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return { entries, contents };
  }
  for (const e of names) {
    entries.push(e.isDirectory() ? `${e.name}/` : e.name);
    if (e.isFile() && isConfigFile(e.name)) {
      try {
        const full = path.join(root, e.name);
        if (fs.statSync(full).size <= MAX_CONFIG_BYTES) contents[e.name] = fs.readFileSync(full, 'utf8');
      } catch {
        // Unreadable config: detection goes by names.
      }
    }
  }
  for (const sub of SITE_ENTRIES) {
    try {
      if (fs.statSync(path.join(root, sub)).isDirectory()) entries.push(sub);
    } catch {
      // Not there.
    }
  }
  return { entries, contents };
}

/** Astro's generated collection schemas and content config under `root`, if any. */
export function readAstroFacts(root: string): AstroFacts | undefined {
  const dir = path.join(root, '.astro', 'collections');
  const schemas: Record<string, string> = {};
  const schemaTimes: Record<string, number> = {};
  try {
    for (const f of fs.readdirSync(dir)) {
      const m = /^(.+)\.schema\.json$/.exec(f);
      if (!m) continue;
      schemas[m[1]] = fs.readFileSync(path.join(dir, f), 'utf8');
      schemaTimes[m[1]] = fs.statSync(path.join(dir, f)).mtimeMs;
    }
  } catch {
    // No generated schemas: the bundled Astro fields apply.
  }
  let contentConfig: AstroFacts['contentConfig'];
  for (const rel of ASTRO_CONTENT_CONFIGS) {
    try {
      const full = path.join(root, rel);
      contentConfig = { path: rel, text: fs.readFileSync(full, 'utf8'), mtime: fs.statSync(full).mtimeMs };
      break;
    } catch {
      // Try the next name.
    }
  }
  return Object.keys(schemas).length || contentConfig ? { schemas, schemaTimes, contentConfig } : undefined;
}

/** Parses `--generator` values. */
export function parseGeneratorSetting(value: string): GeneratorSetting | undefined {
  return value === 'auto' || value === 'none' || isGeneratorId(value) ? value : undefined;
}

/** Loads the conventions of the site at `root`; explicit include globs and static folders win. */
export async function loadCliSite(
  root: string,
  generator: GeneratorSetting,
  opts: { include?: string[]; exclude?: string[]; staticFolders?: string[] } = {},
): Promise<Site> {
  const listing = readSiteListing(root);
  return loadSite(
    listing,
    {
      generator,
      include: opts.include?.length ? opts.include : undefined,
      exclude: opts.exclude?.length ? opts.exclude : [...DEFAULT_POST_EXCLUDE],
      staticFolders: opts.staticFolders,
    },
    readAstroFacts(root),
  );
}

/** Post files under `dir` (globs matched relative to `root`), sorted; skips node_modules and .git, follows no links. */
export function walkPosts(dir: string, root: string, isPost: (rel: string) => boolean, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== '.git') walkPosts(full, root, isPost, out);
    } else if (e.isFile() && isPost(toSlash(path.relative(root, full)))) {
      out.push(full);
    }
  }
}
