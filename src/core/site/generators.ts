import type { ProblemCode, SeverityOverride } from '../frontmatter/problemCodes';

/** A problem code as its string value. */
export type CodeName = `${ProblemCode}`;

/** The site generators whose conventions Inkwell knows. */
export type GeneratorId = 'hugo' | 'jekyll' | 'astro' | 'eleventy' | 'hexo' | 'docusaurus';

/** Values of `inkwell.site.generator`. */
export type GeneratorSetting = 'auto' | 'none' | GeneratorId;

export const GENERATOR_IDS: readonly GeneratorId[] = ['hugo', 'jekyll', 'astro', 'eleventy', 'hexo', 'docusaurus'];

/** What follows from knowing the generator: which files are posts, where site-root paths point, field conventions. */
export interface GeneratorInfo {
  id: GeneratorId;
  /** Display name, used in messages ("Hugo leaves …"). */
  name: string;
  /** Default post globs (relative to the site root) when `inkwell.posts.include` is not set. */
  include: readonly string[];
  /** Globs added to `inkwell.posts.exclude`: files under the post folders that are not posts. */
  exclude: readonly string[];
  /** Folders that site-root paths (`/images/x.png`) resolve against, in order. */
  staticFolders: readonly string[];
  /**
   * Where an inserted image goes by default: this folder under the first static folder, linked
   * from the site root (`/images/x.png`). Pages are not served from their post's folder, so a
   * link relative to the post would break; Hugo's page bundles (`…/slug/index.md`) are the
   * exception, and keep their images beside the post.
   */
  imageFolder: string;
  /** Whether a post named `index.md` is a page bundle whose files are served beside the page (Hugo). */
  pageBundles?: boolean;
  /** The field "last updated" lives in (`inkwell.posts.updateDateOnSave`); undefined when the generator has none. */
  updatedField?: string;
  /** The field holding the publication date. */
  dateField: string;
  /**
   * Severities of the built-in checks under this generator (the user's
   * `inkwell.validation.severity` still wins): a post the build accepts gets
   * no error. For example Hugo builds a post without a title.
   */
  severity: Readonly<Partial<Record<CodeName, SeverityOverride>>>;
  /** What the generator does with such a problem, appended to the built-in message. */
  consequences: Readonly<Partial<Record<CodeName, string>>>;
}

const md = (dir: string): string[] => [`${dir}/**/*.md`, `${dir}/**/*.markdown`];

/** The conventions of each generator, from its documentation and checked against its real build (test/sites). */
export const GENERATORS: Readonly<Record<GeneratorId, GeneratorInfo>> = {
  hugo: {
    id: 'hugo',
    name: 'Hugo',
    include: md('content'),
    exclude: ['**/_index.md'],
    staticFolders: ['static'],
    imageFolder: 'images',
    pageBundles: true,
    updatedField: 'lastmod',
    dateField: 'date',
    severity: { 'title-missing': 'warning', 'title-empty': 'warning', 'date-missing': 'warning', 'tags-not-list': 'warning' },
    consequences: {
      'date-invalid': 'Hugo builds the post but drops this date: it is dated 0001-01-01.',
      'draft-not-boolean': 'Hugo reads it as false and publishes the post.',
      'tags-not-list': 'Hugo reads it as a single tag.',
      'title-missing': 'Hugo builds the post with an empty title.',
      'title-empty': 'Hugo builds the post with an empty title.',
      'date-missing': 'Hugo dates the post 0001-01-01.',
    },
  },
  jekyll: {
    id: 'jekyll',
    name: 'Jekyll',
    include: [...md('_posts'), ...md('_drafts')],
    exclude: [],
    staticFolders: ['.'],
    imageFolder: 'assets/images',
    updatedField: 'last_modified_at',
    dateField: 'date',
    // The date comes from the file name (YYYY-MM-DD-title.md); the front matter's date is optional.
    severity: {
      'date-missing': 'off',
      'title-missing': 'warning',
      'title-empty': 'warning',
      'tags-not-list': 'off',
      'draft-not-boolean': 'warning',
    },
    consequences: {
      'date-invalid': 'Jekyll stops the build: the document "does not have a valid date in the YAML front matter".',
      'title-missing': 'Jekyll makes a title from the file name.',
    },
  },
  astro: {
    id: 'astro',
    name: 'Astro',
    include: [...md('src/content'), 'src/content/**/*.mdx'],
    exclude: [],
    staticFolders: ['public'],
    imageFolder: 'images',
    updatedField: 'updatedDate',
    dateField: 'pubDate',
    // Astro's blog template dates posts with pubDate; a collection's schema decides the rest (siteRules.ts).
    severity: { 'date-missing': 'off' },
    consequences: {},
  },
  eleventy: {
    id: 'eleventy',
    name: 'Eleventy',
    include: ['**/*.md', '**/*.markdown'],
    exclude: ['_site/**', 'node_modules/**', '**/README.md'],
    staticFolders: ['.'],
    imageFolder: 'images',
    updatedField: undefined,
    dateField: 'date',
    severity: { 'date-missing': 'off', 'title-missing': 'warning', 'title-empty': 'warning', 'tags-not-list': 'off' },
    consequences: {
      'date-invalid': 'Eleventy stops the build: "Data cascade value for `date` is invalid".',
      'title-missing': 'Eleventy builds the page without a title.',
    },
  },
  hexo: {
    id: 'hexo',
    name: 'Hexo',
    include: [...md('source/_posts'), ...md('source/_drafts')],
    exclude: [],
    staticFolders: ['source'],
    imageFolder: 'images',
    updatedField: 'updated',
    dateField: 'date',
    severity: { 'date-missing': 'warning', 'title-missing': 'warning', 'title-empty': 'warning', 'tags-not-list': 'warning' },
    consequences: {
      'date-invalid': "Hexo builds the post but drops this date: it is dated by the file's modification time.",
      'date-missing': "Hexo dates the post by the file's creation time.",
      'title-missing': 'Hexo builds the post with an empty title.',
      'tags-not-list': 'Hexo reads it as a single tag.',
    },
  },
  docusaurus: {
    id: 'docusaurus',
    name: 'Docusaurus',
    include: [...md('blog'), 'blog/**/*.mdx'],
    exclude: [],
    staticFolders: ['static'],
    imageFolder: 'img',
    updatedField: 'last_update.date',
    dateField: 'date',
    // The date may come from the file or folder name (2023-05-08-title.md); the title from the first heading.
    severity: { 'date-missing': 'off', 'title-missing': 'warning', 'title-empty': 'warning' },
    consequences: {
      'title-missing': 'Docusaurus takes the first heading as the title.',
      'date-invalid': 'Docusaurus stops the build: "date" must be a valid date.',
      'tags-not-list': 'Docusaurus stops the build: "tags" does not look like a valid front matter Yaml array.',
    },
  },
};

/** A generator's conventions. */
export function generatorInfo(id: GeneratorId): GeneratorInfo {
  return GENERATORS[id];
}

/** True for a known generator id. */
export function isGeneratorId(value: unknown): value is GeneratorId {
  return typeof value === 'string' && (GENERATOR_IDS as readonly string[]).includes(value);
}
