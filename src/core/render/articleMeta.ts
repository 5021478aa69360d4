/** The frontmatter fields the article header shows, normalised. */
export interface ArticleMeta {
  readonly title?: string;
  /** The calendar date as written (`YYYY-MM-DD`), when the `date` field holds one. */
  readonly date?: string;
  /** `date` exactly as written, when it is not a recognisable date. */
  readonly rawDate?: string;
  readonly description?: string;
  /** Tags in file order, duplicates removed (case-sensitive, as written). */
  readonly tags: readonly string[];
  /** The hero image path or URL as written. */
  readonly image?: string;
  readonly draft: boolean;
}

/** Reads the header fields out of parsed frontmatter; tolerant of odd shapes. */
export function toArticleMeta(data: Readonly<Record<string, unknown>>): ArticleMeta {
  const text = (v: unknown): string | undefined => {
    if (typeof v === 'string') return v.trim() || undefined;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  };
  const tagsField = data.tags ?? data.tag ?? data.categories;
  const rawTags = Array.isArray(tagsField) ? tagsField : typeof tagsField === 'string' ? tagsField.split(',') : [];
  const tags = [...new Set(rawTags.map(text).filter((t): t is string => !!t))];
  const dateField = data.date instanceof Date ? isoOf(data.date) : text(data.date);
  const date = dateField ? calendarDate(dateField) : undefined;
  return {
    title: text(data.title),
    date,
    rawDate: date ? undefined : dateField,
    description: text(data.description) ?? text(data.summary),
    tags,
    image: text(data.image) ?? text(data.cover) ?? text(data.hero),
    draft: data.draft === true || data.draft === 'true',
  };
}

function isoOf(date: Date): string | undefined {
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** `YYYY-MM-DD` from the start of an ISO-like date or date-time string. */
export function calendarDate(value: string): string | undefined {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T ])/.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return undefined;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * Formats a `YYYY-MM-DD` date for a locale ("8 May 2023", "May 8, 2023", "2023年5月8日").
 * The date is the one written in the file, so it is formatted in UTC: no time zone
 * can move it to the day before.
 */
export function formatDate(isoDay: string, locale: string): string {
  const [y, m, d] = isoDay.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  } catch {
    // An unknown locale tag from the editor must not break the preview.
    return new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  }
}
