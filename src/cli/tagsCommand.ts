/**
 * `inkwell tags rename OLD NEW [--dry-run]`: renames a tag in every post of the
 * site (the same edits as the editor's Rename Tag, keeping each file's
 * formatting). `--dry-run` lists what would change and writes nothing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { toSlash } from '../core/frontmatter/images';
import { createPostMatcher } from '../core/posts/postGlobs';
import { applyEdits, renameTagEdits } from '../core/tags/renameTag';
import type { CliCommand } from './io';
import { loadCliSite, parseGeneratorSetting, walkPosts } from './siteOptions';

const HELP = `Usage: inkwell tags rename OLD NEW [options]

Renames the tag OLD to NEW in the frontmatter of every post under the site root
(YAML, TOML or JSON; inline or block lists). A post that already has NEW keeps
one. Several OLD tags separated by commas are merged into NEW.

Options:
  --dry-run          list the posts that would change, write nothing
  --root DIR         site root (default: the current folder)
  --generator NAME   site generator whose post globs apply (default: auto)
  --include GLOB     glob of post files, repeatable (default: the generator's, or **/*.md)

Exit status: 0 when done (also when no post has the tag), 2 on bad usage.`;

export const run: CliCommand = async (argv, io) => {
  if (!argv.length || argv.includes('--help') || argv.includes('-h')) {
    io.out(HELP);
    return argv.length ? 0 : 2;
  }
  const [sub, ...rest] = argv;
  if (sub !== 'rename') {
    io.err(`inkwell tags: unknown subcommand '${sub}' (try: inkwell tags rename OLD NEW)`);
    return 2;
  }
  const positional: string[] = [];
  const include: string[] = [];
  let dryRun = false;
  let root = io.cwd;
  let generator = parseGeneratorSetting('auto')!;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--dry-run') dryRun = true;
      else if (a === '--root') root = path.resolve(io.cwd, value());
      else if (a === '--include') include.push(value());
      else if (a === '--generator') {
        const g = parseGeneratorSetting(value());
        if (!g) throw new Error('--generator must be auto, none, hugo, jekyll, astro, eleventy, hexo or docusaurus');
        generator = g;
      } else if (a.startsWith('--')) throw new Error(`unknown option '${a}'`);
      else positional.push(a);
    } catch (err) {
      io.err(`inkwell tags: ${err instanceof Error ? err.message : String(err)}`);
      return 2;
    }
  }
  if (positional.length !== 2 || !positional[1].trim()) {
    io.err('inkwell tags rename: give the old and the new name, e.g. inkwell tags rename ml machine-learning');
    return 2;
  }
  const from = positional[0]
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const to = positional[1].trim();
  const site = await loadCliSite(root, generator, { include });
  const files: string[] = [];
  walkPosts(root, root, createPostMatcher(site.include, site.exclude), files);
  let changed = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const bom = text.charCodeAt(0) === 0xfeff ? '\uFEFF' : '';
    const body = bom ? text.slice(1) : text;
    const result = renameTagEdits(body, from, to);
    const rel = toSlash(path.relative(io.cwd, file));
    if (result.skipped) io.err(`inkwell tags: skipped ${rel}: ${result.skipped}`);
    if (!result.edits.length) continue;
    changed++;
    io.out(`${rel}: ${result.renamed} renamed${result.removed ? `, ${result.removed} duplicate removed` : ''}`);
    if (!dryRun) fs.writeFileSync(file, bom + applyEdits(body, result.edits));
  }
  io.err(`${dryRun ? 'Would change' : 'Changed'} ${changed} of ${files.length} post${files.length === 1 ? '' : 's'}.`);
  return 0;
};
