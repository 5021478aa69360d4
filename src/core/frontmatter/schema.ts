/**
 * The default post schema: which fields a post has, what they hold, and the
 * documentation completions and hovers show. The rules themselves live in
 * `validate.ts`; a custom JSON Schema can extend or replace them.
 */

/** What a field holds, as completions and hovers describe it. */
export type FieldType = 'date' | 'string' | 'tags' | 'image' | 'boolean' | 'list' | 'number' | 'any';

/** One frontmatter field the schema knows. */
export interface FieldSpec {
  name: string;
  type: FieldType;
  required?: boolean;
  /** Markdown shown in completions and hovers. */
  description: string;
  /** Allowed values, offered as completions. */
  enum?: readonly (string | number | boolean)[];
}

/** Title length above which search engines cut it off. */
export const TITLE_MAX = 60;
/** Meta description length bounds recommended for search snippets. */
export const DESCRIPTION_MIN = 50;
export const DESCRIPTION_MAX = 160;

/** Fields of the default post schema. */
export const DEFAULT_FIELDS: readonly FieldSpec[] = [
  {
    name: 'title',
    type: 'string',
    required: true,
    description: `The post's title, shown as its heading and in listings. Required; keep it under ${TITLE_MAX} characters so search results show all of it.`,
  },
  {
    name: 'date',
    type: 'date',
    required: true,
    description:
      'Publication date. Required: a YAML timestamp or an ISO 8601 date or date-time, e.g. `2023-05-08` or `2023-05-08T09:30:00Z`.',
  },
  {
    name: 'description',
    type: 'string',
    description: `A summary for listings, feeds and search snippets: ${DESCRIPTION_MIN}–${DESCRIPTION_MAX} characters.`,
  },
  {
    name: 'tags',
    type: 'tags',
    description:
      'A list of tags, e.g. `[machine-learning, gan]`. Spell each tag the way the rest of the site does, or its tag page splits in two.',
  },
  {
    name: 'image',
    type: 'image',
    description:
      'Hero image: a path relative to the post, or a site-root path such as `/uploads/x.png` resolved against the static folders (`inkwell.posts.staticFolders`).',
  },
  {
    name: 'draft',
    type: 'boolean',
    enum: [true, false],
    description: 'When `true`, the site generator leaves the post out of production builds.',
  },
  // Common optional fields of static site generators: known, so they are not "unknown keys".
  { name: 'lastmod', type: 'date', description: 'Date of the last significant change.' },
  { name: 'updated', type: 'date', description: 'Date of the last significant change (Hexo, Zola).' },
  { name: 'publishDate', type: 'date', description: 'Date from which the post is published (Hugo).' },
  { name: 'expiryDate', type: 'date', description: 'Date after which the post is no longer published (Hugo).' },
  { name: 'slug', type: 'string', description: "The last part of the post's URL, instead of one made from the file name." },
  { name: 'url', type: 'string', description: 'The full path of the post on the site.' },
  { name: 'aliases', type: 'list', description: 'Old URLs that redirect to this post.' },
  { name: 'categories', type: 'list', description: 'A list of categories, a coarser grouping than tags.' },
  { name: 'author', type: 'string', description: 'Who wrote the post.' },
  { name: 'authors', type: 'list', description: 'Who wrote the post, when several people did.' },
  { name: 'summary', type: 'string', description: 'A summary shown in listings instead of the first paragraph.' },
  { name: 'keywords', type: 'list', description: "Keywords for the page's meta tags." },
  { name: 'series', type: 'list', description: 'The series this post belongs to.' },
  { name: 'weight', type: 'number', description: 'Order of the post in listings (lower first).' },
  { name: 'layout', type: 'string', description: 'Template the site generator renders the post with.' },
  { name: 'toc', type: 'boolean', enum: [true, false], description: 'Show a table of contents.' },
  { name: 'math', type: 'boolean', enum: [true, false], description: 'Load math rendering for this post.' },
];
