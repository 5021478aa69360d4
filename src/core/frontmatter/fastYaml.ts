import type { FieldNode, ValueNode } from './parse';

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
  const fields: FieldNode[] = [];
  const data: Record<string, unknown> = {};
  const keys = new Set<string>();
  let pos = 0;
  let pendingList: { field: FieldNode; indent: number; items: ValueNode[]; values: unknown[] } | undefined;
  const closeList = (): boolean => {
    if (!pendingList) return true;
    const { field, items, values } = pendingList;
    if (items.length) {
      field.value = { value: values, kind: 'list', start: field.value.start, end: items[items.length - 1].end, quote: '' };
      field.items = items;
      field.flow = false;
    }
    data[field.key] = field.value.value;
    pendingList = undefined;
    return true;
  };
  while (pos < source.length) {
    const lf = source.indexOf('\n', pos);
    const next = lf < 0 ? source.length : lf + 1;
    let end = lf < 0 ? source.length : lf;
    if (end > pos && source.charCodeAt(end - 1) === 13) end--;
    const line = source.slice(pos, end);
    if (line.includes('\r') || line.includes('\t')) return undefined;
    if (line.trim() === '') {
      pos = next;
      continue;
    }
    const c0 = line.charCodeAt(0);
    if (c0 === 35 /* # */) {
      // A comment line inside a block list changes the list's span in `yaml`; keep it simple.
      if (pendingList) return undefined;
      pos = next;
      continue;
    }
    // A block list item of the key just above.
    const item = /^( *)- +(\S.*)$/.exec(line);
    if (item) {
      if (!pendingList) return undefined;
      const indent = item[1].length;
      if (pendingList.items.length === 0) {
        pendingList.indent = indent;
        pendingList.field.value.start = base + pos + indent;
      } else if (indent !== pendingList.indent) return undefined;
      const raw = item[2].replace(/ +$/, '');
      const start = pos + indent + (line.length - indent - item[2].length);
      const node = scalar(raw, base + start, false);
      if (!node) return undefined;
      pendingList.items.push(node);
      pendingList.values.push(node.value);
      pos = next;
      continue;
    }
    if (c0 === 32 /* space */ || c0 === 45 /* - */) return undefined;
    closeList();
    const kv = /^([A-Za-z_][A-Za-z0-9_-]*) *:(?: +(.*))?$/.exec(line);
    // `__proto__` would set the object's prototype here; the full parser defines it as a field.
    if (!kv || kv[1].length > 1000 || kv[1] === '__proto__') return undefined;
    const key = kv[1];
    // A repeated key is a duplicate-key error: the full parser reports it. (A Set: a linear scan per key was quadratic.)
    if (keys.has(key)) return undefined;
    keys.add(key);
    const keyStart = base + pos;
    const keyEnd = keyStart + key.length;
    const rawValue = (kv[2] ?? '').replace(/ +$/, '');
    if (rawValue === '') {
      // `key:` alone: null, or the owner of a block list on the next lines.
      const field: FieldNode = {
        key,
        keyStart,
        keyEnd,
        value: { value: null, kind: 'null', start: base + pos + line.length, end: base + pos + line.length, quote: '' },
      };
      fields.push(field);
      pendingList = { field, indent: -1, items: [], values: [] };
      pos = next;
      continue;
    }
    const valueStart = base + pos + line.length - (kv[2] ?? '').length;
    let node: ValueNode | undefined;
    let items: ValueNode[] | undefined;
    if (rawValue.startsWith('[')) {
      const list = flowList(rawValue, valueStart);
      if (!list) return undefined;
      node = list.node;
      items = list.items;
    } else {
      node = scalar(rawValue, valueStart, false);
    }
    if (!node) return undefined;
    const field: FieldNode = { key, keyStart, keyEnd, value: node };
    if (items) {
      field.items = items;
      field.flow = true;
    }
    fields.push(field);
    data[key] = node.value;
    pos = next;
  }
  closeList();
  return { fields, data };
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
