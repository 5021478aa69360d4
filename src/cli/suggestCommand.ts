/**
 * `inkwell suggest title|description|tags POST.md [--json]`: the candidates the
 * editor offers for a post's title, description or tags. Without a model they
 * come from what the site generator itself would use (src/core/suggest).
 */
import * as fs from 'fs';
import * as path from 'path';
import { toSlash } from '../core/frontmatter/images';
import { summarizeText } from '../core/posts/summary';
import { createPostMatcher } from '../core/posts/postGlobs';
import { detectGenerator } from '../core/site/detect';
import type { GeneratorSetting } from '../core/site/generators';
import { postBody } from '../core/suggest/plainText';
import { descriptionBounds, summarySettings } from '../core/suggest/siteSettings';
import { suggest, SuggestContext } from '../core/suggest/suggest';
import type { WorkspacePost } from '../core/suggest/tags';
import { SUGGESTION_KINDS, SuggestionKind, Suggestions } from '../core/suggest/types';
import type * as SuggestModel from './suggestModel';
import { walkArguments, type CliCommand, type CliIo } from './io';
import { loadCliSite, parseGeneratorSetting, readSiteListing, walkPosts } from './siteOptions';

const HELP = `Usage: inkwell suggest title|description|tags POST.md [options]

Prints the candidates the editor offers for the post's title, description or
tags, each with where it comes from:
  title        the first # heading, the first sentence, the file name in words
  description  the site generator's summary (Hugo: before <!--more-->, else the
               paragraphs up to summaryLength words; Jekyll: the excerpt before
               excerpt_separator), then the first paragraph; cut to the
               description length on a word boundary
  tags         tags the site's other posts use, ranked by the distinctive words
               this post shares with the posts carrying each (TF-IDF)

Options:
  --json             print one JSON object on the last line:
                     { kind, candidates: [{ text, source, score?, words? }], note? }
  --root DIR         site root whose posts give the tags (default: the nearest folder
                     above the post where a site generator is found, else the current
                     folder when the post is inside it, else the post's folder)
  --generator NAME   site generator: auto (default), none, hugo, jekyll, astro,
                     eleventy, hexo, docusaurus
  --include GLOB     glob of post files, repeatable (default: the generator's, or **/*.md)
  --schema FILE      JSON Schema whose description minLength/maxLength bound descriptions
  --model DIR        tags only: an instruct model (with a chat template) reads the post
                     (its start, when long: the note says how much) and chooses among
                     the site's tags; its tags come first (source "model"), the
                     ranking above follows

Exit status: 0 when done (also when there is nothing to suggest), 2 on bad usage.`;

/** Parsed command line of `inkwell suggest`. */
interface SuggestArgs {
  kind: SuggestionKind;
  post: string;
  json: boolean;
  root?: string;
  generator: GeneratorSetting;
  include: string[];
  schema?: string;
  model?: string;
}

function parseArgs(argv: readonly string[]): SuggestArgs | string {
  const positional: string[] = [];
  const a: Omit<SuggestArgs, 'kind' | 'post'> = { json: false, generator: 'auto', include: [] };
  for (const { arg, flag, value } of walkArguments(argv)) {
    try {
      if (flag === '--json') a.json = true;
      else if (flag === '--root') a.root = value();
      else if (flag === '--include') a.include.push(value());
      else if (flag === '--schema') a.schema = value();
      else if (flag === '--model') a.model = value();
      else if (flag === '--generator') {
        const g = parseGeneratorSetting(value());
        if (!g) return '--generator must be auto, none, hugo, jekyll, astro, eleventy, hexo or docusaurus';
        a.generator = g;
      } else if (arg.startsWith('-')) return `unknown option '${arg}'`;
      else positional.push(arg);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }
  const [kind, post, ...extra] = positional;
  if (!SUGGESTION_KINDS.includes(kind as SuggestionKind))
    return `say what to suggest: title, description or tags${kind ? `, not '${kind}'` : ''}`;
  if (!post) return 'name the post, e.g. inkwell suggest title posts/my-post.md';
  if (extra.length) return `one post at a time ('${extra[0]}' is extra)`;
  return { ...a, kind: kind as SuggestionKind, post };
}

export const run: CliCommand = async (argv, io) => {
  if (!argv.length || argv.includes('--help') || argv.includes('-h')) {
    io.out(HELP);
    return argv.length ? 0 : 2;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') return usageError(io, args);
  if (args.model !== undefined && args.kind !== 'tags') {
    return usageError(
      io,
      `--model is not supported for ${args.kind} yet (only for tags): it suggests from the post and its site only. Run it without --model for those suggestions.`,
    );
  }
  const file = path.resolve(io.cwd, args.post);
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) return usageError(io, `no such post: ${args.post}`);
  let context: SuggestContext;
  try {
    context = await siteContext(file, args, io.cwd);
  } catch (err) {
    return usageError(io, err instanceof Error ? err.message : String(err));
  }
  const post = { text: fs.readFileSync(file, 'utf8'), path: file };
  // The model code (and ONNX Runtime) loads only when a model is asked for.
  const result =
    args.model !== undefined
      ? await modelCode().suggestWithModel(args.kind, post, context, path.resolve(io.cwd, args.model))
      : await suggest(args.kind, post, context);
  if (typeof result === 'string') {
    io.err(`inkwell suggest: ${result}`);
    return 1;
  }
  print(result, toSlash(path.relative(io.cwd, file)), args.json, io);
  return 0;
};

/**
 * The model side, loaded on demand: it brings ONNX Runtime's native module, which the commands
 * without a model never need. A require (bundled by esbuild, run by the tests' loader as is).
 */
function modelCode(): typeof SuggestModel {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./suggestModel') as typeof SuggestModel;
}

function usageError(io: CliIo, message: string): number {
  io.err(`inkwell suggest: ${message}`);
  io.err('Run `inkwell suggest --help` for the options.');
  return 2;
}

/** The site around the post: its summary settings, description bounds and (for tags) its posts. */
async function siteContext(file: string, args: SuggestArgs, cwd: string): Promise<SuggestContext> {
  const root = args.root !== undefined ? path.resolve(cwd, args.root) : siteRootOf(file, cwd);
  const site = await loadCliSite(root, args.generator, { include: args.include });
  let schema: unknown;
  if (args.schema) {
    try {
      schema = JSON.parse(fs.readFileSync(path.resolve(cwd, args.schema), 'utf8'));
    } catch (err) {
      throw new Error(`cannot use the schema ${args.schema}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return {
    site: summarySettings(readSiteListing(root), site.info?.id),
    descriptionBounds: descriptionBounds(schema),
    workspace: () => sitePosts(root, createPostMatcher(site.include, site.exclude)),
  };
}

/**
 * The nearest folder above the post where a site generator is detected; else,
 * as `inkwell check` does, the current folder when the post is inside it, else
 * the post's own folder.
 */
function siteRootOf(file: string, cwd: string): string {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (detectGenerator(readSiteListing(dir))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  const rel = path.relative(cwd, file);
  return !rel.startsWith('..') && !path.isAbsolute(rel) ? cwd : path.dirname(file);
}

/** The site's posts, read one at a time as the tag ranking asks for them (it keeps only their word counts). */
function* sitePosts(root: string, isPost: (rel: string) => boolean): Iterable<WorkspacePost> {
  const files: string[] = [];
  walkPosts(root, root, isPost, files);
  for (const f of files) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue; // unreadable: it gives no tags
    }
    yield { id: f, tags: summarizeText(f, text).tags, body: postBody(text) };
  }
}

function print(result: Suggestions, post: string, json: boolean, io: CliIo): void {
  if (!result.candidates.length) io.out(`No ${result.kind} to suggest for ${post}: ${result.note ?? 'nothing found.'}`);
  else io.out(`${LABELS[result.kind]} suggestions for ${post}:`);
  result.candidates.forEach((c, i) => {
    const why =
      c.score !== undefined ? `${c.source}, score ${c.score.toFixed(3)}${c.words?.length ? `: ${c.words.join(', ')}` : ''}` : c.source;
    io.out(`  ${i + 1}. ${c.text}  (${why})`);
  });
  if (result.candidates.length && result.note) io.out(result.note);
  if (json) io.out(JSON.stringify(result));
}

const LABELS: Record<SuggestionKind, string> = { title: 'Title', description: 'Description', tags: 'Tag' };
