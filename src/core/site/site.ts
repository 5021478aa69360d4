import * as path from 'path';
import { compileCustomSchema, CustomSchema } from '../frontmatter/customSchema';
import type { SeverityOverride } from '../frontmatter/problemCodes';
import type { ValidateOptions } from '../frontmatter/validate';
import { DEFAULT_POST_INCLUDE, DEFAULT_STATIC_FOLDERS } from '../posts/postGlobs';
import { Detection, detectGenerator, SiteListing } from './detect';
import { GeneratorId, GeneratorInfo, GeneratorSetting, generatorInfo } from './generators';
import { siteHooks, SiteConventions } from './siteRules';
import astroSchema from './schemas/astro.json';
import docusaurusSchema from './schemas/docusaurus.json';
import eleventySchema from './schemas/eleventy.json';
import hexoSchema from './schemas/hexo.json';
import hugoSchema from './schemas/hugo.json';
import jekyllSchema from './schemas/jekyll.json';

/** Where Astro looks for its content configuration, newest convention first. */
export const ASTRO_CONTENT_CONFIGS: readonly string[] = [
  'src/content.config.ts',
  'src/content.config.mjs',
  'src/content.config.js',
  'src/content/config.ts',
  'src/content/config.mjs',
  'src/content/config.js',
];

/** The bundled field schemas (JSON Schema files in ./schemas). */
const SCHEMAS: Readonly<Record<GeneratorId, object>> = {
  hugo: hugoSchema,
  jekyll: jekyllSchema,
  astro: astroSchema,
  eleventy: eleventySchema,
  hexo: hexoSchema,
  docusaurus: docusaurusSchema,
};

/** What Astro generated for the site: `.astro/collections/<name>.schema.json` and the content config. */
export interface AstroFacts {
  /** Schema text by collection name. */
  schemas: Readonly<Record<string, string>>;
  /** Modification times (ms) of those schema files. */
  schemaTimes: Readonly<Record<string, number>>;
  /** The content config (`src/content.config.ts` or `src/content/config.ts`): its path, text and modification time. */
  contentConfig?: { path: string; text: string; mtime: number };
}

/** The user's settings that conventions yield to. */
export interface SiteSettings {
  generator: GeneratorSetting;
  /** `inkwell.posts.include` when the user set it; undefined for the default. */
  include?: readonly string[];
  exclude: readonly string[];
  /** `inkwell.posts.staticFolders` when the user set it. */
  staticFolders?: readonly string[];
  severity?: Readonly<Record<string, SeverityOverride>>;
}

/** A site folder with its generator known: post globs, static folders and validation hooks. */
export interface Site {
  /** Undefined when no generator is detected (or the setting says `none`). */
  info?: GeneratorInfo;
  detection?: Detection;
  /** True when `inkwell.site.generator` chose the generator rather than detection. */
  fromSetting: boolean;
  include: readonly string[];
  exclude: readonly string[];
  staticFolders: readonly string[];
  /** Problems loading Astro's schemas (unreadable JSON), shown in the log. */
  notes: string[];
  /** Validator options for a post (`relativePath` from the site root, forward slashes). */
  validation(relativePath: string, base: ValidateOptions): ValidateOptions;
  /** For Astro: the collection of a post, when its schema is known. */
  collectionOf(relativePath: string): string | undefined;
}

/** A one-line description of what was found, for a status bar tooltip or view description. */
export function describeSite(site: Site): string {
  if (!site.info) return 'no site generator';
  const how = site.fromSetting ? 'set by inkwell.site.generator' : site.detection ? `detected from ${site.detection.evidence}` : 'detected';
  return `${site.info.name} (${how})`;
}

/** Post globs of a generator, moved under the content folder its config names. */
function includeFor(info: GeneratorInfo, detection: Detection | undefined): string[] {
  const dir = detection?.contentDir;
  if (!dir) return [...info.include];
  const from = info.id === 'hugo' ? 'content/' : info.id === 'hexo' ? 'source/' : '';
  return info.include.map((g) => (from && g.startsWith(from) ? `${dir}/${g.slice(from.length)}` : from ? g : `${dir}/${g}`));
}

/**
 * Works out a site's conventions from its listing and the user's settings. The
 * generator comes from the setting unless it is `auto`; include globs and static
 * folders from the generator unless the user set them.
 */
export async function loadSite(listing: SiteListing, settings: SiteSettings, astro?: AstroFacts, now?: () => number): Promise<Site> {
  const detected = settings.generator === 'auto' ? detectGenerator(listing) : undefined;
  const id: GeneratorId | undefined =
    settings.generator === 'auto' ? detected?.id : settings.generator === 'none' ? undefined : settings.generator;
  const info = id ? generatorInfo(id) : undefined;
  const detection = detected ?? (id ? detectGenerator(listing) : undefined);
  const sameDetection = detection?.id === id ? detection : undefined;
  const notes: string[] = [];
  const include = settings.include ?? (info ? includeFor(info, sameDetection) : [...DEFAULT_POST_INCLUDE]);
  const exclude = [...settings.exclude, ...(info && !settings.include ? info.exclude : [])];
  const staticFolders = settings.staticFolders ?? sameDetection?.staticFolders ?? info?.staticFolders ?? DEFAULT_STATIC_FOLDERS;
  const buildsFuture = futureSetting(listing, id);

  let base: SiteConventions | undefined;
  const astroCollections = new Map<string, { conv: SiteConventions; base?: string }>();
  if (info) {
    base = { info, detection: sameDetection, schema: await compileCustomSchema(SCHEMAS[info.id]), buildsFuture, now };
    if (info.id === 'astro' && astro) {
      for (const [name, text] of Object.entries(astro.schemas)) {
        let schema: CustomSchema;
        try {
          const json = astroEntrySchema(JSON.parse(text), name);
          schema = collapseIssues(await compileCustomSchema(json), json);
        } catch (err) {
          notes.push(`.astro/collections/${name}.schema.json: ${err instanceof Error ? err.message : String(err)}`);
          continue;
        }
        const config = astro.contentConfig;
        const stale =
          config && config.mtime > (astro.schemaTimes[name] ?? 0)
            ? `${config.path} is newer than .astro/collections/${name}.schema.json: run \`astro sync\` (npx astro sync) so Inkwell checks against the current schema.`
            : undefined;
        astroCollections.set(name, {
          conv: { ...base, schema, collection: name, staleSchema: stale },
          base: config ? collectionBase(config.text, name) : undefined,
        });
      }
    }
  }

  const collectionOf = (rel: string): string | undefined => {
    for (const [name, c] of astroCollections) if (c.base && (rel === c.base || rel.startsWith(`${c.base}/`))) return name;
    const m = /^src\/content\/([^/]+)\//.exec(rel);
    return m && astroCollections.has(m[1]) ? m[1] : undefined;
  };
  const severity = (extra?: Readonly<Record<string, SeverityOverride>>) => ({ ...(info?.severity ?? {}), ...(extra ?? {}) });

  return {
    info,
    detection: sameDetection,
    fromSetting: settings.generator !== 'auto' && !!info,
    include,
    exclude,
    staticFolders,
    notes,
    collectionOf,
    validation(relativePath, options) {
      if (!base) return options;
      const collection = collectionOf(relativePath);
      const conv = collection ? astroCollections.get(collection)!.conv : base;
      return { ...options, severity: severity(options.severity), site: siteHooks(conv) };
    },
  };
}

/**
 * One problem per field: ajv reports each failed `anyOf` branch and then the
 * `anyOf` itself; a field Astro types as a date (`z.coerce.date()`: date-time,
 * date or unix-time strings) gets one message saying so.
 */
function collapseIssues(schema: CustomSchema, json: object): CustomSchema {
  const props = ((json as { properties?: Record<string, unknown> }).properties ?? {}) as Record<
    string,
    { anyOf?: Array<{ format?: string }> }
  >;
  const isDate = (key: string | number) =>
    typeof key === 'string' && !!props[key]?.anyOf?.some((b) => b.format === 'date' || b.format === 'date-time');
  return {
    ...schema,
    validate(data) {
      const issues = schema.validate(data);
      const anyOf = new Set(issues.filter((i) => /anyOf/.test(i.message)).map((i) => i.path.join('/')));
      return issues
        .filter((i) => !anyOf.has(i.path.join('/')) || /anyOf/.test(i.message))
        .map((i) =>
          /anyOf/.test(i.message) && i.path.length === 1 && isDate(i.path[0])
            ? { ...i, message: 'is not a valid date (Astro: "Invalid date"); write it as 2023-05-08 or 2023-05-08T09:30:00Z' }
            : i,
        );
    },
  };
}

/** `future:` in a Jekyll or Hexo `_config.yml` (Jekyll's default is false, Hexo's true). */
function futureSetting(listing: SiteListing, id: GeneratorId | undefined): boolean | undefined {
  if (id !== 'jekyll' && id !== 'hexo') return undefined;
  const text = listing.contents['_config.yml'] ?? listing.contents['_config.yaml'] ?? '';
  const m = /(?:^|\n)future[ \t]*:[ \t]*(true|false)\b/.exec(text);
  return m ? m[1] === 'true' : id === 'hexo';
}

/**
 * An Astro-generated collection schema as Inkwell checks it: the definition its
 * `$ref` points at, without `additionalProperties: false` (Astro's default
 * object schemas drop unknown keys rather than fail; unknown-key warnings
 * report them instead), and without the `$schema` property Astro adds for editors.
 */
export function astroEntrySchema(json: unknown, name: string): object {
  if (json === null || typeof json !== 'object') throw new Error('not a JSON object');
  const root = json as Record<string, unknown>;
  let entry = root;
  const ref = typeof root.$ref === 'string' ? /^#\/definitions\/(.+)$/.exec(root.$ref)?.[1] : undefined;
  const defs = root.definitions as Record<string, unknown> | undefined;
  if (ref && defs && typeof defs[ref] === 'object') entry = defs[ref] as Record<string, unknown>;
  const props = { ...((entry.properties as Record<string, unknown> | undefined) ?? {}) };
  delete props.$schema;
  const out: Record<string, unknown> = { ...entry, properties: props, title: entry.title ?? `Astro collection ${name}` };
  delete out.additionalProperties;
  out.$schema = typeof root.$schema === 'string' ? root.$schema : 'http://json-schema.org/draft-07/schema#';
  if (defs) out.definitions = defs;
  return out;
}

/** The folder a collection's glob loader reads (`base: './src/content/blog'`), from the content config's text. */
function collectionBase(text: string, name: string): string | undefined {
  const def = new RegExp(`\\b${name}\\s*[:=]\\s*defineCollection\\(`).exec(text);
  if (!def) return undefined;
  const rest = text.slice(def.index, def.index + 2000);
  const base = /\bbase\s*:\s*["'`]([^"'`]+)["'`]/.exec(rest)?.[1];
  return base ? path.posix.normalize(base.replace(/^\.\//, '')).replace(/\/+$/, '') : undefined;
}
