import * as path from 'path';
import type { CustomSchema } from '../frontmatter/customSchema';
import { parseDateText } from '../frontmatter/dates';
import { FieldNode, getField, ParsedFrontmatter } from '../frontmatter/parse';
import { DEFAULT_SEVERITY, Problem, ProblemCode, Severity } from '../frontmatter/problemCodes';
import type { SiteHooks, ValidateOptions } from '../frontmatter/validate';
import type { Detection } from './detect';
import { GeneratorInfo } from './generators';

/** Everything the generator checks need to know about the site, besides the post. */
export interface SiteConventions {
  info: GeneratorInfo;
  detection?: Detection;
  /** The generator's field schema (or an Astro collection's), compiled. */
  schema?: CustomSchema;
  /** For Astro: the collection the schema belongs to. */
  collection?: string;
  /** For Astro: set when the content config is newer than the generated schemas. */
  staleSchema?: string;
  /** Whether the build includes posts dated in the future (Jekyll and Hexo `future:`). */
  buildsFuture?: boolean;
  /** "Now" for future and expiry checks (tests fix it). */
  now?: () => number;
}

/** Eleventy's special `date` values. */
const ELEVENTY_DATES = new Set(['last modified', 'created', 'git last modified', 'git created']);

/** Jekyll's post file name: a date, a dash, the slug and an extension. */
const JEKYLL_NAME = /^(\d{2,4})-(\d{1,2})-(\d{1,2})-(.+)\.[^.]+$/;

/** The validator hooks of a generator. */
export function siteHooks(conv: SiteConventions): SiteHooks {
  const label = conv.collection ? `${conv.info.name} collection "${conv.collection}"` : `${conv.info.name} front matter`;
  return {
    label,
    schema: conv.schema,
    check: (parsed, _text, problems, options) => checkSite(conv, parsed, problems, options),
  };
}

function make(
  code: ProblemCode,
  message: string,
  start: number,
  end: number,
  severity: Severity = DEFAULT_SEVERITY[code],
  field?: string,
): Problem {
  return field ? { code, message, severity, start, end, data: { field } } : { code, message, severity, start, end };
}

function span(f: FieldNode): [number, number] {
  return f.value.end > f.value.start ? [f.value.start, f.value.end] : [f.keyStart, f.keyEnd];
}

/** Milliseconds of a frontmatter date value, or undefined. Times without a zone count as UTC. */
function timeOf(f: FieldNode | undefined): number | undefined {
  if (!f) return undefined;
  const v = f.value.value;
  const parts = typeof v === 'string' ? parseDateText(v) : undefined;
  if (!parts) return undefined;
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - (parts.offsetMinutes ?? 0) * 60_000;
}

/** What the generators' checks share: the post, what the built-in rules found, and how a "not built" notice is made. */
interface SiteCheck {
  conv: SiteConventions;
  parsed: ParsedFrontmatter;
  out: Problem[];
  options: ValidateOptions;
  now: number;
  /** The post's path relative to the site root. */
  rel: string | undefined;
  /** The opening fence: where a problem of the whole post goes. */
  fence: [number, number];
  draft: FieldNode | undefined;
  notBuilt(why: string, f: FieldNode | undefined, severity?: Severity): void;
}

/** What each generator adds to the built-in rules. */
const GENERATOR_CHECKS: Partial<Record<GeneratorInfo['id'], (site: SiteCheck) => void>> = {
  hugo: checkHugo,
  jekyll: checkJekyll,
  eleventy: checkEleventy,
  hexo: checkHexo,
  docusaurus: checkDocusaurus,
  astro: checkAstro,
};

function checkSite(conv: SiteConventions, parsed: ParsedFrontmatter, out: Problem[], options: ValidateOptions): void {
  if (!parsed.block || parsed.errors.length) return;
  const fence: [number, number] = [parsed.block.start, parsed.block.openEnd];
  explainConsequences(conv, out, options);
  GENERATOR_CHECKS[conv.info.id]?.({
    conv,
    parsed,
    out,
    options,
    now: conv.now?.() ?? Date.now(),
    rel: relativePost(options),
    fence,
    draft: getField(parsed, 'draft'),
    notBuilt: (why, f, severity = 'warning') => {
      const [s, e] = f ? span(f) : fence;
      out.push(make(ProblemCode.PostNotBuilt, why, s, e, severity, f?.key));
    },
  });
}

/**
 * What the generator does with what the built-in rules found, added to their messages; and a
 * schema problem on a field a built-in rule already reports (at a severity other than off) goes,
 * since it says the same thing twice.
 */
function explainConsequences(conv: SiteConventions, out: Problem[], options: ValidateOptions): void {
  const info = conv.info;
  // What the generator does with what the built-in rules found.
  for (let i = 0; i < out.length; i++) {
    const extra = info.consequences[out[i].code];
    if (extra && !out[i].message.includes(extra)) out[i] = { ...out[i], message: `${out[i].message} ${extra}` };
  }
  // A schema problem on a field a built-in rule already reports (at a severity other than off) says the same thing twice.
  const shown = (p: Problem) => options.severity?.[p.code] !== 'off';
  const builtIn = new Set(
    out.filter((p) => p.code !== ProblemCode.SchemaViolation && p.data?.field && shown(p)).map((p) => `${p.data!.field}@${p.start}`),
  );
  for (let i = out.length - 1; i >= 0; i--) {
    const p = out[i];
    if (p.code === ProblemCode.SchemaViolation && p.message.endsWith(`(${siteLabel(conv)}).`) && builtIn.has(`${p.data?.field}@${p.start}`))
      out.splice(i, 1);
  }
}

function checkHugo(site: SiteCheck): void {
  const { parsed, now, draft, notBuilt } = site;
  if (draft?.value.value === true)
    notBuilt('Draft: Hugo leaves this post out of the build (hugo --buildDrafts includes it).', draft, 'information');
  const publish = getField(parsed, 'publishDate') ?? getField(parsed, 'date');
  const at = timeOf(publish);
  if (publish && at !== undefined && at > now)
    notBuilt(
      `Dated in the future (${String(publish.value.value)}): Hugo leaves this post out of the build until then (hugo --buildFuture includes it).`,
      publish,
    );
  const expiry = getField(parsed, 'expiryDate');
  const ends = timeOf(expiry);
  if (expiry && ends !== undefined && ends <= now)
    notBuilt(`Expired on ${String(expiry.value.value)}: Hugo leaves this post out of the build (hugo --buildExpired includes it).`, expiry);
}

function checkJekyll(site: SiteCheck): void {
  const { conv, parsed, out, now, rel, fence, notBuilt } = site;
  const published = getField(parsed, 'published');
  if (published?.value.value === false)
    notBuilt(
      'published: false: Jekyll leaves this post out of the build (jekyll build --unpublished includes it).',
      published,
      'information',
    );
  if (rel && /(^|\/)_drafts\//.test(rel))
    notBuilt('In _drafts/: Jekyll builds drafts only with jekyll build --drafts.', undefined, 'information');
  if (rel && /(^|\/)_posts\//.test(rel)) {
    const m = JEKYLL_NAME.exec(path.posix.basename(rel));
    if (!m) {
      out.push(
        make(
          ProblemCode.PostFileName,
          'Jekyll skips this post: its file name does not start with a date (YYYY-MM-DD-title.md), even with a date in the front matter.',
          ...fence,
        ),
      );
    } else {
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      if (mo < 1 || mo > 12 || d < 1 || d > 31) {
        out.push(
          make(
            ProblemCode.PostFileName,
            `Jekyll stops the build: "${m[1]}-${m[2]}-${m[3]}" in the file name is not a valid date.`,
            ...fence,
          ),
        );
      } else if (getField(parsed, 'date') === undefined) {
        const fileTime = Date.UTC(y, mo - 1, d);
        if (fileTime > now && !conv.buildsFuture)
          notBuilt(
            `Dated in the future by its file name: Jekyll skips it ("has a future date") unless future: true or jekyll build --future.`,
            undefined,
          );
      }
    }
  }
  const date = getField(parsed, 'date');
  const at = timeOf(date);
  if (date && at !== undefined && at > now && !conv.buildsFuture)
    notBuilt(
      `Dated in the future (${String(date.value.value)}): Jekyll skips it ("has a future date") unless future: true or jekyll build --future.`,
      date,
    );
}

function checkEleventy(site: SiteCheck): void {
  const { parsed, out, notBuilt } = site;
  const date = getField(parsed, 'date');
  if (typeof date?.value.value === 'string' && ELEVENTY_DATES.has(date.value.value.trim().toLowerCase())) {
    // `date: Last Modified` and friends are Eleventy's own values.
    for (let i = out.length - 1; i >= 0; i--) if (out[i].code === ProblemCode.DateInvalid) out.splice(i, 1);
  }
  const permalink = getField(parsed, 'permalink');
  if (permalink?.value.value === false)
    notBuilt('permalink: false: Eleventy writes no page for this file (it stays in collections).', permalink, 'information');
  const tags = getField(parsed, 'tags');
  if (tags && tags.value.kind !== 'null' && tags.value.kind !== 'list' && tags.value.kind !== 'string') {
    for (let i = 0; i < out.length; i++) {
      if (out[i].code === ProblemCode.SchemaViolation && out[i].data?.field === 'tags')
        out[i] = { ...out[i], message: `${out[i].message} Eleventy stops the build: "String or Array expected for \`tags\`".` };
    }
  }
}

function checkHexo(site: SiteCheck): void {
  const { conv, parsed, now, rel, notBuilt } = site;
  const published = getField(parsed, 'published');
  if (published?.value.value === false) notBuilt('published: false: Hexo leaves this post out of the build.', published, 'information');
  if (rel && /(^|\/)_drafts\//.test(rel))
    notBuilt('In _drafts/: Hexo builds drafts only with render_drafts: true or hexo generate --draft.', undefined, 'information');
  const date = getField(parsed, 'date');
  const at = timeOf(date);
  if (date && at !== undefined && at > now && conv.buildsFuture === false)
    notBuilt(`Dated in the future (${String(date.value.value)}): with future: false Hexo leaves it out until then.`, date);
}

function checkDocusaurus(site: SiteCheck): void {
  const { draft, notBuilt } = site;
  if (draft?.value.value === true)
    notBuilt('Draft: Docusaurus shows it in development only and leaves it out of production builds.', draft, 'information');
}

function checkAstro(site: SiteCheck): void {
  const { conv, parsed, out, options, fence, draft, notBuilt } = site;
  if (conv.staleSchema) out.push(make(ProblemCode.SiteSchemaStale, conv.staleSchema, ...fence));
  if (conv.schema) {
    // The collection's schema decides which fields a post needs, not the built-in rules.
    const collection = new Set(conv.schema.fields.map((f) => f.name));
    for (let i = out.length - 1; i >= 0; i--) {
      const p = out[i];
      const builtInMissing =
        p.code === ProblemCode.DateMissing || p.code === ProblemCode.TitleMissing || p.code === ProblemCode.DescriptionMissing;
      if (builtInMissing || (p.code === ProblemCode.DateInvalid && !collection.has('date'))) out.splice(i, 1);
    }
    for (const req of conv.schema.required) {
      if (getField(parsed, req) || out.some((p) => p.data?.field === req)) continue;
      out.push(make(ProblemCode.SchemaViolation, `Missing required field "${req}" (${siteLabel(conv)}).`, ...fence, 'error', req));
    }
    for (let i = 0; i < out.length; i++) {
      const p = out[i];
      const onCollectionField =
        p.severity === 'error' && p.data?.field !== undefined && collection.has(p.data.field) && options.severity?.[p.code] !== 'off';
      if ((p.code === ProblemCode.SchemaViolation && p.message.includes(siteLabel(conv))) || onCollectionField) {
        out[i] = { ...out[i], message: `${out[i].message} Astro stops the build: the entry "does not match collection schema".` };
      }
    }
  }
  if (draft?.value.value === true)
    notBuilt(
      "Draft: pages that filter drafts out (getCollection with !data.draft, as Astro's blog template does) leave it out.",
      draft,
      'information',
    );
}

function siteLabel(conv: SiteConventions): string {
  return conv.collection ? `${conv.info.name} collection "${conv.collection}"` : `${conv.info.name} front matter`;
}

/** The post's path relative to the site root, with forward slashes. */
function relativePost(options: ValidateOptions): string | undefined {
  if (!options.postPath) return undefined;
  if (!options.siteRoot) return options.postPath;
  const rel = path.posix.relative(options.siteRoot, options.postPath);
  return rel.startsWith('..') ? options.postPath : rel;
}
