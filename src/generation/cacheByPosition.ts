/**
 * A decoder graph rewritten so that its KV cache goes in and out by position.
 *
 * As exported, a decoder takes each cache tensor whole (`past_key_values.N.key`, [batch, heads,
 * length, head size]) and gives it back whole and one position longer (`present.N.key`).
 * onnxruntime-node copies every output out of the session into a fresh JavaScript buffer, so each
 * step copies the whole cache once more than the graph does: at a few hundred tokens of context
 * that is most of the time a q4 step spends outside its kernels (BENCHMARKS.md, "Rewriting the
 * graph").
 *
 * The rewrite leaves every operator of the export as it is and changes only its edges: each past
 * is taken as `past_key_values.N.key.by_position` in [batch, length, heads, head size] and
 * transposed inside the graph, and each present is given back as `present.N.key.new`, only the
 * positions this step added, in that same layout. A decoder then keeps one growing buffer per
 * cache tensor, feeds a prefix of it (a view, no copy), appends the few new rows, and rolls back
 * by shortening the prefix. The arithmetic is the export's own, so the logits are the same bits.
 *
 * It applies to graphs whose every cache tensor is 4-D with the sequence on axis 2 (GPT-2, Llama,
 * Qwen, Phi, grouped-query heads, float16 caches, merged decoders, either graph of a split export,
 * weights inside the graph or in external files) or GPT-BigCode's fused multi-query 3-D cache
 * ([batch, length, 2 × head size]: already by position, so only renamed, and its presents
 * sliced); anything else (a graph without cache outputs, shapes it cannot read) is left alone:
 * {@link rewriteCacheByPosition} returns undefined and the export runs as before. A rewritten
 * graph with external weights is opened from memory with ONNX Runtime told the folder they are
 * in (sessionOptions.ts).
 *
 * Written by hand on the protobuf wire format, not with a protobuf library: the model is only
 * walked field by field and its weights (hundreds of megabytes of `initializer` fields) are copied
 * as byte ranges untouched, where decoding ModelProto into objects would copy every tensor into
 * JavaScript values and back. The fields touched are few and fixed by onnx.proto (field numbers
 * below).
 */

/** Suffix of a past input the rewrite takes by position ([batch, length, heads, head size], or GPT-BigCode's [batch, length, 2 × head size]). */
export const BY_POSITION = '.by_position';
/** Suffix of a present output the rewrite gives as the step's new positions only. */
export const NEW_ROWS = '.new';
/** Prefix of every value and node the rewrite adds. */
const PREFIX = 'inkwell/cache_by_position/';

// onnx.proto field numbers.
const MODEL_GRAPH = 7;
const MODEL_OPSET_IMPORT = 8;
const OPSET_DOMAIN = 1;
const OPSET_VERSION = 2;
const GRAPH_NODE = 1;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_NAME = 1;
const ATTRIBUTE_INTS = 8;
const ATTRIBUTE_TENSOR = 5;
const ATTRIBUTE_TYPE = 20;
const ATTRIBUTE_TYPE_TENSOR = 4;
const ATTRIBUTE_TYPE_INTS = 7;
const TENSOR_DIMS = 1;
const TENSOR_DATA_TYPE = 2;
const TENSOR_RAW_DATA = 9;
const TENSOR_INT64 = 7;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TYPE_TENSOR_ELEM_TYPE = 1;
const TYPE_TENSOR_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const DIM_PARAM = 2;

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** One field of a protobuf message: its number, wire type, and where its tag, value and end lie. */
interface Field {
  field: number;
  wire: number;
  /** Offset of the tag. */
  start: number;
  /** Offset of the value (after the length, for a length-delimited field). */
  value: number;
  end: number;
  /** The value of a varint field. */
  varint: number;
}

class WireError extends Error {}

/** The varint at `pos`: its value (exact below 2^53, which every length and enum here is) and the offset after it. */
function readVarint(buf: Uint8Array, pos: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new WireError('truncated varint');
    const byte = buf[pos++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos];
    scale *= 128;
  }
  throw new WireError('varint longer than 10 bytes');
}

/** The fields of the message in `buf[start, end)`, in order. Throws WireError on anything malformed. */
function fields(buf: Uint8Array, start: number, end: number): Field[] {
  const out: Field[] = [];
  let pos = start;
  while (pos < end) {
    const fieldStart = pos;
    const [tag, afterTag] = readVarint(buf, pos, end);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    let value = afterTag;
    let next: number;
    let varint = 0;
    if (wire === VARINT) [varint, next] = readVarint(buf, afterTag, end);
    else if (wire === I64) next = afterTag + 8;
    else if (wire === I32) next = afterTag + 4;
    else if (wire === LEN) {
      const [length, afterLength] = readVarint(buf, afterTag, end);
      value = afterLength;
      next = afterLength + length;
    } else throw new WireError(`wire type ${wire}`);
    if (field === 0 || next > end) throw new WireError('field past the end of its message');
    out.push({ field, wire, start: fieldStart, value, end: next, varint });
    pos = next;
  }
  return out;
}

const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

function text(buf: Uint8Array, f: Field): string {
  return decoder.decode(buf.subarray(f.value, f.end));
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Bytes of a varint. */
function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A length-delimited field. */
function lenField(field: number, body: Uint8Array): Uint8Array {
  return concat([Uint8Array.from([...varint(field * 8 + LEN), ...varint(body.length)]), body]);
}

function stringField(field: number, value: string): Uint8Array {
  return lenField(field, encoder.encode(value));
}

function varintField(field: number, value: number): Uint8Array {
  return Uint8Array.from([...varint(field * 8 + VARINT), ...varint(value)]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An int64 tensor (raw little-endian data) as a TensorProto. */
function int64Tensor(values: readonly bigint[]): Uint8Array {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  return concat([varintField(TENSOR_DIMS, values.length), varintField(TENSOR_DATA_TYPE, TENSOR_INT64), lenField(TENSOR_RAW_DATA, raw)]);
}

/** A NodeProto of the default domain. */
function node(
  opType: string,
  inputs: readonly string[],
  output: string,
  attribute?: { name: string; ints: readonly number[] } | { name: string; tensor: Uint8Array },
): Uint8Array {
  const parts = [
    ...inputs.map((i) => stringField(NODE_INPUT, i)),
    stringField(NODE_OUTPUT, output),
    stringField(NODE_NAME, output.startsWith(PREFIX) ? output : PREFIX + output),
    stringField(NODE_OP_TYPE, opType),
  ];
  if (attribute) {
    const body =
      'ints' in attribute
        ? [
            stringField(ATTRIBUTE_NAME, attribute.name),
            ...attribute.ints.map((v) => varintField(ATTRIBUTE_INTS, v)),
            varintField(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INTS),
          ]
        : [
            stringField(ATTRIBUTE_NAME, attribute.name),
            lenField(ATTRIBUTE_TENSOR, attribute.tensor),
            varintField(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_TENSOR),
          ];
    parts.push(lenField(NODE_ATTRIBUTE, concat(body)));
  }
  return lenField(GRAPH_NODE, concat(parts));
}

/** A ValueInfoProto of a tensor: name, element type and dims (a number, a name, or unknown). */
function tensorValueInfo(field: number, name: string, elemType: number, dims: ReadonlyArray<number | string | undefined>): Uint8Array {
  const dimBytes = dims.map((d) =>
    lenField(
      SHAPE_DIM,
      typeof d === 'number' ? varintField(DIM_VALUE, d) : typeof d === 'string' ? stringField(DIM_PARAM, d) : new Uint8Array(0),
    ),
  );
  const tensorType = concat([varintField(TYPE_TENSOR_ELEM_TYPE, elemType), lenField(TYPE_TENSOR_SHAPE, concat(dimBytes))]);
  return lenField(field, concat([stringField(VALUE_INFO_NAME, name), lenField(VALUE_INFO_TYPE, lenField(TYPE_TENSOR, tensorType))]));
}

// ---------------------------------------------------------------------------------------------
// Reading a graph's inputs and outputs

interface TensorInfo {
  name: string;
  elemType: number;
  /** undefined: the value info gives no shape. */
  dims: Array<number | string | undefined> | undefined;
}

function readValueInfo(buf: Uint8Array, f: Field): TensorInfo | undefined {
  let name = '';
  let elemType = 0;
  let dims: Array<number | string | undefined> | undefined;
  for (const v of fields(buf, f.value, f.end)) {
    if (v.field === VALUE_INFO_NAME && v.wire === LEN) name = text(buf, v);
    if (v.field !== VALUE_INFO_TYPE || v.wire !== LEN) continue;
    for (const t of fields(buf, v.value, v.end)) {
      if (t.field !== TYPE_TENSOR || t.wire !== LEN) continue;
      for (const tt of fields(buf, t.value, t.end)) {
        if (tt.field === TYPE_TENSOR_ELEM_TYPE && tt.wire === VARINT) elemType = tt.varint;
        if (tt.field !== TYPE_TENSOR_SHAPE || tt.wire !== LEN) continue;
        dims = [];
        for (const d of fields(buf, tt.value, tt.end)) {
          if (d.field !== SHAPE_DIM || d.wire !== LEN) continue;
          let dim: number | string | undefined;
          for (const x of fields(buf, d.value, d.end)) {
            if (x.field === DIM_VALUE && x.wire === VARINT) dim = x.varint;
            if (x.field === DIM_PARAM && x.wire === LEN) dim = text(buf, x);
          }
          dims.push(dim);
        }
      }
    }
  }
  return elemType ? { name, elemType, dims } : undefined;
}

/**
 * How a cache tensor's sequence axis lies: `heads` for 4-D [batch, heads, length, head size]
 * (heads and head size fixed), which the rewrite transposes; `positions` for GPT-BigCode's fused
 * multi-query 3-D [batch, length, 2 × head size], already by position, which it only renames and
 * slices; undefined for anything else.
 */
function cacheLayout(t: TensorInfo): 'heads' | 'positions' | undefined {
  const d = t.dims;
  if (d?.length === 4 && typeof d[1] === 'number' && typeof d[3] === 'number' && typeof d[2] !== 'number') return 'heads';
  if (d?.length === 3 && typeof d[2] === 'number' && typeof d[1] !== 'number') return 'positions';
  return undefined;
}

/** The default domain's opset the model imports (0 when it names none). */
function defaultOpset(buf: Uint8Array, model: Field[]): number {
  for (const f of model) {
    if (f.field !== MODEL_OPSET_IMPORT || f.wire !== LEN) continue;
    let domain = '';
    let version = 0;
    for (const o of fields(buf, f.value, f.end)) {
      if (o.field === OPSET_DOMAIN && o.wire === LEN) domain = text(buf, o);
      if (o.field === OPSET_VERSION && o.wire === VARINT) version = o.varint;
    }
    if (domain === '' || domain === 'ai.onnx') return version;
  }
  return 0;
}

/** The rewrite as openOnnxSession takes it (sessionOptions.ts). */
export const cacheByPosition = {
  key: 'cache-by-position-2',
  apply: (model: Uint8Array): Uint8Array | undefined => rewriteCacheByPosition(model),
};

/**
 * `model` (an ONNX ModelProto's bytes) with its KV cache taken and given back by position, or
 * undefined when the rewrite does not apply (see the file's comment) or the bytes are not a
 * model it can read. Never throws.
 */
export function rewriteCacheByPosition(model: Uint8Array): Uint8Array | undefined {
  try {
    return rewrite(model);
  } catch (err) {
    if (err instanceof WireError) return undefined;
    throw err;
  }
}

function rewrite(buf: Uint8Array): Uint8Array | undefined {
  const model = fields(buf, 0, buf.length);
  const graphFields = model.filter((f) => f.field === MODEL_GRAPH && f.wire === LEN);
  // Slice with inputs and Transpose as used here need opset 10.
  if (graphFields.length !== 1 || defaultOpset(buf, model) < 10) return undefined;
  const graphField = graphFields[0];
  const graph = fields(buf, graphField.value, graphField.end);
  /** The graph's inputs or outputs that are tensors, with what their value info says. */
  const tensors = (field: number) =>
    graph.flatMap((f) => {
      const info = f.field === field && f.wire === LEN ? readValueInfo(buf, f) : undefined;
      return info ? [{ f, info }] : [];
    });
  const inputs = tensors(GRAPH_INPUT);
  /** The cache tensors among them, each with its layout (undefined: one the rewrite cannot take). */
  const cacheTensors = (list: typeof inputs, prefix: string) =>
    list.filter((x) => x.info.name.startsWith(prefix)).map((x) => ({ ...x, layout: cacheLayout(x.info) }));
  const pasts = cacheTensors(inputs, 'past_key_values.');
  const presents = cacheTensors(tensors(GRAPH_OUTPUT), 'present.');
  if (!presents.length || !inputs.some((i) => i.info.name === 'input_ids')) return undefined;
  if (![...pasts, ...presents].every((x) => x.layout)) return undefined;
  const presentNames = new Set(presents.map((p) => p.info.name));
  if (!pasts.every((p) => presentNames.has(`present.${p.info.name.slice('past_key_values.'.length)}`))) return undefined;

  const start = `${PREFIX}start`;
  const end = `${PREFIX}end`;
  /** The Slice axes constant of a layout: the sequence is axis 2 of [batch, heads, length, head size], axis 1 of [batch, length, width]. */
  const axes = { heads: `${PREFIX}axes`, positions: `${PREFIX}axes_positions` } as const;
  const added: Uint8Array[] = [
    // The positions this step adds: the last input_ids.shape[1] of each present (shape[1:2], the
    // axes constant's [2] serving as the end).
    node('Shape', ['input_ids'], `${PREFIX}shape`),
    node('Constant', [], `${PREFIX}one`, { name: 'value', tensor: int64Tensor([1n]) }),
    node('Constant', [], axes.heads, { name: 'value', tensor: int64Tensor([2n]) }),
    node('Constant', [], end, { name: 'value', tensor: int64Tensor([2n ** 62n]) }),
    node('Slice', [`${PREFIX}shape`, `${PREFIX}one`, axes.heads], `${PREFIX}new`),
    node('Neg', [`${PREFIX}new`], start),
  ];
  if ([...pasts, ...presents].some((x) => x.layout === 'positions')) {
    added.push(node('Constant', [], axes.positions, { name: 'value', tensor: int64Tensor([1n]) }));
  }
  // Each cache input and output's value info, replaced where it stands.
  const replaced = new Map<Field, Uint8Array>();
  for (const { f, info, layout } of pasts) {
    const d = info.dims ?? [];
    if (layout === 'positions') {
      // Already by position: only the name says so.
      replaced.set(f, tensorValueInfo(GRAPH_INPUT, info.name + BY_POSITION, info.elemType, d));
      added.push(node('Identity', [info.name + BY_POSITION], info.name));
      continue;
    }
    replaced.set(f, tensorValueInfo(GRAPH_INPUT, info.name + BY_POSITION, info.elemType, [d[0], d[2], d[1], d[3]]));
    added.push(node('Transpose', [info.name + BY_POSITION], info.name, { name: 'perm', ints: [0, 2, 1, 3] }));
  }
  for (const { f, info, layout } of presents) {
    const d = info.dims ?? [];
    if (layout === 'positions') {
      replaced.set(f, tensorValueInfo(GRAPH_OUTPUT, info.name + NEW_ROWS, info.elemType, [d[0], 'sequence_length', d[2]]));
      added.push(node('Slice', [info.name, start, end, axes.positions], info.name + NEW_ROWS));
      continue;
    }
    replaced.set(f, tensorValueInfo(GRAPH_OUTPUT, info.name + NEW_ROWS, info.elemType, [d[0], 'sequence_length', d[1], d[3]]));
    added.push(node('Slice', [info.name, start, end, axes.heads], `${PREFIX}${info.name}`));
    added.push(node('Transpose', [`${PREFIX}${info.name}`], info.name + NEW_ROWS, { name: 'perm', ints: [0, 2, 1, 3] }));
  }
  // The graph: the added nodes first, then every field as it was but those replaced.
  const graphParts = [...added, ...graph.map((f) => replaced.get(f) ?? buf.subarray(f.start, f.end))];
  // One copy of the weights: the graph's parts go into the model's buffer as they are.
  const graphLength = graphParts.reduce((n, p) => n + p.length, 0);
  const parts: Uint8Array[] = [];
  for (const f of model) {
    if (f === graphField) parts.push(Uint8Array.from([...varint(MODEL_GRAPH * 8 + LEN), ...varint(graphLength)]), ...graphParts);
    else parts.push(buf.subarray(f.start, f.end));
  }
  return concat(parts);
}
