/**
 * Dates in frontmatter: which texts are valid (YAML timestamps, ISO 8601 dates
 * and date-times), which style a post writes them in, and how to repair a
 * malformed one.
 */

/** The ways posts write dates; a workspace tends to stick to one. */
export type DateStyle =
  /** `2023-05-08` */
  | 'date'
  /** `2023-05-08 09:18:49` */
  | 'datetime-space'
  /** `2023-05-08T09:18:49` */
  | 'datetime-local'
  /** `2023-05-08T09:18:49Z` */
  | 'datetime-utc'
  /** `2023-05-08T09:18:49+02:00` */
  | 'datetime-offset';

/** The parts of a calendar date and time, as written (no time zone conversion). */
export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Minutes east of UTC when the text had a zone, undefined for local times. */
  offsetMinutes?: number;
  hasTime: boolean;
}

// YAML 1.1 timestamp (https://yaml.org/type/timestamp.html) and ISO 8601 date / date-time.
const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?[ \t]*(Z|z|[-+]\d{1,2}(?::?\d{2})?)?)?$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parses a valid frontmatter date: a YAML timestamp or an ISO 8601 date or
 * date-time with a real calendar day. Returns undefined for anything else.
 */
export function parseDateText(text: string): DateParts | undefined {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hasTime = m[4] !== undefined;
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  let offsetMinutes: number | undefined;
  const zone = m[7];
  if (zone) {
    if (zone === 'Z' || zone === 'z') offsetMinutes = 0;
    else {
      const z = /^([-+])(\d{1,2}):?(\d{2})?$/.exec(zone);
      if (!z || Number(z[2]) > 14 || Number(z[3] ?? 0) > 59) return undefined;
      offsetMinutes = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0));
    }
  }
  return { year, month, day, hour, minute, second, offsetMinutes, hasTime };
}

/** True when `text` is a valid frontmatter date. */
export function isValidDateText(text: string): boolean {
  return parseDateText(text) !== undefined;
}

/** The style a valid date text is written in, or undefined if it is not valid. */
export function detectDateStyle(text: string): DateStyle | undefined {
  const t = text.trim();
  const parts = parseDateText(t);
  if (!parts) return undefined;
  if (!parts.hasTime) return 'date';
  if (parts.offsetMinutes === undefined) return /[Tt]/.test(t) ? 'datetime-local' : 'datetime-space';
  return /[Zz]$/.test(t) ? 'datetime-utc' : 'datetime-offset';
}

const pad = (n: number, w = 2) => String(Math.trunc(Math.abs(n))).padStart(w, '0');

/** Formats date parts in a style. Zone-less parts are taken as local wall time. */
export function formatDateParts(p: DateParts, style: DateStyle): string {
  const date = `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
  const time = `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
  switch (style) {
    case 'date':
      return date;
    case 'datetime-space':
      return `${date} ${time}`;
    case 'datetime-local':
      return `${date}T${time}`;
    case 'datetime-utc':
      if (p.offsetMinutes !== undefined && p.offsetMinutes !== 0) {
        const utc = new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute - p.offsetMinutes, p.second));
        return formatDateParts(partsOfUtc(utc), 'datetime-utc');
      }
      return `${date}T${time}Z`;
    case 'datetime-offset': {
      const off = p.offsetMinutes ?? 0;
      return `${date}T${time}${off < 0 ? '-' : '+'}${pad(off / 60)}:${pad(off % 60)}`;
    }
  }
}

function partsOfUtc(d: Date): DateParts {
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    offsetMinutes: 0,
    hasTime: true,
  };
}

/** A moment as date parts: local wall time, or UTC for the `datetime-utc` style. */
export function partsOfDate(d: Date, style: DateStyle): DateParts {
  if (style === 'datetime-utc') return partsOfUtc(d);
  const offsetMinutes = style === 'datetime-offset' ? -d.getTimezoneOffset() : undefined;
  return {
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
    offsetMinutes,
    hasTime: style !== 'date',
  };
}

/** `date` formatted in `style` (the "date now" of a missing-date fix). */
export function formatDate(d: Date, style: DateStyle): string {
  return formatDateParts(partsOfDate(d, style), style);
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Reads a malformed date the way a person would: `2023/5/8`, `2023.05.08`,
 * `8.5.2023`, `05/08/2023` (month first, unless the first number cannot be a
 * month), `May 8, 2023`, `8 May 2023`, with an optional `HH:MM[:SS]` time.
 * Returns undefined when the text is not recognisably a date.
 */
export function repairDateText(text: string): DateParts | undefined {
  const t = text
    .trim()
    .replace(/^["']|["']$/g, '')
    .trim();
  if (t.length > 64) return undefined;
  let rest = t;
  let hour = 0,
    minute = 0,
    second = 0,
    hasTime = false;
  const time = /[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?\s*$/i.exec(rest);
  if (time) {
    hour = Number(time[1]);
    minute = Number(time[2]);
    second = Number(time[3] ?? 0);
    if (time[4]) {
      const pm = time[4].toLowerCase() === 'pm';
      if (hour === 12) hour = pm ? 12 : 0;
      else if (pm) hour += 12;
    }
    hasTime = true;
    rest = rest.slice(0, time.index).trim();
  }
  let y: number, mo: number, d: number;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})[-/.\s](\d{1,2})[-/.\s](\d{1,2})$/.exec(rest))) {
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else if ((m = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$/.exec(rest))) {
    const [a, b] = [Number(m[1]), Number(m[3])];
    y = Number(m[4]);
    // Dots are day-first (European); slashes month-first unless impossible.
    if (m[2] === '.' || a > 12) [d, mo] = [a, b];
    else [mo, d] = [a, b];
  } else if ((m = /^([A-Za-z]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/.exec(rest))) {
    mo = MONTHS.indexOf(m[1].slice(0, 3).toLowerCase()) + 1;
    [d, y] = [Number(m[2]), Number(m[3])];
  } else if ((m = /^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,})\.?,?\s+(\d{4})$/.exec(rest))) {
    mo = MONTHS.indexOf(m[2].slice(0, 3).toLowerCase()) + 1;
    [d, y] = [Number(m[1]), Number(m[3])];
  } else if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(rest))) {
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else {
    return undefined;
  }
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return { year: y, month: mo, day: d, hour, minute, second, hasTime };
}

/**
 * The valid date nearest to a `YYYY-MM-DD` date whose month or day is out of range, in the
 * same year and, when the month is real, the same month: `2024-02-30` → `2024-02-29`,
 * `2024-13-45` → `2024-12-31`, `2024-04-00` → `2024-04-01`. A time after it is kept when it
 * is valid. Undefined for a valid date or anything else.
 */
export function nearestValidDate(text: string): DateParts | undefined {
  const t = text
    .trim()
    .replace(/^["']|["']$/g, '')
    .trim();
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt ](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (!m || parseDateText(t)) return undefined;
  const year = Number(m[1]);
  if (year < 1000) return undefined;
  const month = Math.min(12, Math.max(1, Number(m[2])));
  const day = Math.min(daysIn(year, month), Math.max(1, Number(m[3])));
  const hasTime = m[4] !== undefined;
  const [hour, minute, second] = hasTime ? [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)] : [0, 0, 0];
  if (hour > 23 || minute > 59 || second > 59) return { year, month, day, hour: 0, minute: 0, second: 0, hasTime: false };
  return { year, month, day, hour, minute, second, hasTime };
}
