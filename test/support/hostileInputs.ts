/**
 * Posts built to make a parser or scanner do super-linear work, generated at any
 * size (never committed as files, which could trip other tools). Each was slow
 * before Inkwell bounded it; the times are from then. Shared by the unit tests,
 * the extension-host test and `npm run bench` (hostile table).
 */
export interface HostileCase {
  readonly name: string;
  /** What the post does, for messages and the benchmark table. */
  readonly what: string;
  /** The post, about `size` characters long. */
  make(size: number): string;
}

const HEAD = '---\ntitle: t\ndate: 2024-01-01\n';

export const HOSTILE_CASES: readonly HostileCase[] = [
  {
    name: 'question-keys',
    what: '`? ` repeated on one line after a title and a date (640 bytes took 16 s to preview)',
    make: (size) => `${HEAD}${'? '.repeat(Math.max(1, (size - 40) >> 1))}\n---\nBody\n`,
  },
  {
    name: 'many-keys',
    what: 'thousands of `kN: v` keys (40k keys took 9.3 s to preview)',
    make: (size) =>
      `${HEAD}${Array.from({ length: Math.max(1, Math.floor((size - 40) / 10)) }, (_, i) => `k${i}: v`).join('\n')}\n---\nBody\n`,
  },
  {
    name: 'nested-dashes',
    what: '`- ` repeated on one line: block lists nested thousands deep (stack overflow)',
    make: (size) => `${HEAD}x: ${'- '.repeat(Math.max(1, (size - 40) >> 1))}a\n---\nBody\n`,
  },
  {
    name: 'tag-openers',
    what: '`<a` repeated in the body, one `>` at the end (200 KB took 9.8 s for reading time)',
    make: (size) => `${HEAD}---\n${'<a'.repeat(Math.max(1, (size - 40) >> 1))}>\n`,
  },
  {
    name: 'link-openers',
    what: '`](` repeated in the body, one `)` at the end (100k took 9.5 s for reading time)',
    make: (size) => `${HEAD}---\n${']('.repeat(Math.max(1, (size - 40) >> 1))})\n`,
  },
  {
    name: 'comment-openers',
    what: '`<!--` repeated in the body (50k took 3.1 s for reading time)',
    make: (size) => `${HEAD}---\n${'<!--'.repeat(Math.max(1, (size - 40) >> 2))}\n`,
  },
];

/** A normal post of about `size` characters: frontmatter and paragraphs of prose, the baseline. */
export function normalPost(size: number): string {
  const paragraph = 'A blogger writes about the weather, the garden and the [book](https://example.com/b) they read.\n\n';
  return `---\ntitle: A normal post\ndate: 2024-01-01\ntags: [one, two]\n---\n${paragraph.repeat(Math.max(1, Math.floor(size / paragraph.length)))}`;
}
