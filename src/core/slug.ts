/**
 * Turns a title into a URL slug the way static site generators do:
 * lower case, accents folded, runs of other characters collapsed to single hyphens.
 */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, 80).replace(/-+$/, '') || 'untitled';
}

/** Formats a date as `YYYY-MM-DD` in local time. */
export function isoDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** What a new post starts with besides its title and date. */
export interface NewPostFields {
  /** Empty: the writer skipped it; the field is there to fill in. */
  readonly description?: string;
  readonly tags?: readonly string[];
  /** Adds `draft: true`. */
  readonly draft?: boolean;
}

/** The text of a new post: YAML frontmatter with the default fields and an empty body. */
export function newPostText(title: string, date: Date, fields: NewPostFields = {}): string {
  const tags = (fields.tags ?? []).map((t) => JSON.stringify(t)).join(', ');
  return (
    `---\ntitle: ${JSON.stringify(title)}\ndate: ${isoDate(date)}\ndescription: ${JSON.stringify(fields.description ?? '')}\ntags: [${tags}]\n` +
    `${fields.draft ? 'draft: true\n' : ''}---\n\n`
  );
}

/** How a site names its post files: `slug.md`, `2024-05-01-slug.md` or `slug/index.md`. */
export type PostNaming = 'plain' | 'dated' | 'bundle';

/** The file name (relative to the posts folder) of a new post. */
export function postFileName(slug: string, naming: PostNaming, date: string): string {
  if (naming === 'dated') return `${date}-${slug}.md`;
  if (naming === 'bundle') return `${slug}/index.md`;
  return `${slug}.md`;
}
