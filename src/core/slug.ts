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

/** The text of a new post: YAML frontmatter with the default fields and an empty body. */
export function newPostText(title: string, date: Date): string {
  const quoted = JSON.stringify(title);
  return `---\ntitle: ${quoted}\ndate: ${isoDate(date)}\ndescription: ""\ntags: []\n---\n\n`;
}
