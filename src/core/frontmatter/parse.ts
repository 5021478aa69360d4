import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, parseDocument, type Node as YamlNode, Scalar } from 'yaml';
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };
import { ProblemCode } from './problemCodes';
import { FrontmatterBlock, FrontmatterLanguage, splitFrontmatter } from './split';
import { parseSimpleYaml } from './fastYaml';
import { scanArrayItems, scanValueEnd, skipSpace } from './scan';
import { explainYamlError } from './yamlErrors';

// smol-toml ships ES module typings; its CommonJS build is what Node and esbuild load here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseToml, TomlDate, TomlError } = require('smol-toml') as typeof SmolToml;

import type { FieldNode, ValueKind, ValueNode } from './nodes';

export type { FieldNode, ValueKind, ValueNode } from './nodes';

/** A structural problem found while parsing (syntax, alias limit...). */
export interface ParseError {
  code: ProblemCode;
  message: string;
  start: number;
  end: number;
  /** Another place that explains the problem (where the parser noticed it), offsets in the text. */
  related?: { message: string; start: number; end: number };
}

/** A parsed post: where its frontmatter is, its fields, and what went wrong. */
export interface ParsedFrontmatter {
  /** Undefined when the post has no frontmatter. */
  block?: FrontmatterBlock;
  language?: FrontmatterLanguage;
  fields: FieldNode[];
  /** Field values by key, in the shape a JSON Schema sees them. */
  data: Record<string, unknown>;
  errors: ParseError[];
}

/** Aliases a YAML frontmatter may expand before Inkwell gives up (defeats alias bombs). */
export const MAX_YAML_ALIASES = 50;

/** Longest frontmatter block (in UTF-16 code units) Inkwell parses. */
export const MAX_FRONTMATTER_LENGTH = 256 * 1024;

/** Options of `parseFrontmatter`. */
export interface ParseOptions {
  /** Use the fast path for simple YAML (default true; tests turn it off to compare). */
  fastYaml?: boolean;
}

/** Splits and parses a post's frontmatter. Never throws. */
export function parseFrontmatter(text: string, options: ParseOptions = {}): ParsedFrontmatter {
  const block = splitFrontmatter(text);
  const result: ParsedFrontmatter = { block, language: block?.language, fields: [], data: {}, errors: [] };
  if (!block) return result;
  if (!block.terminated) {
    const fence =
      block.language === 'json'
        ? 'closing }'
        : block.language === 'toml' && text.startsWith('+++', block.start)
          ? 'closing +++'
          : 'closing ---';
    result.errors.push({
      code: ProblemCode.FrontmatterUnterminated,
      message: `The frontmatter block is never closed: add a ${fence} line after the last field.`,
      start: block.start,
      end: block.openEnd,
    });
    return result;
  }
  if (block.contentEnd - block.contentStart > MAX_FRONTMATTER_LENGTH) {
    // A bound for every caller (validator, post index, previews, CLI): real frontmatter is a few
    // hundred bytes, and the parsers' work grows with the block.
    result.errors.push({
      code: ProblemCode.FrontmatterSyntax,
      message: `The frontmatter is ${Math.round((block.contentEnd - block.contentStart) / 1024)} KB long; Inkwell reads frontmatter of up to ${MAX_FRONTMATTER_LENGTH / 1024} KB.`,
      start: block.start,
      end: block.openEnd,
    });
    return result;
  }
  // The parsers make an Error object (with a stack trace) for each problem they meet, deep in
  // their recursion. A host may raise Error.stackTraceLimit (mocha sets it to Infinity), and
  // then each error costs time proportional to the nesting depth: 400 nested `? ` keys took
  // 150 ms. The stack traces are never shown, so keep them short while parsing.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = Math.min(stackTraceLimit, 10);
  try {
    if (block.language === 'yaml') parseYaml(text, block, result, options.fastYaml !== false);
    else if (block.language === 'toml') parseTomlBlock(text, block, result);
    else parseJsonBlock(text, block, result);
  } catch (err) {
    // The parsers are robust, but a validator must never throw: report instead. A stack
    // overflow comes from nesting the linear pre-scan does not count (TOML dotted keys, YAML
    // block collections): say so rather than quoting the engine.
    const why =
      err instanceof RangeError && /call stack/i.test(err.message)
        ? 'it is nested too deeply'
        : err instanceof Error
          ? err.message
          : String(err);
    result.fields = [];
    result.data = {};
    result.errors.push({
      code: ProblemCode.FrontmatterSyntax,
      message: `The frontmatter could not be read: ${why}`,
      start: block.start,
      end: block.openEnd,
    });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  return result;
}

/** Last field of each key, per `fields` array (built on first use, so lookups stay O(1) for big frontmatter). */
const fieldIndexes = new WeakMap<readonly FieldNode[], { length: number; byKey: Map<string, FieldNode> }>();

/** The field with this key, if present (the last one wins, as parsers do). */
export function getField(parsed: ParsedFrontmatter, key: string): FieldNode | undefined {
  const fields = parsed.fields;
  let index = fieldIndexes.get(fields);
  // Rebuilt if a caller appended to the array after the first lookup.
  if (!index || index.length !== fields.length) {
    const byKey = new Map<string, FieldNode>();
    for (const f of fields) byKey.set(f.key, f);
    index = { length: fields.length, byKey };
    fieldIndexes.set(fields, index);
  }
  return index.byKey.get(key);
}

function kindOf(value: unknown): ValueKind {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (value instanceof Date) return 'date';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'map';
  return 'other';
}

// ---------------------------------------------------------------- YAML

function parseYaml(text: string, block: FrontmatterBlock, out: ParsedFrontmatter, fast: boolean): void {
  const base = block.contentStart;
  const source = text.slice(base, block.contentEnd);
  const simple = fast ? parseSimpleYaml(source, base) : undefined;
  if (simple) {
    out.fields = simple.fields;
    out.data = simple.data;
    return;
  }
  if (tooDeep(source, base, 'YAML', out) || tooDeepBlocks(source, base, out)) return;
  // Why this stays linear in the size of the frontmatter (the editor runs it on every keystroke):
  // - `stringKeys` makes yaml flag every key that is not a plain scalar (a `? ` complex key, a
  //   `[list]:` or `{map}:` key). Such keys are the exponential case: turning a collection key
  //   into an object property stringifies it, and a key nested in a key is stringified again
  //   at every level (28 `{` on a line took 34 s; `? ` x 400 took 31 s). We stop before toJS
  //   and never stringify a collection node when any exists.
  // - `uniqueKeys: false`: yaml checks duplicates with a linear search per key (quadratic for a
  //   big map); `checkKeys` does the same check with one Set per map.
  // - `maxAliasCount` bounds alias expansion in toJS; the nesting limit above bounds recursion.
  // With that, parse, key check and toJS each visit every node a constant number of times.
  const doc = parseDocument(source, { prettyErrors: false, uniqueKeys: false, stringKeys: true });
  // One syntax error is reported, in words and at its cause (`yamlErrors.ts`): the parser's
  // other errors are nearly always its consequences (an unclosed `[` makes every line after
  // it wrong) and would only bury it. An unclosed bracket or quote is the cause of whatever
  // the parser reported before reaching its end, so it goes first; otherwise the first error.
  const cause = doc.errors.find((e) => UNCLOSED.test(e.message)) ?? doc.errors[0];
  if (cause) {
    const e = cause;
    const start = base + Math.min(e.pos[0], source.length);
    let end = base + Math.min(Math.max(e.pos[1], e.pos[0]), source.length);
    if (end <= start) end = Math.min(start + 1, text.length);
    const explained = e.code === 'NON_STRING_KEY' ? undefined : explainYamlError(source, e);
    out.errors.push(
      e.code === 'NON_STRING_KEY'
        ? { code: ProblemCode.FrontmatterSyntax, message: COMPLEX_KEY_MESSAGE, start, end }
        : explained
          ? {
              code: ProblemCode.FrontmatterSyntax,
              message: explained.message,
              start: base + explained.start,
              end: base + explained.end,
              related: { message: `Where the YAML parser stopped: ${e.message.split('\n')[0]}`, start, end },
            }
          : { code: ProblemCode.FrontmatterSyntax, message: `YAML: ${e.message.split('\n')[0]}`, start, end },
    );
  }
  const complex = checkKeys(doc.contents as YamlNode | null, base, out.errors);
  if (complex) {
    // Never convert a document with collection keys (see above); its top-level fields stay empty.
    if (!doc.errors.some((e) => e.code === 'NON_STRING_KEY')) {
      out.errors.push({
        code: ProblemCode.FrontmatterSyntax,
        message: COMPLEX_KEY_MESSAGE,
        start: base + complex[0],
        end: base + Math.max(complex[1], complex[0] + 1),
      });
    }
    return;
  }
  const contents = doc.contents as YamlNode | null;
  if (contents === null || (isScalar(contents) && contents.value === null)) return;
  if (!isMap(contents)) {
    const [s, e] = contents.range ?? [0, source.length];
    out.errors.push({
      code: ProblemCode.FrontmatterNotMapping,
      message: 'The frontmatter must be a set of `key: value` fields.',
      start: base + s,
      end: base + e,
    });
    return;
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    const [s, e] = contents.range ?? [0, 0];
    const aliasy = err instanceof ReferenceError || /alias/i.test(String(err));
    out.errors.push({
      code: aliasy ? ProblemCode.AliasLimit : ProblemCode.FrontmatterSyntax,
      message: aliasy
        ? `The frontmatter expands YAML aliases (*name) more than ${MAX_YAML_ALIASES} times; Inkwell stops there to stay responsive.`
        : `The frontmatter could not be read: ${err instanceof Error ? err.message : String(err)}`,
      start: base + s,
      end: base + Math.min(e, s + 3),
    });
    return;
  }
  const values = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  for (const pair of contents.items) {
    const keyNode = pair.key as YamlNode | null;
    if (!keyNode || !keyNode.range) continue;
    // checkKeys proved every key is a scalar: never String() a collection node here.
    if (!isScalar(keyNode)) continue;
    const key = String(keyNode.value);
    const keyStart = base + keyNode.range[0];
    const keyEnd = base + keyNode.range[1];
    const valueNode = pair.value as YamlNode | null;
    const value = Object.prototype.hasOwnProperty.call(values, key) ? values[key] : null;
    const field: FieldNode = { key, keyStart, keyEnd, value: yamlValue(valueNode, value, base, keyEnd, source) };
    if (valueNode && isSeq(valueNode)) {
      field.flow = valueNode.flow === true;
      const arr = Array.isArray(value) ? value : [];
      field.items = valueNode.items.map((item, i) => yamlValue(item as YamlNode | null, arr[i], base, field.value.start, source));
    }
    out.fields.push(field);
    out.data[key] = value;
  }
}

/**
 * Deepest nesting of flow collections (`[`, `{`) Inkwell parses in any of the
 * three languages. Real frontmatter nests two or three levels; the parsers and
 * the conversions after them recurse per level, so this keeps their stack use
 * and work small. Checked by `deepNesting`, one linear pass before parsing.
 */
export const MAX_NESTING = 64;

/** Reports (and returns true) when `source` nests brackets deeper than MAX_NESTING. */
function tooDeep(source: string, base: number, language: string, out: ParsedFrontmatter): boolean {
  const deep = deepNesting(source, MAX_NESTING);
  if (deep < 0) return false;
  // The parsers recurse per level; absurd nesting would cost time or the stack.
  out.errors.push({
    code: ProblemCode.FrontmatterSyntax,
    message: `${language}: lists or maps nested more than ${MAX_NESTING} levels deep; Inkwell reads frontmatter only up to that depth.`,
    start: base + deep,
    end: base + deep + 1,
  });
  return true;
}

/** Reports (and returns true) when YAML block collections nest deeper than MAX_NESTING. */
function tooDeepBlocks(source: string, base: number, out: ParsedFrontmatter): boolean {
  const deep = deepBlockNesting(source, MAX_NESTING);
  if (deep < 0) return false;
  // yaml composes block collections recursively: thousands of levels overflow the stack
  // ("Maximum call stack size exceeded") after seconds of work.
  out.errors.push({
    code: ProblemCode.FrontmatterSyntax,
    message: `YAML: lists or maps nested more than ${MAX_NESTING} levels deep (by indentation or \`- \` markers); Inkwell reads frontmatter only up to that depth.`,
    start: base + deep,
    end: base + deep + 1,
  });
  return true;
}

/**
 * Offset where YAML block collections first nest deeper than `limit`, else -1.
 * One pass over the lines: the open levels are a stack of indentations (a line
 * indented less closes the deeper ones), and a line can open more levels with
 * leading `- ` / `? ` / `: ` indicators or `key: ` (`- - - x`, `a: - b`). The
 * lines of a block scalar (`|`, `>`) are text, not structure, and are skipped.
 * Overestimates rather than misses; real frontmatter nests a handful of levels.
 */
function deepBlockNesting(source: string, limit: number): number {
  const indents: number[] = [];
  let scalarIndent = -1;
  let pos = 0;
  while (pos < source.length) {
    const lf = source.indexOf('\n', pos);
    const end = lf < 0 ? source.length : lf;
    let i = pos;
    while (i < end && source.charCodeAt(i) === 32) i++;
    const indent = i - pos;
    const blank = i >= end || source[i] === '#' || source[i] === '\r';
    if (!blank && !(scalarIndent >= 0 && indent > scalarIndent)) {
      scalarIndent = -1;
      while (indents.length && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
      let depth = indents.length;
      let j = i;
      while (j < end && depth <= limit) {
        const c = source[j];
        const next = j + 1 < end ? source[j + 1] : ' ';
        if ((c === '-' || c === '?' || c === ':') && (next === ' ' || next === '\r')) {
          depth++;
          j += 2;
        } else if (c !== '"' && c !== "'" && c !== '[' && c !== '{' && c !== '#' && c !== '|' && c !== '>') {
          // A plain `key: ` opens a map level; anything else ends the indicators.
          let colon = j;
          while (colon < end && !(source[colon] === ':' && (colon + 1 === end || source[colon + 1] === ' '))) colon++;
          if (colon >= end) break;
          depth++;
          j = colon + 2;
        } else break;
        while (j < end && source.charCodeAt(j) === 32) j++;
      }
      if (depth > limit) return Math.min(j, end);
      if (/^[|>][+-]?[0-9]?[+-]?[ \t]*(#.*)?\r?$/.test(source.slice(j, end))) scalarIndent = indent;
    }
    pos = end + 1;
  }
  return -1;
}

/** Offset where flow brackets first nest deeper than `limit` (quotes skipped roughly), else -1. */
function deepNesting(source: string, limit: number): number {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"') i++;
    } else if (c === '"' || c === "'") {
      // Only a quote that starts a scalar opens a string; apostrophes inside words do not.
      const prev = source[i - 1];
      if (prev === undefined || /[\s[{,:]/.test(prev)) quote = c;
    } else if (c === '[' || c === '{') {
      if (++depth > limit) return i;
    } else if (c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    } else if (c === '\n' && depth === 0) {
      quote = '';
    }
  }
  return -1;
}

/** yaml's messages for a flow collection or quoted scalar that is never closed. */
const UNCLOSED = /must be sufficiently indented and end with a [\]}]|^Missing closing ["']quote/;

const COMPLEX_KEY_MESSAGE =
  'YAML: a key here is a list, a map or a `? ` complex key; frontmatter keys must be plain text such as `title:`. Inkwell does not read such keys (they can take exponential time to convert).';

/**
 * Walks the document once (iteratively, every node once; aliases are not
 * followed) and reports duplicate keys per map with a Set, as yaml's own
 * `uniqueKeys` check would but in linear time. Returns the span (relative to
 * the source) of the first key that is not a scalar, if any.
 */
function checkKeys(root: YamlNode | null, base: number, errors: ParseError[]): [number, number] | undefined {
  let complex: [number, number] | undefined;
  const stack: unknown[] = root ? [root] : [];
  while (stack.length) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key as YamlNode | null;
        if (key && !isScalar(key)) {
          complex ??= key.range ? [key.range[0], key.range[1]] : [0, 0];
          stack.push(key);
        } else if (key) {
          if (seen.has(key.value) && key.range) {
            const [s, e] = key.range;
            errors.push({
              code: ProblemCode.FrontmatterSyntax,
              message: `Keys must be unique: \`${String(key.value)}\` appears earlier in this map. Remove one of them.`,
              start: base + s,
              end: base + Math.max(e, s + 1),
            });
          }
          seen.add(key.value);
        }
        if (pair.value) stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        if (!isPair(item)) {
          stack.push(item);
          continue;
        }
        // `[a: b]`: a single-pair map inside a flow list.
        const key = item.key as YamlNode | null;
        if (key && !isScalar(key)) {
          complex ??= key.range ? [key.range[0], key.range[1]] : [0, 0];
          stack.push(key);
        }
        stack.push(item.value);
      }
    } else if (isCollection(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return complex;
}

function yamlValue(node: YamlNode | null, value: unknown, base: number, fallback: number, source: string): ValueNode {
  if (!node || !node.range) return { value: value ?? null, kind: kindOf(value), start: fallback, end: fallback, quote: '' };
  let quote: ValueNode['quote'] = '';
  if (isScalar(node)) {
    if (node.type === Scalar.QUOTE_DOUBLE) quote = '"';
    else if (node.type === Scalar.QUOTE_SINGLE) quote = "'";
  }
  const start = base + node.range[0];
  let end = base + node.range[1];
  // Block collections own their trailing line break; the underline should not.
  if (!isScalar(node) && !isAlias(node)) {
    let e = node.range[1];
    while (e > node.range[0] && /\s/.test(source[e - 1])) e--;
    end = base + e;
  }
  return { value: value ?? null, kind: kindOf(value), start, end, quote };
}

// ---------------------------------------------------------------- TOML

const TOML_KEY =
  /^[ \t]*((?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')(?:[ \t]*\.[ \t]*(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'))*)[ \t]*=[ \t]*/;
const TOML_TABLE = /^[ \t]*\[\[?[ \t]*([A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')/;

function unquoteKey(raw: string): string {
  if (raw.startsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw.slice(1, -1);
    }
  }
  if (raw.startsWith("'")) return raw.slice(1, -1);
  return raw;
}

function parseTomlBlock(text: string, block: FrontmatterBlock, out: ParsedFrontmatter): void {
  const base = block.contentStart;
  const source = text.slice(base, block.contentEnd);
  if (tooDeep(source, base, 'TOML', out)) return;
  let values: Record<string, unknown>;
  try {
    // smol-toml is linear; maxDepth bounds its recursion (and tomlPlain's) on inline arrays and tables.
    values = parseToml(source, { maxDepth: MAX_NESTING }) as Record<string, unknown>;
  } catch (err) {
    const at = err instanceof TomlError ? offsetOfLineCol(source, err.line, err.column) : 0;
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    out.errors.push({
      code: ProblemCode.FrontmatterSyntax,
      message: `TOML: ${message}`,
      start: base + at,
      end: base + Math.min(at + 1, source.length),
    });
    return;
  }
  const seen = new Set<string>();
  let inTable = false;
  let pos = 0;
  while (pos < source.length) {
    const lf = source.indexOf('\n', pos);
    const lineEnd = lf < 0 ? source.length : lf;
    const line = source.slice(pos, lineEnd);
    const table = TOML_TABLE.exec(line);
    if (table) {
      inTable = true;
      const key = unquoteKey(table[1]);
      if (!seen.has(key)) {
        seen.add(key);
        const keyStart = base + pos + line.indexOf(table[1]);
        const keyEnd = keyStart + table[1].length;
        out.fields.push({
          key,
          keyStart,
          keyEnd,
          value: { value: tomlPlain(values[key]), kind: 'map', start: keyStart, end: keyEnd, quote: '' },
        });
        out.data[key] = tomlPlain(values[key]);
      }
      pos = lineEnd + 1;
      continue;
    }
    const kv = inTable ? null : TOML_KEY.exec(line);
    if (!kv) {
      pos = lineEnd + 1;
      continue;
    }
    const keyText = kv[1];
    const keyStartInLine = line.indexOf(keyText);
    const firstPart = keyText.split(/[ \t]*\.[ \t]*/)[0];
    const key = unquoteKey(firstPart);
    const valueStart = pos + kv[0].length;
    const valueEnd = scanValueEnd(source, valueStart, 'toml');
    if (!seen.has(key)) {
      seen.add(key);
      const raw = values[key];
      const plain = tomlPlain(raw);
      const isDotted = firstPart.length !== keyText.length;
      const quoteChar = source[valueStart];
      const node: ValueNode = {
        value: raw instanceof TomlDate ? source.slice(valueStart, valueEnd) : plain,
        kind: raw instanceof TomlDate ? (raw.isDate() || raw.isDateTime() ? 'date' : 'other') : kindOf(plain),
        start: base + valueStart,
        end: base + valueEnd,
        quote: quoteChar === '"' || quoteChar === "'" ? quoteChar : '',
      };
      const field: FieldNode = {
        key,
        keyStart: base + pos + keyStartInLine,
        keyEnd: base + pos + keyStartInLine + firstPart.length,
        value: isDotted ? { ...node, kind: 'map' } : node,
      };
      if (!isDotted && source[valueStart] === '[' && Array.isArray(plain)) {
        field.flow = true;
        field.items = scanArrayItems(source, valueStart, 'toml').map(([s, e], i) => {
          const q = source[s];
          return { value: plain[i], kind: kindOf(plain[i]), start: base + s, end: base + e, quote: q === '"' || q === "'" ? q : '' };
        });
      }
      out.fields.push(field);
      out.data[key] = raw instanceof TomlDate ? node.value : plain;
    }
    // Continue after the value, which may span lines (arrays, multi-line strings).
    const nextLf = source.indexOf('\n', valueEnd);
    pos = nextLf < 0 ? source.length : nextLf + 1;
  }
}

/** TOML values as plain JSON-like data: dates become their ISO text, bigints numbers. */
function tomlPlain(value: unknown): unknown {
  if (value instanceof TomlDate) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(tomlPlain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = tomlPlain(v);
    return out;
  }
  return value;
}

function offsetOfLineCol(source: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const lf = source.indexOf('\n', offset);
    if (lf < 0) return source.length;
    offset = lf + 1;
  }
  return Math.min(source.length, offset + Math.max(0, column - 1));
}

// ---------------------------------------------------------------- JSON

function parseJsonBlock(text: string, block: FrontmatterBlock, out: ParsedFrontmatter): void {
  const base = block.contentStart;
  const source = text.slice(base, block.contentEnd);
  // Strip the `---json` fences' content to the object itself.
  const objStart = skipSpace(source, 0, 'json');
  if (tooDeep(source, base, 'JSON', out)) return;
  let values: unknown;
  try {
    values = JSON.parse(source);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at = jsonErrorOffset(source, message);
    out.errors.push({
      code: ProblemCode.FrontmatterSyntax,
      message: `JSON: ${message}`,
      start: base + at,
      end: base + Math.min(at + 1, source.length),
    });
    return;
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    out.errors.push({
      code: ProblemCode.FrontmatterNotMapping,
      message: 'The frontmatter must be a JSON object of fields.',
      start: base + objStart,
      end: base + source.trimEnd().length,
    });
    return;
  }
  const obj = values as Record<string, unknown>;
  // Walk the top-level members for their spans; JSON.parse already proved the syntax.
  let i = objStart + 1;
  const seen = new Map<string, FieldNode>();
  const dropped = new Set<FieldNode>();
  for (;;) {
    i = skipSpace(source, i, 'json');
    if (source[i] !== '"') break;
    const keyEnd = scanValueEnd(source, i, 'json');
    const key = JSON.parse(source.slice(i, keyEnd)) as string;
    const keyStart = i;
    i = skipSpace(source, keyEnd, 'json') + 1; // past ':'
    const valueStart = skipSpace(source, i, 'json');
    const valueEnd = scanValueEnd(source, valueStart, 'json');
    const value = obj[key];
    const field: FieldNode = {
      key,
      keyStart: base + keyStart,
      keyEnd: base + keyEnd,
      value: { value, kind: kindOf(value), start: base + valueStart, end: base + valueEnd, quote: source[valueStart] === '"' ? '"' : '' },
    };
    if (Array.isArray(value)) {
      field.flow = true;
      field.items = scanArrayItems(source, valueStart, 'json').map(([s, e], n) => ({
        value: value[n],
        kind: kindOf(value[n]),
        start: base + s,
        end: base + e,
        quote: source[s] === '"' ? '"' : '',
      }));
    }
    // Duplicate keys: JSON.parse keeps the last; so do we (dropped below, in one pass).
    const earlier = seen.get(key);
    if (earlier) dropped.add(earlier);
    seen.set(key, field);
    out.fields.push(field);
    out.data[key] = value;
    i = skipSpace(source, valueEnd, 'json');
    if (source[i] !== ',') break;
    i++;
  }
  if (dropped.size) out.fields = out.fields.filter((f) => !dropped.has(f));
}

function jsonErrorOffset(source: string, message: string): number {
  const pos = /position (\d+)/.exec(message);
  if (pos) return Math.min(Number(pos[1]), source.length);
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return offsetOfLineCol(source, Number(lc[1]), Number(lc[2]));
  return Math.max(0, source.trimEnd().length - 1);
}
