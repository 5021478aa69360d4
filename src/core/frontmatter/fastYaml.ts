import type { FieldNode, ValueNode } from './nodes';

/**
 * A fast path for the YAML most frontmatter is written in: top-level
 * `key: value` lines whose values are plain or simply quoted strings,
 * booleans, null, inline lists `[a, b]` and block lists of such scalars.
 * It returns exactly what the full `yaml` parse would (a unit test checks
 * this on generated inputs), or undefined as soon as anything is outside that
 * subset (numbers, anchors, escapes, comments after values, nesting...), so
 * the caller falls back to the full parser. About ten times faster, which is
 * what makes a cold check of a large site fast.
 */
export function parseSimpleYaml(source: string, base: number): { fields: FieldNode[]; data: Record<string, unknown> } | undefined {
  const parser = new SimpleYaml(base);
  let pos = 0;
  while (pos < source.length) {
    const lf = source.indexOf('\n', pos);
    const next = lf < 0 ? source.length : lf + 1;
    let end = lf < 0 ? source.length : lf;
    if (end > pos && source.charCodeAt(end - 1) === 13) end--;
    if (!parser.line(source.slice(pos, end), pos)) return undefined;
    pos = next;
  }
  parser.closeList();
  return { fields: parser.fields, data: parser.data };
}

/** The state of {@link parseSimpleYaml}: one line at a time; false means "not the simple subset". */
class SimpleYaml {
  readonly fields: FieldNode[] = [];
  readonly data: Record<string, unknown> = {};
  private readonly keys = new Set<string>();
  private pendingList: { field: FieldNode; indent: number; items: ValueNode[]; values: unknown[] } | undefined;

  constructor(private readonly base: number) {}

  line(line: string, pos: number): boolean {
    if (line.includes('\r') || line.includes('\t')) return false;
    if (line.trim() === '') return true;
    const c0 = line.charCodeAt(0);
    // A comment line inside a block list changes the list's span in `yaml`; keep it simple.
    if (c0 === 35 /* # */) return !this.pendingList;
    const item = /^( *)- +(\S.*)$/.exec(line);
    if (item) return this.listItem(item, line, pos);
    if (c0 === 32 /* space */ || c0 === 45 /* - */) return false;
    this.closeList();
    return this.field(line, pos);
  }

  /** A block list item of the key just above. */
  private listItem(item: RegExpExecArray, line: string, pos: number): boolean {
    const list = this.pendingList;
    if (!list) return false;
    const indent = item[1].length;
    if (list.items.length === 0) {
      list.indent = indent;
      list.field.value.start = this.base + pos + indent;
    } else if (indent !== list.indent) return false;
    const raw = item[2].replace(/ +$/, '');
    const start = pos + indent + (line.length - indent - item[2].length);
    const node = scalar(raw, this.base + start, false);
    if (!node) return false;
    list.items.push(node);
    list.values.push(node.value);
    return true;
  }

  /** `key: value`, `key: [a, b]`, or `key:` (null, or the owner of a block list below). */
  private field(line: string, pos: number): boolean {
    const kv = /^([A-Za-z_][A-Za-z0-9_-]*) *:(?: +(.*))?$/.exec(line);
    // `__proto__` would set the object's prototype here; the full parser defines it as a field.
    if (!kv || kv[1].length > 1000 || kv[1] === '__proto__') return false;
    const key = kv[1];
    // A repeated key is a duplicate-key error: the full parser reports it. (A Set: a linear scan per key was quadratic.)
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    const keyStart = this.base + pos;
    const keyEnd = keyStart + key.length;
    const rawValue = (kv[2] ?? '').replace(/ +$/, '');
    if (rawValue === '') {
      const at = this.base + pos + line.length;
      const field: FieldNode = { key, keyStart, keyEnd, value: { value: null, kind: 'null', start: at, end: at, quote: '' } };
      this.fields.push(field);
      this.pendingList = { field, indent: -1, items: [], values: [] };
      return true;
    }
    const valueStart = this.base + pos + line.length - (kv[2] ?? '').length;
    const list = rawValue.startsWith('[') ? flowList(rawValue, valueStart) : undefined;
    if (rawValue.startsWith('[') && !list) return false;
    const node = list ? list.node : scalar(rawValue, valueStart, false);
    if (!node) return false;
    const field: FieldNode = { key, keyStart, keyEnd, value: node };
    if (list) {
      field.items = list.items;
      field.flow = true;
    }
    this.fields.push(field);
    this.data[key] = node.value;
    return true;
  }

  closeList(): void {
    const list = this.pendingList;
    if (!list) return;
    const { field, items, values } = list;
    if (items.length) {
      field.value = { value: values, kind: 'list', start: field.value.start, end: items[items.length - 1].end, quote: '' };
      field.items = items;
      field.flow = false;
    }
    this.data[field.key] = field.value.value;
    this.pendingList = undefined;
  }
}

const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;
const NULL = /^(?:~|null|Null|NULL)$/;
const BOOL = /^(?:true|True|TRUE|false|False|FALSE)$/;
// The YAML 1.2 core schema's number forms (as the yaml package resolves them): those go to the full parser.
const NUMBER =
  /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** A scalar in block (or, with `flow`, in an inline list) context; undefined when not simple. */
function scalar(raw: string, start: number, flow: boolean): ValueNode | undefined {
  const q = raw[0];
  if (q === '"' || q === "'") {
    if (raw.length < 2 || raw[raw.length - 1] !== q) return undefined;
    const inner = raw.slice(1, -1);
    if (inner.includes(q) || (q === '"' && inner.includes('\\'))) return undefined;
    return { value: inner, kind: 'string', start, end: start + raw.length, quote: q };
  }
  if (INDICATOR.test(raw) || raw.includes(': ') || raw.includes(' #') || raw.endsWith(':')) return undefined;
  if (flow && /[,[\]{}:]/.test(raw)) return undefined;
  const end = start + raw.length;
  if (NULL.test(raw)) return { value: null, kind: 'null', start, end, quote: '' };
  if (BOOL.test(raw)) return { value: raw[0] === 't' || raw[0] === 'T', kind: 'boolean', start, end, quote: '' };
  if (NUMBER.test(raw)) return undefined;
  return { value: raw, kind: 'string', start, end, quote: '' };
}

/** `[a, "b", c]` on one line; undefined for anything nested, empty items or trailing commas. */
function flowList(raw: string, start: number): { node: ValueNode; items: ValueNode[] } | undefined {
  if (!raw.endsWith(']')) return undefined;
  const inner = raw.slice(1, -1);
  const items: ValueNode[] = [];
  const values: unknown[] = [];
  if (inner.trim() !== '') {
    let offset = 1;
    for (const part of inner.split(',')) {
      const lead = part.length - part.trimStart().length;
      const text = part.trim();
      if (!text) return undefined;
      const node = scalar(text, start + offset + lead, true);
      if (!node) return undefined;
      items.push(node);
      values.push(node.value);
      offset += part.length + 1;
    }
  }
  return { node: { value: values, kind: 'list', start, end: start + raw.length, quote: '' }, items };
}
