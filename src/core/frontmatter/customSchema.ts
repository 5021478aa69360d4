import type { ErrorObject, ValidateFunction } from 'ajv';
import { isValidDateText } from './dates';
import type { FieldSpec, FieldType } from './schema';

/** One way the frontmatter breaks a custom JSON Schema. */
export interface SchemaIssue {
  /** Path of the offending value: `['tags', 1]`; empty for the whole frontmatter. */
  path: (string | number)[];
  message: string;
  /** For a missing required property: its name. */
  missingProperty?: string;
  /** For a property the schema forbids: its name. */
  additionalProperty?: string;
}

/** A compiled custom schema: its fields (for completions) and its check. */
export interface CustomSchema {
  readonly fields: readonly FieldSpec[];
  readonly required: readonly string[];
  /** True when the schema itself allows no keys beyond its properties. */
  readonly closed: boolean;
  validate(data: Record<string, unknown>): SchemaIssue[];
}

/** What ajv calls to build each schema regex (`pattern`, `patternProperties`). */
interface RegExpEngine {
  (pattern: string, flags: string): { test(s: string): boolean; toString(): string };
  /** Source ajv would emit for standalone code (not used here, but required). */
  code: string;
}

/** A schema pattern the linear-time engine cannot run. */
class UnsupportedPatternError extends Error {}

/** A backreference (`\1`, `\k<name>`) outside a character class, which RE2 cannot express. */
function hasBackreference(pattern: string): boolean {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<'))) return true;
      i++;
    } else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
  }
  return false;
}

/**
 * Schema regexes run on RE2's linear-time algorithm (re2js, a pure JavaScript
 * port, so it also loads in the extension host): a user's schema pattern such
 * as `^(a+)+$` would otherwise backtrack exponentially on a post's value and
 * freeze the editor. RE2 has no backreferences or lookaround; such patterns
 * are refused with a message instead of being run by the backtracking engine.
 */
async function linearRegExpEngine(): Promise<RegExpEngine> {
  const { RE2JS } = await import('re2js');
  const engine = ((pattern: string, flags: string) => {
    const unsupported = (why: string) =>
      new UnsupportedPatternError(
        `pattern ${JSON.stringify(pattern)} is not supported: Inkwell runs schema patterns with a linear-time engine (RE2), which ${why}. Rewrite the pattern without it.`,
      );
    if (hasBackreference(pattern)) throw unsupported('has no backreferences (\\1, \\k<name>)');
    let re: InstanceType<typeof RE2JS>;
    try {
      // translateRegExp turns JavaScript-only syntax (\u0041, (?<name>...)) into RE2's.
      re = RE2JS.compile(RE2JS.translateRegExp(pattern), RE2JS.LOOKBEHINDS);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (/\(\?[=!]|\(\?<[=!]/.test(pattern)) throw unsupported('has no lookahead or lookbehind assertions ((?=...), (?!...))');
      throw new UnsupportedPatternError(`pattern ${JSON.stringify(pattern)} is not a valid regular expression for RE2: ${message}`);
    }
    return { test: (s: string) => re.test(s), toString: () => `/${pattern}/${flags}` };
  }) as RegExpEngine;
  engine.code = 'require("re2js").RE2JS';
  return engine;
}

type AjvCtor = new (opts: Record<string, unknown>) => {
  addFormat(name: string, format: RegExp | ((s: string) => boolean)): unknown;
  compile(schema: object): ValidateFunction;
};

/**
 * Compiles a JSON Schema (draft 7, 2019-09 or 2020-12, chosen by `$schema`)
 * for frontmatter. ajv loads here, on first use, never during activation.
 * Throws an Error with a readable message when the schema is unusable.
 */
export async function compileCustomSchema(json: unknown): Promise<CustomSchema> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error('The schema must be a JSON object.');
  }
  const schema = json as Record<string, unknown>;
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  let Ajv: AjvCtor;
  if (dialect.includes('2020-12')) Ajv = (await import('ajv/dist/2020.js')).default as unknown as AjvCtor;
  else if (dialect.includes('2019-09')) Ajv = (await import('ajv/dist/2019.js')).default as unknown as AjvCtor;
  else Ajv = (await import('ajv')).default as unknown as AjvCtor;
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    logger: false,
    validateFormats: true,
    code: { regExp: await linearRegExpEngine() },
  });
  ajv.addFormat('date', (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && isValidDateText(s));
  ajv.addFormat('date-time', (s: string) => isValidDateText(s));
  let check: ValidateFunction;
  try {
    check = ajv.compile(schema);
  } catch (err) {
    if (err instanceof UnsupportedPatternError) throw new Error(`The schema cannot be used: ${err.message}`);
    throw new Error(`The schema is not valid JSON Schema: ${err instanceof Error ? err.message : String(err)}`);
  }
  const properties = (isObject(schema.properties) ? schema.properties : {}) as Record<string, unknown>;
  const fields: FieldSpec[] = Object.entries(properties).map(([name, prop]) => fieldOf(name, isObject(prop) ? prop : {}));
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
  return {
    fields,
    required,
    closed: schema.additionalProperties === false || schema.unevaluatedProperties === false,
    validate(data) {
      try {
        return check(data) ? [] : (check.errors ?? []).map(issueOf);
      } catch (err) {
        return [{ path: [], message: `The custom schema failed: ${err instanceof Error ? err.message : String(err)}` }];
      }
    },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function fieldOf(name: string, prop: Record<string, unknown>): FieldSpec {
  const t = Array.isArray(prop.type) ? prop.type[0] : prop.type;
  const type: FieldType =
    prop.format === 'date' || prop.format === 'date-time'
      ? 'date'
      : t === 'string'
        ? 'string'
        : t === 'boolean'
          ? 'boolean'
          : t === 'array'
            ? 'list'
            : t === 'number' || t === 'integer'
              ? 'number'
              : 'any';
  const values = Array.isArray(prop.enum)
    ? prop.enum.filter((v): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v))
    : undefined;
  const description =
    [prop.title, prop.description].filter((s): s is string => typeof s === 'string').join(': ') ||
    `Defined by the custom schema (${t ?? 'any'}).`;
  return { name, type, description, enum: values?.length ? values : type === 'boolean' ? [true, false] : undefined };
}

function issueOf(e: ErrorObject): SchemaIssue {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => {
      const part = s.replace(/~1/g, '/').replace(/~0/g, '~');
      return /^\d+$/.test(part) ? Number(part) : part;
    });
  const params = e.params as Record<string, unknown>;
  let message = e.message ?? 'is not allowed by the schema';
  if (Array.isArray(params.allowedValues)) message += `: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return {
    path,
    message,
    missingProperty: typeof params.missingProperty === 'string' ? params.missingProperty : undefined,
    additionalProperty: typeof params.additionalProperty === 'string' ? params.additionalProperty : undefined,
  };
}
