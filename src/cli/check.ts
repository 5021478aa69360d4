/**
 * `inkwell check [paths…]`: the editor's frontmatter checks for CI. Same core
 * code, same rules, same problem codes; exits 1 when any error is found.
 */
import { isUtf8 } from 'buffer';
import * as fs from 'fs';
import * as path from 'path';
import { compileCustomSchema, CustomSchema } from '../core/frontmatter/customSchema';
import { toSlash } from '../core/frontmatter/images';
import { splitFrontmatter } from '../core/frontmatter/split';
import { isProblemCode, SeverityOverride } from '../core/frontmatter/problemCodes';
import { DEFAULT_MAX_FILE_SIZE_KB } from '../core/frontmatter/validate';
import { checkPosts, PostCheck, PostSource } from '../core/posts/checkPosts';
import { lineColAt, lineStarts, stripBom } from '../core/posts/lines';
import { createPostMatcher, DEFAULT_POST_EXCLUDE, DEFAULT_POST_INCLUDE, DEFAULT_STATIC_FOLDERS } from '../core/posts/postGlobs';
import { walkArguments, type CliCommand, type CliIo } from './io';
import { loadCliSite, parseGeneratorSetting } from './siteOptions';
import type { GeneratorSetting } from '../core/site/generators';

const HELP = `Usage: inkwell check [paths…] [options]

Checks the frontmatter of blog posts with the same rules as the editor.
Paths are files or folders (default: the current folder); folders are walked
for posts matching the include/exclude globs, relative to the site root.
Files named are always checked; a folder named that holds no posts is an error.
The walk skips node_modules and .git, follows links only to places inside the
folder, and skips special files (FIFOs, devices) with a note.

Options:
  --schema FILE          JSON Schema (draft 7 or 2020-12) for the frontmatter
  --schema-mode MODE     extend (default) or replace the default rules
  --format text|json     output format (default text: file:line:col severity code message)
  --root DIR             site root for /paths in image:, the globs and the site's
                         tag spellings (default: the current folder, or the folder
                         holding all the paths given when they are outside it)
  --static A,B           static folders under the root (default: ${DEFAULT_STATIC_FOLDERS.join(',')})
  --include GLOB         glob of post files, repeatable (default: ${DEFAULT_POST_INCLUDE.join(' ')})
  --exclude GLOB         glob of files to skip, repeatable (default: ${DEFAULT_POST_EXCLUDE.join(' ')})
  --flag-unknown-keys    report fields the schema does not define
  --severity CODE=LEVEL  override a problem's severity (error, warning, information, hint, off), repeatable
  --max-size KB          skip files larger than this (default ${DEFAULT_MAX_FILE_SIZE_KB})
  --generator NAME       site generator whose conventions apply (post globs, static folders,
                         fields): auto (default: detected from the root), none, hugo,
                         jekyll, astro, eleventy, hexo, docusaurus

Exit status: 0 when no errors, 1 when any post has an error, 2 on bad usage.`;

/** Parsed command line of `inkwell check`. */
interface CheckArgs {
  paths: string[];
  schema?: string;
  schemaMode: 'extend' | 'replace';
  format: 'text' | 'json';
  root?: string;
  staticFolders: string[];
  include: string[];
  exclude: string[];
  flagUnknownKeys: boolean;
  severity: Record<string, SeverityOverride>;
  maxSizeKB: number;
  /** `--generator` (site conventions, src/cli/siteOptions.ts); `staticGiven` when --static was passed. */
  generator?: GeneratorSetting;
  staticGiven?: boolean;
}

function parseArgs(argv: string[]): CheckArgs | string {
  const a: CheckArgs = {
    paths: [],
    schemaMode: 'extend',
    format: 'text',
    staticFolders: [...DEFAULT_STATIC_FOLDERS],
    include: [],
    exclude: [],
    flagUnknownKeys: false,
    severity: {},
    maxSizeKB: DEFAULT_MAX_FILE_SIZE_KB,
  };
  for (const { arg, flag, value } of walkArguments(argv)) {
    try {
      switch (flag) {
        case '--schema':
          a.schema = value();
          break;
        case '--schema-mode': {
          const v = value();
          if (v !== 'extend' && v !== 'replace') return `--schema-mode must be extend or replace, not '${v}'`;
          a.schemaMode = v;
          break;
        }
        case '--format': {
          const v = value();
          if (v !== 'text' && v !== 'json') return `--format must be text or json, not '${v}'`;
          a.format = v;
          break;
        }
        case '--root':
          a.root = value();
          break;
        case '--static':
          a.staticFolders = value()
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
          a.staticGiven = true;
          break;
        case '--generator': {
          const g = parseGeneratorSetting(value());
          if (!g) return '--generator must be auto, none, hugo, jekyll, astro, eleventy, hexo or docusaurus';
          a.generator = g;
          break;
        }
        case '--include':
          a.include.push(value());
          break;
        case '--exclude':
          a.exclude.push(value());
          break;
        case '--flag-unknown-keys':
          a.flagUnknownKeys = true;
          break;
        case '--max-size': {
          const n = Number(value());
          if (!(n > 0)) return '--max-size must be a positive number of KB';
          a.maxSizeKB = n;
          break;
        }
        case '--severity': {
          const m = /^([a-z-]+)=(error|warning|information|hint|off)$/.exec(value());
          if (!m || !isProblemCode(m[1])) return `--severity expects CODE=LEVEL with a known problem code, e.g. title-too-long=off`;
          a.severity[m[1]] = m[2] as SeverityOverride;
          break;
        }
        default:
          if (arg.startsWith('-') && arg !== '-') return `unknown option '${arg}'`;
          a.paths.push(arg);
      }
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }
  return a;
}

/** One buffer reused for every read: reading 10,000 posts should not make 10,000 buffers for the GC. */
let readBuffer = Buffer.allocUnsafe(64 * 1024);
const utf8 = new TextDecoder('utf-8');

function lineEnd(text: string): number {
  const lf = text.indexOf('\n');
  return lf < 0 ? text.length : lf + 1;
}

/** Reads a post as an editor would: UTF-8 without BOM; invalid bytes noted; huge files skipped. */
function readPost(file: string, maxSizeKB: number): PostSource {
  const p = toSlash(path.resolve(file));
  const limit = Math.floor(maxSizeKB * 1024);
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    if (!fs.fstatSync(fd).isFile()) throw new Error(NOT_REGULAR);
    // Read up to one byte past the limit instead of asking for the size first: one syscall less per post.
    let length = 0;
    for (;;) {
      if (length === readBuffer.length) {
        const bigger = Buffer.allocUnsafe(readBuffer.length * 2);
        readBuffer.copy(bigger, 0, 0, length);
        readBuffer = bigger;
      }
      const n = fs.readSync(fd, readBuffer, length, Math.min(readBuffer.length, limit + 1) - length, null);
      if (n === 0) break;
      length += n;
      if (length > limit) return { path: p, text: '', skippedSize: fs.fstatSync(fd).size };
    }
    const bytes = readBuffer.subarray(0, length);
    const invalidUtf8 = !isUtf8(bytes);
    const text = stripBom(utf8.decode(bytes));
    // Keep only what the checks look at (the frontmatter, or the first line when there is none):
    // holding every body of a large site in memory would cost far more in GC than the checks.
    const block = splitFrontmatter(text);
    const keep = invalidUtf8 ? text.length : block ? (block.terminated ? block.bodyStart : text.length) : lineEnd(text);
    if (keep >= text.length) return invalidUtf8 ? { path: p, text, invalidUtf8 } : { path: p, text };
    // Decode the kept bytes again so the string owns its memory (a slice would keep the whole text alive).
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    return { path: p, text: stripBom(utf8.decode(bytes.subarray(0, bom + Buffer.byteLength(text.slice(0, keep))))) };
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads posts in order; unreadable files are reported through `onError` and left out. */
export function readPosts(files: readonly string[], maxSizeKB: number, onError: (file: string, err: unknown) => void): PostSource[] {
  const out: PostSource[] = [];
  for (const f of files) {
    try {
      out.push(readPost(f, maxSizeKB));
    } catch (err) {
      onError(f, err);
    }
  }
  return out;
}

const NOT_REGULAR = 'not a regular file (a FIFO, socket or device); only files are read';

/** Folders deeper than this below the walk's start are not entered (no site nests so deep). */
const MAX_WALK_DEPTH = 64;

/** What a walk found: post files (real paths, in order) and special files it skipped. */
interface WalkResult {
  files: string[];
  skipped: string[];
}

/** True when `p` is `dir` or inside it (both real, absolute paths). */
function isInside(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Post files under `start`, their paths matched against the globs relative to
 * `globBase`. Bounded: never enters node_modules or .git, follows a link only
 * when its target is inside `start` (each real folder once, so link loops end),
 * stops at MAX_WALK_DEPTH, and lists FIFOs and other special files that match
 * the globs in `skipped` instead of reading them.
 */
function walk(start: string, globBase: string, isPost: (relative: string) => boolean, out: WalkResult): void {
  const top = realpathOr(start);
  const seenDirs = new Set<string>([top]);
  const seenFiles = new Set(out.files);
  const visit = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    for (const e of entries) {
      // Never descend into dependency or VCS folders: they can be huge.
      if (e.name === 'node_modules' || e.name === '.git') continue;
      const full = path.join(dir, e.name);
      let real = full;
      let kind: 'dir' | 'file' | 'other' = e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other';
      if (e.isSymbolicLink()) {
        const target = realpathOr(full, '');
        if (!target || !isInside(target, top)) continue;
        const st = fs.statSync(target, { throwIfNoEntry: false });
        if (!st) continue;
        real = target;
        kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
      }
      if (kind === 'dir') {
        if (depth >= MAX_WALK_DEPTH || seenDirs.has(real)) continue;
        seenDirs.add(real);
        visit(full, depth + 1);
      } else if (isPost(toSlash(path.relative(globBase, full)))) {
        if (kind === 'other') out.skipped.push(full);
        else if (!seenFiles.has(real)) {
          seenFiles.add(real);
          out.files.push(real);
        }
      }
    }
  };
  visit(start, 0);
}

function realpathOr(p: string, fallback = p): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return fallback;
  }
}

/** One problem as the JSON output reports it (1-based lines and columns, like the text output). */
export interface JsonProblem {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
}

function toJsonProblems(check: PostCheck, cwd: string): JsonProblem[] {
  const starts = lineStarts(check.text);
  const file = toSlash(path.relative(cwd, check.path) || check.path);
  return check.problems.map((p) => {
    const s = lineColAt(starts, p.start);
    const e = lineColAt(starts, p.end);
    return {
      file,
      line: s.line + 1,
      column: s.character + 1,
      endLine: e.line + 1,
      endColumn: e.character + 1,
      severity: p.severity,
      code: p.code,
      message: p.message,
    };
  });
}

/** The current folder when every path is inside it, else the deepest folder holding them all. */
function commonRoot(cwd: string, paths: readonly string[]): string {
  if (paths.every((p) => isInside(p, cwd))) return cwd;
  const dirs = paths.map((p) => (fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ? p : path.dirname(p)));
  let common = dirs[0];
  while (!dirs.every((d) => isInside(d, common))) common = path.dirname(common);
  return common;
}

export const run: CliCommand = async (argv: string[], io: CliIo): Promise<number> => {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(HELP);
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.err(`inkwell check: ${args}`);
    io.err('Run `inkwell check --help` for the options.');
    return 2;
  }
  const cwd = realpathOr(path.resolve(io.cwd));
  const named = (args.paths.length ? args.paths : ['.']).map((p) => ({ arg: p, full: realpathOr(path.resolve(cwd, p)) }));
  // The site root: given, or the current folder, unless the paths are elsewhere (`cd /tmp;
  // inkwell check ~/blog/posts`): then the folder that holds them all, never the current one.
  const root =
    args.root !== undefined
      ? realpathOr(path.resolve(cwd, args.root))
      : commonRoot(
          cwd,
          named.map((n) => n.full),
        );
  let customSchema: CustomSchema | undefined;
  if (args.schema) {
    const schemaPath = path.resolve(io.cwd, args.schema);
    try {
      customSchema = await compileCustomSchema(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
    } catch (err) {
      io.err(`inkwell check: cannot use the schema ${args.schema}: ${err instanceof Error ? err.message : String(err)}`);
      return 2;
    }
  }
  // Site generator conventions: default globs and static folders, generator fields and checks.
  const site = await loadCliSite(root, args.generator ?? 'auto', {
    include: args.include,
    exclude: args.exclude,
    staticFolders: args.staticGiven ? args.staticFolders : undefined,
  });
  const isPost = createPostMatcher(site.include, site.exclude);
  const found: WalkResult = { files: [], skipped: [] };
  for (const { arg, full } of named) {
    const stat = fs.statSync(full, { throwIfNoEntry: false });
    if (!stat) {
      io.err(`inkwell check: no such file or folder: ${arg}`);
      return 2;
    }
    if (stat.isDirectory()) {
      const before = found.files.length;
      // Globs are relative to the site root; for a folder outside it, to the folder itself.
      walk(full, isInside(full, root) ? root : full, isPost, found);
      if (found.files.length === before && args.paths.length) {
        const globs = site.include.join(', ');
        io.err(
          `inkwell check: no posts in ${arg}: no file there matches the include globs (${globs}) relative to ${path.relative(cwd, isInside(full, root) ? root : full) || '.'}, outside the excluded ones.`,
        );
        return 2;
      }
    } else if (!stat.isFile()) {
      io.err(`inkwell check: cannot check ${arg}: ${NOT_REGULAR}.`);
      return 2;
    } else if (!found.files.includes(full)) {
      // Files named explicitly are checked even when the globs would skip them.
      found.files.push(full);
    }
  }
  for (const f of found.skipped) io.err(`inkwell check: skipped ${path.relative(cwd, f)}: ${NOT_REGULAR}.`);
  const checked = new Set(found.files.map((f) => toSlash(f)));
  // Tag spellings are judged against the whole site, as in the editor: index the
  // site's other posts too when only some files are checked.
  const context: WalkResult = { files: [...found.files], skipped: [] };
  if (args.paths.length) walk(root, root, isPost, context);
  const all = context.files;
  const sources = readPosts(all, args.maxSizeKB, (f, err) => {
    io.err(`inkwell check: cannot read ${path.relative(cwd, f)}: ${err instanceof Error ? err.message : String(err)}`);
  });
  const results = checkPosts(
    sources,
    {
      siteRoot: toSlash(root),
      staticFolders: site.staticFolders,
      perPost: (file, options) => site.validation(toSlash(path.relative(root, file)), options),
      fileExists: (p) => fs.existsSync(p),
      flagUnknownKeys: args.flagUnknownKeys,
      maxFileSizeKB: args.maxSizeKB,
      customSchema,
      schemaMode: args.schemaMode,
      severity: args.severity,
    },
    (p) => checked.has(p),
  );
  const problems = results.flatMap((r) => toJsonProblems(r, cwd));
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.filter((p) => p.severity === 'warning').length;
  if (args.format === 'json') {
    io.out(JSON.stringify({ files: results.length, errors, warnings, problems }, null, 2));
  } else {
    for (const p of problems) io.out(`${p.file}:${p.line}:${p.column} ${p.severity} ${p.code} ${p.message}`);
    io.err(
      `${results.length} post${results.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`,
    );
  }
  return errors > 0 ? 1 : 0;
};
