import type { GeneratorId } from './generators';

/**
 * What detection looks at in a site's root folder: the names of a few entries
 * and the text of the configuration files among them. The editor and the CLI
 * gather it (see `SITE_ENTRIES`, `isConfigFile`); detection itself is pure.
 */
export interface SiteListing {
  /** Relative paths with forward slashes; folders end with `/` (`_posts/`, `src/content/`). */
  entries: readonly string[];
  /** Text of configuration files, by relative path (those `isConfigFile` accepts). */
  contents: Readonly<Record<string, string>>;
}

/** A detected generator and what it was recognised by. */
export interface Detection {
  id: GeneratorId;
  /** The files that gave it away, e.g. `_config.yml + _posts/`. */
  evidence: string;
  /** Folder (relative to the root) the posts live under, when the config moves it (Hugo `contentDir`, Eleventy `dir.input`). */
  contentDir?: string;
  /** Static folders the config names (Hugo `staticDir`, Eleventy passthrough copies, Hexo `source_dir`). */
  staticFolders?: string[];
}

/** Sub-folders whose existence detection checks, besides the root's own entries. */
export const SITE_ENTRIES: readonly string[] = ['_posts/', 'src/content/', 'source/_posts/', 'blog/', 'content/'];

const CONFIG =
  /^(hugo|config)\.(toml|ya?ml|json)$|^_config\.ya?ml$|^package\.json$|^(eleventy\.config|\.eleventy)\.(c|m)?[jt]s$|^astro\.config\.(c|m)?[jt]s$|^docusaurus\.config\.(c|m)?[jt]s$/;

/** True for a root file whose text detection reads. */
export function isConfigFile(name: string): boolean {
  return CONFIG.test(name);
}

const HUGO_KEYS =
  /(?:^|[\n{,])[ \t]*["']?(baseURL|baseurl|languageCode|defaultContentLanguage|contentDir|publishDir|staticDir|theme|enableRobotsTXT|paginate|pagination|taxonomies|summaryLength|buildDrafts|buildFuture|disableKinds|module)["']?[ \t]*[:=]/;
const HEXO_KEYS =
  /(?:^|\n)(new_post_name|source_dir|public_dir|tag_dir|archive_dir|category_dir|code_dir|i18n_dir|skip_render|post_asset_folder|render_drafts|default_layout|titlecase|external_link|index_generator|theme_config)[ \t]*:/;

/** The value of a top-level `key = "v"` / `key: v` / `"key": "v"` setting, roughly. */
function setting(text: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|[\\n{,])[ \\t]*["']?${key}["']?[ \\t]*[:=][ \\t]*["']?([^"'\\n,}#]+)`).exec(text);
  const v = m?.[1].trim();
  return v ? v.replace(/^\.\//, '').replace(/\/+$/, '') : undefined;
}

/**
 * Finds the site generator of a folder from its listing, or undefined. The
 * order matters: a generator's own config file name wins over a generic one
 * (`config.toml`, `_config.yml`), which needs the generator's keys or folders.
 */
export function detectGenerator(listing: SiteListing): Detection | undefined {
  const has = new Set(listing.entries.map((e) => e.replace(/^\.\//, '')));
  const names = [...has];
  const find = (re: RegExp) => names.find((n) => re.test(n));

  const hugoOwn = find(/^hugo\.(toml|ya?ml|json)$/);
  const hugoGeneric = hugoOwn ? undefined : find(/^config\.(toml|ya?ml|json)$/);
  if (hugoOwn || (hugoGeneric && HUGO_KEYS.test(listing.contents[hugoGeneric] ?? ''))) {
    const file = (hugoOwn ?? hugoGeneric)!;
    const text = listing.contents[file] ?? '';
    const contentDir = setting(text, 'contentDir');
    const staticDir = setting(text, 'staticDir');
    return { id: 'hugo', evidence: file, contentDir, staticFolders: staticDir ? [staticDir] : undefined };
  }
  const docusaurus = find(/^docusaurus\.config\./);
  if (docusaurus) return { id: 'docusaurus', evidence: has.has('blog/') ? `${docusaurus} + blog/` : docusaurus };
  const astro = find(/^astro\.config\./);
  if (astro) return { id: 'astro', evidence: has.has('src/content/') ? `${astro} + src/content/` : astro };
  const eleventy = find(/^(eleventy\.config|\.eleventy)\./);
  if (eleventy) return { id: 'eleventy', evidence: eleventy, ...eleventyDirs(listing.contents[eleventy] ?? '') };
  const jekyllConfig = find(/^_config\.ya?ml$/);
  if (jekyllConfig) {
    const text = listing.contents[jekyllConfig] ?? '';
    const hexoPackage = /"hexo"\s*:/.test(listing.contents['package.json'] ?? '');
    const sourceDir = /(?:^|\n)source_dir[ \t]*:/.test(text) ? setting(text, 'source_dir') : undefined;
    if ((HEXO_KEYS.test(text) || hexoPackage) && (has.has(`${sourceDir ?? 'source'}/_posts/`) || hexoPackage || sourceDir)) {
      return {
        id: 'hexo',
        evidence: `${jekyllConfig} + ${sourceDir ?? 'source'}/_posts/`,
        contentDir: sourceDir,
        staticFolders: sourceDir ? [sourceDir] : undefined,
      };
    }
    if (has.has('_posts/')) return { id: 'jekyll', evidence: `${jekyllConfig} + _posts/` };
  }
  return undefined;
}

/** Eleventy's input folder and passthrough copies, read from its config file's text. */
function eleventyDirs(text: string): Pick<Detection, 'contentDir' | 'staticFolders'> {
  const input = /\binput\s*:\s*["'`]([^"'`]+)["'`]/.exec(text)?.[1]?.replace(/^\.\//, '').replace(/\/+$/, '');
  const contentDir = input && input !== '.' ? input : undefined;
  // A passthrough copy keeps its path relative to the input folder, so /img/x.png is <input>/img/x.png.
  return { contentDir, staticFolders: [contentDir ?? '.'] };
}
