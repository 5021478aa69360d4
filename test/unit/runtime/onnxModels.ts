/**
 * Small ONNX models for runtime tests that no fixture should ship: one that
 * never finishes (a `Loop` with no trip count), one whose logits are NaN, one
 * whose image batch comes back short. Written as protobuf by hand, so the tests
 * need neither Python nor the onnx package; onnxruntime-node runs them for real.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The tiny GPT-2 fixture, whose tokenizer the test decoders use (integration tests pass their own path). */
const tinyGpt2 = path.join(__dirname, '..', '..', 'fixtures', 'models', 'tiny-gpt2');

// ---------------------------------------------------------------------------
// Protocol Buffers wire format (only what ONNX models need)
// ---------------------------------------------------------------------------

class Message {
  readonly bytes: number[] = [];

  private varint(value: bigint | number): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }

  int(field: number, value: bigint | number): this {
    this.varint((field << 3) | 0);
    this.varint(value);
    return this;
  }

  raw(field: number, data: Uint8Array): this {
    this.varint((field << 3) | 2);
    this.varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }

  str(field: number, text: string): this {
    return this.raw(field, Buffer.from(text, 'utf8'));
  }

  msg(field: number, m: Message): this {
    return this.raw(field, Uint8Array.from(m.bytes));
  }
}

const FLOAT = 1;
const INT64 = 7;
const BOOL = 9;

type Dim = number | string;

/** ValueInfoProto: a named tensor with element type and (optionally) shape. */
function value(name: string, elemType: number, shape?: Dim[]): Message {
  const tensor = new Message().int(1, elemType);
  if (shape) {
    const s = new Message();
    for (const d of shape) s.msg(1, typeof d === 'number' ? new Message().int(1, d) : new Message().str(2, d));
    tensor.msg(2, s);
  }
  return new Message().str(1, name).msg(2, new Message().msg(1, tensor));
}

/** TensorProto initializer. */
function tensor(name: string, elemType: number, dims: number[], data: Uint8Array): Message {
  const t = new Message();
  for (const d of dims) t.int(1, d);
  return t.int(2, elemType).str(8, name).raw(9, data);
}

const int64s = (name: string, values: Array<number | bigint>, dims = [values.length]) =>
  tensor(name, INT64, dims, new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer));
const floats = (name: string, values: number[], dims = [values.length]) =>
  tensor(name, FLOAT, dims, new Uint8Array(Float32Array.from(values).buffer));
const bools = (name: string, values: boolean[], dims: number[] = []) =>
  tensor(name, BOOL, dims, Uint8Array.from(values.map((b) => (b ? 1 : 0))));

interface Attribute {
  name: string;
  int?: number;
  graph?: Message;
}

function node(op: string, inputs: string[], outputs: string[], attributes: Attribute[] = []): Message {
  const n = new Message();
  for (const i of inputs) n.str(1, i);
  for (const o of outputs) n.str(2, o);
  n.str(3, `${op}_${outputs[0]}`).str(4, op);
  for (const a of attributes) {
    const attr = new Message().str(1, a.name);
    if (a.graph) attr.msg(6, a.graph).int(20, 5);
    else attr.int(3, a.int ?? 0).int(20, 2);
    n.msg(5, attr);
  }
  return n;
}

function graph(name: string, nodes: Message[], initializers: Message[], inputs: Message[], outputs: Message[]): Message {
  const g = new Message();
  for (const n of nodes) g.msg(1, n);
  g.str(2, name);
  for (const i of initializers) g.msg(5, i);
  for (const i of inputs) g.msg(11, i);
  for (const o of outputs) g.msg(12, o);
  return g;
}

function model(g: Message): Uint8Array {
  const m = new Message().int(1, 8).str(2, 'inkwell-tests').msg(7, g).msg(8, new Message().str(1, '').int(2, 17));
  return Uint8Array.from(m.bytes);
}

/**
 * A `Loop` over `v` with no trip count limit when `trips` is omitted:
 * `while (true) v = v` — it never ends. With `trips`, it runs that many times.
 */
function loop(trips: string, v: string, out: string): Message[] {
  const body = graph(
    'forever',
    [node('Identity', ['cond_in'], ['cond_out']), node('Identity', ['v_in'], ['v_out'])],
    [],
    [value('iteration', INT64, []), value('cond_in', BOOL, []), value('v_in', INT64)],
    [value('cond_out', BOOL, []), value('v_out', INT64)],
  );
  return [node('Loop', [trips, 'always', v], [out], [{ name: 'body', graph: body }])];
}

// ---------------------------------------------------------------------------
// Text models
// ---------------------------------------------------------------------------

/** How a test decoder misbehaves. */
export type TextModelFault =
  /** Never returns once the sequence is longer than `afterTokens` tokens. */
  | { kind: 'hang'; afterTokens: number }
  /** Never returns once the sequence ends in token 0, the token it generates: the first token comes, then silence. */
  | { kind: 'hang-after-first' }
  /** Every logit is NaN (`nan`) or +Infinity (`inf`). */
  | { kind: 'nan' | 'inf' }
  /** Logits of shape [1, 0, vocab]: no position at all. */
  | { kind: 'empty' }
  /** Allocates (and sums) `bytesPerToken` bytes of floats per token of the sequence at every step. */
  | { kind: 'hog'; bytesPerToken: number };

/**
 * Writes a text model folder (config.json, the tiny GPT-2's tokenizer,
 * onnx/model.onnx) whose decoder has no KV cache: it takes the whole sequence
 * every step and returns logits [1, seq, vocab] equal to the last id (so greedy
 * decoding picks token 0), unless `fault` says otherwise.
 */
export function writeTextModel(dir: string, fault?: TextModelFault, config: Record<string, unknown> = {}, source = tinyGpt2): string {
  const base = JSON.parse(fs.readFileSync(path.join(source, 'config.json'), 'utf8')) as Record<string, unknown>;
  const vocab = base.vocab_size as number;
  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  fs.copyFileSync(path.join(source, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
  // Token 0 is what greedy decoding picks here; it must not end the generation.
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...base, eos_token_id: vocab - 1, bos_token_id: vocab - 1, ...config }));

  const nodes: Message[] = [];
  const inits: Message[] = [int64s('axis2', [2]), int64s('expand_to', [1, 1, vocab])];
  let ids = 'input_ids';
  if (fault?.kind === 'hang') {
    // trips = max(seq - afterTokens, 0) * 10^15: zero while the sequence is short, forever after.
    inits.push(
      int64s('one', [1], []),
      int64s('after', [fault.afterTokens], []),
      int64s('huge', [10n ** 15n], []),
      int64s('zero', [0], []),
      bools('always', [true]),
    );
    nodes.push(
      node('Shape', ['input_ids'], ['shape']),
      node('Gather', ['shape', 'one'], ['seq'], [{ name: 'axis', int: 0 }]),
      node('Sub', ['seq', 'after'], ['extra']),
      node('Mul', ['extra', 'huge'], ['scaled']),
      node('Max', ['scaled', 'zero'], ['trips']),
      ...loop('trips', 'input_ids', 'looped'),
    );
    ids = 'looped';
  } else if (fault?.kind === 'hang-after-first') {
    // trips = (last id == 0) * 10^15, reduced to a scalar.
    inits.push(
      int64s('minus_one', [-1]),
      int64s('end', [2n ** 62n]),
      int64s('axis1', [1]),
      int64s('zero', [0], []),
      int64s('huge', [10n ** 15n], []),
      bools('always', [true]),
    );
    nodes.push(
      node('Slice', ['input_ids', 'minus_one', 'end', 'axis1'], ['last']),
      node('Equal', ['last', 'zero'], ['is_zero']),
      node('Cast', ['is_zero'], ['is_zero_i'], [{ name: 'to', int: INT64 }]),
      node('Mul', ['is_zero_i', 'huge'], ['scaled']),
      node('ReduceSum', ['scaled'], ['trips'], [{ name: 'keepdims', int: 0 }]),
      ...loop('trips', 'input_ids', 'looped'),
    );
    ids = 'looped';
  }
  nodes.push(node('Cast', [ids], ['ids_f'], [{ name: 'to', int: FLOAT }]), node('Unsqueeze', ['ids_f', 'axis2'], ['column']));
  const expanded =
    fault?.kind === 'nan' || fault?.kind === 'inf' || fault?.kind === 'empty' || fault?.kind === 'hog' ? 'expanded' : 'logits';
  nodes.push(node('Expand', ['column', 'expand_to'], [expanded]));
  if (fault?.kind === 'nan' || fault?.kind === 'inf') {
    inits.push(floats('poison', [fault.kind === 'nan' ? NaN : Infinity], []));
    nodes.push(node(fault.kind === 'nan' ? 'Mul' : 'Add', [expanded, 'poison'], ['logits']));
  } else if (fault?.kind === 'hog') {
    // zeros = ConstantOfShape([seq * floatsPerToken]); logits += sum(zeros): the sum is 0, the memory is not.
    inits.push(int64s('one', [1], []), int64s('per_token', [Math.ceil(fault.bytesPerToken / 4)], []), int64s('axis0', [0]));
    nodes.push(
      node('Shape', ['input_ids'], ['hog_shape']),
      node('Gather', ['hog_shape', 'one'], ['hog_seq'], [{ name: 'axis', int: 0 }]),
      node('Mul', ['hog_seq', 'per_token'], ['hog_n']),
      node('Unsqueeze', ['hog_n', 'axis0'], ['hog_dims']),
      node('ConstantOfShape', ['hog_dims'], ['hog_zeros']),
      node('ReduceSum', ['hog_zeros'], ['hog_sum'], [{ name: 'keepdims', int: 0 }]),
      node('Add', [expanded, 'hog_sum'], ['logits']),
    );
  } else if (fault?.kind === 'empty') {
    inits.push(int64s('from', [0]), int64s('to', [0]), int64s('axis1', [1]));
    nodes.push(node('Slice', [expanded, 'from', 'to', 'axis1'], ['logits']));
  }
  const g = graph('decoder', nodes, inits, [value('input_ids', INT64, [1, 'sequence'])], [value('logits', FLOAT, [1, 'positions', vocab])]);
  fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), model(g));
  return dir;
}

// ---------------------------------------------------------------------------
// Image models
// ---------------------------------------------------------------------------

/**
 * Writes a GAN folder whose generator takes latents [N, 4] but returns one
 * image [1, 3, 8, 8] whatever N is: a batch smaller than requested.
 */
export function writeShortBatchGan(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const inits = [
    int64s('from', [0]),
    int64s('to', [1]),
    int64s('axis0', [0]),
    int64s('pixels', [1, 3, 8, 8]),
    int64s('first', [0, 0]),
    int64s('one', [1, 1]),
    int64s('axes01', [0, 1]),
  ];
  const nodes = [
    // The first latent's first value, broadcast to a whole image: one image, always.
    node('Slice', ['z', 'from', 'to', 'axis0'], ['z0']),
    node('Slice', ['z0', 'first', 'one', 'axes01'], ['v']),
    node('Unsqueeze', ['v', 'axes23'], ['v4']),
    node('Tanh', ['v4'], ['t']),
    node('Expand', ['t', 'pixels'], ['image']),
  ];
  inits.push(int64s('axes23', [2, 3]));
  const g = graph('generator', nodes, inits, [value('z', FLOAT, ['batch', 4])], [value('image', FLOAT, [1, 3, 8, 8])]);
  fs.writeFileSync(path.join(dir, 'generator.onnx'), model(g));
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      kind: 'gan',
      displayName: 'Short batch GAN',
      license: 'CC0-1.0',
      onnx: 'generator.onnx',
      input: { name: 'z', shape: [-1, 4] },
      output: { name: 'image', layout: 'NCHW', channels: 3, range: 'tanh' },
      imageSize: 8,
    }),
  );
  return dir;
}
