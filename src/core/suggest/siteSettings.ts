import { parse as parseYaml } from 'yaml';
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };
import { DESCRIPTION_MAX, DESCRIPTION_MIN } from '../frontmatter/schema';
import type { SiteListing } from '../site/detect';
import type { GeneratorId } from '../site/generators';

// smol-toml ships ES module typings; its CommonJS build is what Node and esbuild load here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml } = require('smol-toml') as typeof SmolToml;

/** Hugo's default `summaryLength`: the automatic summary ends with the paragraph that reaches this many words. */
export const HUGO_SUMMARY_LENGTH = 70;
/** Jekyll's default `excerpt_separator`: the excerpt is the first paragraph of the Markdown. */
export const JEKYLL_EXCERPT_SEPARATOR = '\n\n';

/** What decides the summary a site generator shows for a post. */
export interface SummarySettings {
  generator?: GeneratorId;
  /** Hugo's `summaryLength` (words). */
  summaryLength: number;
  /** Jekyll's `excerpt_separator`. */
  excerptSeparator: string;
}

/** Length bounds a description should keep to, in characters. */
export interface DescriptionBounds {
  min: number;
  max: number;
}

/** The bounds the validator checks descriptions against. */
export const DEFAULT_DESCRIPTION_BOUNDS: DescriptionBounds = { min: DESCRIPTION_MIN, max: DESCRIPTION_MAX };

/**
 * The summary settings of a site from its configuration files: Hugo's
 * `summaryLength` (in `hugo.*` or `config.*`, any of TOML, YAML or JSON; Hugo
 * reads configuration keys case-insensitively) and Jekyll's `excerpt_separator`
 * (in `_config.yml`). Unreadable files leave the defaults.
 */
export function summarySettings(listing: SiteListing, generator: GeneratorId | undefined): SummarySettings {
  const out: SummarySettings = { generator, summaryLength: HUGO_SUMMARY_LENGTH, excerptSeparator: JEKYLL_EXCERPT_SEPARATOR };
  if (generator === 'hugo') {
    const file = ['hugo.toml', 'hugo.yaml', 'hugo.yml', 'hugo.json', 'config.toml', 'config.yaml', 'config.yml', 'config.json'].find(
      (f) => listing.contents[f] !== undefined,
    );
    const config = file ? readConfig(file, listing.contents[file]) : undefined;
    const length = config && valueOf(config, 'summarylength');
    if (typeof length === 'number' && Number.isInteger(length) && length > 0) out.summaryLength = length;
  } else if (generator === 'jekyll') {
    const text = listing.contents['_config.yml'] ?? listing.contents['_config.yaml'];
    const config = text !== undefined ? readConfig('_config.yml', text) : undefined;
    const separator = config?.excerpt_separator;
    if (typeof separator === 'string' && separator) out.excerptSeparator = separator;
  }
  return out;
}

/** A configuration file's top-level table, or undefined when it does not parse. */
function readConfig(file: string, text: string): Record<string, unknown> | undefined {
  try {
    const data: unknown = file.endsWith('.toml') ? parseToml(text) : file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function valueOf(config: Record<string, unknown>, lowerKey: string): unknown {
  const key = Object.keys(config).find((k) => k.toLowerCase() === lowerKey);
  return key === undefined ? undefined : config[key];
}

/**
 * The description bounds of a custom JSON Schema (`properties.description`'s
 * `minLength` and `maxLength`), each falling back to the validator's (the
 * minimum never above the schema's maximum).
 */
export function descriptionBounds(schema?: unknown): DescriptionBounds {
  const props = isObject(schema) && isObject(schema.properties) ? schema.properties : undefined;
  const description = props && isObject(props.description) ? props.description : undefined;
  const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
  const max = int(description?.maxLength) ?? DESCRIPTION_MAX;
  const min = int(description?.minLength) ?? Math.min(DESCRIPTION_MIN, max);
  return max >= min && max > 0 ? { min, max } : DEFAULT_DESCRIPTION_BOUNDS;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
