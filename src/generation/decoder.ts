/**
 * The autoregressive decode loop over an ONNX decoder. With past_key_values
 * inputs it feeds the whole prompt once, then one token per step. A graph rewritten to take its
 * cache by position (cacheByPosition.ts) is fed a prefix of one buffer per cache tensor and its
 * new rows are appended there ({@link PositionCache}); an exported one's `present.*` outputs are
 * handed straight back as the next step's past. A model exported without a cache recomputes the
 * whole sequence each step.
 *
 * It runs the layouts transformers.js and Optimum export (src/generation/layout.ts): one graph,
 * a merged decoder fed `use_cache_branch`, or a decoder + decoder-with-past pair. The empty past
 * of the first step is made from the graph's own input metadata, in its declared type (float16
 * for fp16 / q4f16 exports) and fixed dims, as transformers.js's `addPastKeyValues` makes it
 * (models/modeling_utils.js); float16 logits are widened to float32 before sampling.
 *
 * Buffers for ids, mask and positions are allocated once per request and viewed
 * with subarray; logits are read in place (only the rows asked for).
 *
 * Two layers: {@link DecoderRun} steps one sequence through the model (feed what the model has
 * not seen, read the logits rows asked for, append tokens, roll the sequence and its KV cache
 * back k tokens), and {@link decode} is the generation loop over it, made of separate pieces:
 * logits processors (logitsProcessors.ts), the sampler and its warpers (sampling.ts), stopping
 * criteria and a streamer (stopping.ts).
 */
import { GenerationError, throwIfCancelled } from './generationError';
import type { MakeTensor, SessionLike, TensorLike } from './onnxTypes';
import { cacheInputs, emptyCacheShape } from './architectures';
import { LogitsProcessorList, processorsFor, type LogitsProcessor } from './logitsProcessors';
import { BY_POSITION, NEW_ROWS } from './cacheByPosition';
import { runSession } from './onnxGraph';
import { TokenSampler } from './sampling';
import { Speculator, type DraftStats, type SpeculativeOptions } from './speculative';
import {
  contextFullCriterion,
  eosCriterion,
  maxTokensCriterion,
  type DecodeStatus,
  type StoppingCriterion,
  type TokenStreamer,
} from './stopping';
import type { SamplingOptions, StopReason } from './textRequest';
import type { TextModelSpec } from './textModel';

/** The pieces a caller adds to the loop. */
export interface DecodePipeline {
  /** Run after the processors the sampling options ask for (repetition penalty, n-gram ban). */
  processors?: LogitsProcessor[];
  /** Asked after the end-of-text check and before the token limit and the full context. */
  criteria?: StoppingCriterion[];
  /** Hears each generated token. */
  streamer?: TokenStreamer;
  /** Checked before every step: once aborted, the loop throws a `cancelled` GenerationError. */
  signal?: AbortSignal;
  /** Awaited between steps so the caller's event loop can run. */
  yieldBetweenSteps?(): Promise<void>;
}

export interface DecodeResult {
  tokens: number[];
  stop: StopReason;
  /** ms from the start of the loop to the first generated token. */
  ttftMs: number;
  /** ms from the first to the last generated token. */
  decodeMs: number;
  usedKvCache: boolean;
  /** Drafts proposed and accepted, when the request asked for speculative decoding and it ran (greedy). */
  draft?: DraftStats;
}

/** One KV-cache input of a graph and the output that carries it to the next step. */
export interface CacheFeed {
  /** `past_key_values.{i}.key`, `.value` or (GPT-BigCode) `.key_value`. */
  name: string;
  /** `present.{i}.…`: the same name with `past_key_values` replaced by `present`. */
  presentName: string;
  /** The element type the graph declares (float16 for fp16 and q4f16 exports). */
  type: 'float32' | 'float16';
  /** The shape of the empty past fed before the first step (batch 1, 0 positions). */
  emptyShape: number[];
  /**
   * The graph takes this cache by position (cacheByPosition.ts): the past as [batch, length, heads,
   * head size] (GPT-BigCode: [batch, length, 2 × head size]), a prefix of one growing buffer, and
   * the present as the step's new positions only.
   */
  byPosition: boolean;
}

/** How the graph is wired, read from its input and output names and metadata. */
export interface DecoderSignature {
  hasKvCache: boolean;
  /** Every `past_key_values.*` input, in the graph's order (empty without a KV cache). */
  cache: CacheFeed[];
  /** `present.*` outputs the graph gives (a split export's first graph gives them without taking any past). */
  presentNames: string[];
  hasAttentionMask: boolean;
  hasPositionIds: boolean;
  /** A merged Optimum decoder: fed `use_cache_branch` (false on the prompt step, true after). */
  hasUseCacheBranch: boolean;
  /**
   * The graph takes a scalar `num_logits_to_keep` (transformers.js convention):
   * fed 1, the prompt step projects only its last position onto the vocabulary.
   */
  hasLogitsToKeep: boolean;
  /** The graph's input names: a step feeds exactly these. */
  inputNames: readonly string[];
}

/** Signatures by session: a graph's wiring is read once per loaded session. */
const signatures = new WeakMap<SessionLike, DecoderSignature>();

/**
 * The wiring of a decoder graph, failing with a message that names the file.
 * Read once per session and remembered for as long as the session lives.
 */
export function decoderSignature(session: SessionLike, spec: TextModelSpec, file: string): DecoderSignature {
  let signature = signatures.get(session);
  if (!signature) {
    signature = readDecoderSignature(session, spec, file);
    signatures.set(session, signature);
  }
  return signature;
}

const PAST = 'past_key_values.';

function readDecoderSignature(session: SessionLike, spec: TextModelSpec, file: string): DecoderSignature {
  const inputs = new Set(session.inputNames);
  const outputs = new Set(session.outputNames);
  if (!inputs.has('input_ids')) {
    throw new GenerationError('model-invalid', `${file} has no input "input_ids" (inputs: ${session.inputNames.join(', ')}).`, file);
  }
  if (!outputs.has('logits')) {
    throw new GenerationError('model-invalid', `${file} has no output "logits" (outputs: ${session.outputNames.join(', ')}).`, file);
  }
  const metadata = new Map((session.inputMetadata ?? []).map((m) => [m.name, m]));
  // The shapes config.json implies, for graphs whose metadata gives no dims.
  const fallback = new Map(cacheInputs(spec).map((c) => [c.name, c.emptyShape]));
  const cache: CacheFeed[] = [];
  for (const name of session.inputNames) {
    if (!name.startsWith(PAST)) continue;
    const byPosition = name.endsWith(BY_POSITION);
    const base = byPosition ? name.slice(0, -BY_POSITION.length) : name;
    const presentName = `present.${base.slice(PAST.length)}${byPosition ? NEW_ROWS : ''}`;
    if (!outputs.has(presentName)) {
      throw new GenerationError('model-invalid', `${file} has no output "${presentName}" to match its input "${name}".`, file);
    }
    const m = metadata.get(name);
    const declaredType = m?.isTensor ? m.type : undefined;
    if (declaredType !== undefined && declaredType !== 'float32' && declaredType !== 'float16') {
      throw new GenerationError(
        'model-invalid',
        `${file} declares its cache input "${name}" as ${declaredType}; Inkwell feeds float32 or float16 caches.`,
        file,
      );
    }
    const exported = fallback.get(base);
    // By position, the exporter's [batch, heads, length, head size] has become [batch, length, heads, head size].
    const expected = byPosition && exported?.length === 4 ? [exported[0], exported[2], exported[1], exported[3]] : exported;
    const shape = m?.isTensor && m.shape && m.shape.length ? emptyCacheShape(m.shape, expected) : expected;
    if (!shape) {
      throw new GenerationError(
        'model-invalid',
        `${file} has a cache input "${name}" that config.json's ${spec.layers} layers of model type ${spec.modelType} do not explain, and no shape for it.`,
        file,
      );
    }
    cache.push({ name, presentName, type: declaredType ?? 'float32', emptyShape: shape, byPosition });
  }
  if (cache.length) {
    // Every layer's cache must be there: a graph missing some would read garbage.
    for (const expected of fallback.keys()) {
      if (!inputs.has(expected) && !inputs.has(expected + BY_POSITION)) {
        throw new GenerationError('model-invalid', `${file} has no input "${expected}" but config.json says ${spec.layers} layers.`, file);
      }
    }
  }
  return {
    hasKvCache: cache.length > 0,
    cache,
    presentNames: session.outputNames.filter((n) => n.startsWith('present.')),
    hasAttentionMask: inputs.has('attention_mask'),
    hasPositionIds: inputs.has('position_ids'),
    hasUseCacheBranch: inputs.has('use_cache_branch'),
    hasLogitsToKeep: inputs.has('num_logits_to_keep'),
    inputNames: session.inputNames,
  };
}

export interface DecodeRequest {
  /** Prompt ids: at least one, and no more than the context takes (the caller truncates). */
  promptIds: readonly number[];
  maxTokens: number;
  sampling: SamplingOptions;
  /** Verify prompt-lookup drafts (greedy: the same tokens; sampling: exact in distribution). Absent: plain decoding. */
  speculative?: SpeculativeOptions;
}

/** A loaded decoder as the loop needs it. */
export interface DecoderModel {
  /** The graph of the prompt step, and of every step unless `withPast` is given. */
  session: SessionLike;
  makeTensor: MakeTensor;
  spec: TextModelSpec;
  /** The ONNX file, for messages. */
  file: string;
  /**
   * An older Optimum split export's `decoder_with_past_model.onnx`: every step after the prompt
   * runs in it, fed the prompt graph's `present.*` outputs as its past.
   */
  withPast?: { session: SessionLike; file: string };
}

/**
 * The sequence of one request (prompt, then generated ids) and the model
 * inputs that view it. Allocated once per request; each step feeds the part
 * of the sequence the model has not seen (all of it without a KV cache).
 */
class DecodeSequence {
  /** Every id of the sequence. */
  private readonly ids: BigInt64Array;
  /** The attention mask: all ones, no padding. */
  private readonly mask: BigInt64Array;
  private readonly positions: BigInt64Array;
  /** One-element buffers for single-token steps (a fresh tensor object, no fresh data). */
  private readonly stepId = new BigInt64Array(1);
  private readonly stepPosition = new BigInt64Array(1);
  /** Ids in the sequence. */
  length: number;
  /** The first id the model has not been fed yet. */
  private fedFrom = 0;

  constructor(
    promptIds: readonly number[],
    private readonly capacity: number,
    firstPosition: number,
    private readonly makeTensor: MakeTensor,
  ) {
    this.ids = new BigInt64Array(capacity);
    this.mask = new BigInt64Array(capacity).fill(1n);
    this.positions = new BigInt64Array(capacity);
    for (let i = 0; i < capacity; i++) this.positions[i] = BigInt(i + firstPosition);
    for (let i = 0; i < promptIds.length; i++) this.ids[i] = BigInt(promptIds[i]);
    this.length = promptIds.length;
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  /** Sets `input_ids` (and `position_ids`, `attention_mask` where the graph takes them) to what the next step feeds. */
  feedInputs(feeds: Record<string, TensorLike>, signature: DecoderSignature): void {
    const { makeTensor, length } = this;
    const fed = length - this.fedFrom;
    if (fed === 1) {
      this.stepId[0] = this.ids[length - 1];
      this.stepPosition[0] = this.positions[length - 1];
      feeds.input_ids = makeTensor('int64', this.stepId, [1, 1]);
      if (signature.hasPositionIds) feeds.position_ids = makeTensor('int64', this.stepPosition, [1, 1]);
    } else {
      feeds.input_ids = makeTensor('int64', this.ids.subarray(this.fedFrom, length), [1, fed]);
      if (signature.hasPositionIds) feeds.position_ids = makeTensor('int64', this.positions.subarray(this.fedFrom, length), [1, fed]);
    }
    if (signature.hasAttentionMask) feeds.attention_mask = makeTensor('int64', this.mask.subarray(0, length), [1, length]);
  }

  /** Ids the next step feeds. */
  get unfed(): number {
    return this.length - this.fedFrom;
  }

  /** Ids the model has seen (its KV cache holds them). */
  get fed(): number {
    return this.fedFrom;
  }

  /** The model has seen the whole sequence (its KV cache holds it). */
  markFed(): void {
    this.fedFrom = this.length;
  }

  append(id: number): void {
    if (this.length >= this.capacity) throw new GenerationError('bad-request', `The sequence is full (${this.capacity} tokens).`);
    this.ids[this.length++] = BigInt(id);
  }

  /**
   * Drops the last `k` ids. The model is to see again from `fedFrom` on: at most the ids kept,
   * and (`refeedLast`) at least the last one, so that the next step gives logits after the kept
   * sequence. Without it the kept ids stay seen: the caller appends an id before the next step.
   */
  rollback(k: number, refeedLast = true): void {
    this.length -= k;
    this.fedFrom = Math.min(this.fedFrom, refeedLast ? this.length - 1 : this.length);
  }
}

/** A graph and its wiring. */
interface Graph {
  session: SessionLike;
  file: string;
  signature: DecoderSignature;
}

/**
 * Which graph runs which step: the prompt graph first, then the step graph (the same one, except
 * for a split export with a decoder-with-past). `cached`: the steps after the prompt feed one token
 * and the previous step's `present.*` as past; otherwise every step runs the whole sequence.
 */
interface DecodePlan {
  prompt: Graph;
  step: Graph;
  cached: boolean;
  /** The step graph takes its cache by position (all of it: the rewrite is all or nothing). */
  byPosition: boolean;
}

function decodePlan(model: DecoderModel): DecodePlan {
  const prompt: Graph = { session: model.session, file: model.file, signature: decoderSignature(model.session, model.spec, model.file) };
  if (!model.withPast) return { prompt, step: prompt, cached: prompt.signature.hasKvCache, byPosition: byPosition(prompt) };
  const { session, file } = model.withPast;
  const step: Graph = { session, file, signature: decoderSignature(session, model.spec, file) };
  if (!step.signature.hasKvCache) {
    throw new GenerationError('model-invalid', `${file} takes no past_key_values inputs, so it cannot continue from ${model.file}.`, file);
  }
  const presents = new Set(prompt.signature.presentNames);
  const missing = step.signature.cache.find((c) => !presents.has(c.presentName));
  if (missing) {
    throw new GenerationError(
      'model-invalid',
      `${model.file} has no output "${missing.presentName}" to feed ${file}'s input "${missing.name}".`,
      model.file,
    );
  }
  return { prompt, step, cached: true, byPosition: byPosition(step) };
}

/** Whether `graph` takes its cache by position; a graph taking some of it so and some not is refused. */
function byPosition(graph: Graph): boolean {
  const { cache } = graph.signature;
  const count = cache.filter((c) => c.byPosition).length;
  if (count && count < cache.length) {
    throw new GenerationError('model-invalid', `${graph.file} takes some of its cache inputs by position and some not.`, graph.file);
  }
  return count > 0;
}

/** An empty past tensor of the declared type and shape (zero positions, so usually no data). */
function emptyPast(makeTensor: MakeTensor, cache: CacheFeed): TensorLike {
  const size = cache.emptyShape.reduce((n, d) => n * d, 1);
  return cache.type === 'float16'
    ? makeTensor('float16', new Uint16Array(size), cache.emptyShape)
    : makeTensor('float32', new Float32Array(size), cache.emptyShape);
}

/**
 * The feeds of the first step besides the sequence: the logits selector and, when the prompt graph
 * takes a past, an empty one for every `past_key_values.*` input in its declared type and shape.
 */
function initialFeeds(model: DecoderModel, prompt: DecoderSignature): Record<string, TensorLike> {
  const { makeTensor } = model;
  const feeds: Record<string, TensorLike> = {};
  // Only the last position's logits are ever read.
  if (prompt.hasLogitsToKeep) feeds.num_logits_to_keep = makeTensor('int64', BigInt64Array.of(1n), []);
  for (const cache of prompt.cache) feeds[cache.name] = emptyPast(makeTensor, cache);
  return feeds;
}

/** Hands this step's `present.*` outputs to the next step as its past (renaming present → past_key_values). */
function carryKvCache(feeds: Record<string, TensorLike>, outputs: Record<string, TensorLike>, next: DecoderSignature): void {
  for (const cache of next.cache) feeds[cache.name] = outputs[cache.presentName];
}

/** The inputs of `graph` out of all the feeds (a split export's two graphs take different ones). */
function feedsFor(graph: Graph, feeds: Record<string, TensorLike>): Record<string, TensorLike> {
  const picked: Record<string, TensorLike> = {};
  for (const name of graph.signature.inputNames) {
    if (feeds[name] === undefined) {
      throw new GenerationError(
        'model-invalid',
        `${graph.file} takes an input "${name}" that Inkwell does not know how to feed.`,
        graph.file,
      );
    }
    picked[name] = feeds[name];
  }
  return picked;
}

/** Runs one model step, as an `inference-failed` error naming the file when ONNX Runtime throws. */
function runStep(graph: Graph, feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>> {
  return runSession(graph.session, feedsFor(graph, feeds), graph);
}

/** IEEE 754 half-precision bits to a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * A logits row of the step's output, checked: float32 (or float16, converted into `scratch`) of
 * at least the vocabulary's size, every value finite. `fromEnd` 0 is the last position the step
 * gave, 1 the one before it, and so on. For float32, a view into the output.
 */
export function logitsRow(
  spec: TextModelSpec,
  file: string,
  outputs: Record<string, TensorLike>,
  generated: number,
  scratch: Float32Array,
  fromEnd = 0,
): Float32Array {
  const logits = outputs.logits;
  const vocab = logits.dims[logits.dims.length - 1];
  const rows = logits.dims.length === 3 ? logits.dims[1] : 1;
  const data = logits.data;
  const typed = data instanceof Float32Array || (logits.type === 'float16' && data instanceof Uint16Array);
  if (!typed || vocab < spec.vocabSize || rows < 1 || (data as Float32Array | Uint16Array).length < rows * vocab) {
    throw new GenerationError(
      'model-invalid',
      `${file} returned logits of type ${logits.type} and shape [${logits.dims.join(', ')}]; expected float32 [batch, sequence, ${spec.vocabSize}] or the same in float16.`,
      file,
    );
  }
  if (fromEnd >= rows) {
    throw new GenerationError(
      'bad-request',
      `${file} gave logits for ${rows} positions; position ${rows - 1 - fromEnd} was asked for.`,
      file,
    );
  }
  const start = (rows - 1 - fromEnd) * vocab;
  let row: Float32Array;
  if (data instanceof Float32Array) {
    row = data.subarray(start, start + spec.vocabSize);
  } else {
    const half = data as Uint16Array;
    for (let i = 0; i < spec.vocabSize; i++) scratch[i] = halfToFloat(half[start + i]);
    row = scratch;
  }
  const bad = firstNonFinite(row);
  if (bad !== undefined) {
    throw new GenerationError(
      'inference-failed',
      `${file} returned a logit of ${bad.value} (token ${bad.index}) after ${generated} generated tokens; a model that computes NaN or infinite scores cannot be sampled. Check its export (overflow in float16?).`,
      file,
    );
  }
  return row;
}

/**
 * The KV cache of a graph that takes it by position: one buffer per cache tensor holding
 * [positions, row] rows (a row: heads × head size, or GPT-BigCode's 2 × head size). A step is fed a prefix of each buffer (a view), its new
 * rows are appended where the positions the model has seen end, and a rollback only shortens
 * the prefix. Buffers grow by doubling, up to the model's context.
 */
class PositionCache {
  private readonly buffers = new Map<string, Float32Array | Uint16Array>();
  /** Positions held (the same for every tensor). */
  private length = 0;

  constructor(
    private readonly makeTensor: MakeTensor,
    private readonly caches: readonly CacheFeed[],
    private readonly capacity: number,
    private readonly file: string,
  ) {}

  /** Elements of one position of `cache` (every dim after the length). */
  private rowSize(cache: CacheFeed): number {
    return cache.emptyShape.slice(2).reduce((n, d) => n * d, 1);
  }

  /** Sets each cache input of `feeds` to the first `length` positions. */
  feed(feeds: Record<string, TensorLike>): void {
    for (const cache of this.caches) {
      const rows = this.buffers.get(cache.name);
      const size = this.length * this.rowSize(cache);
      const data = rows ? rows.subarray(0, size) : cache.type === 'float16' ? new Uint16Array(0) : new Float32Array(0);
      const dims = [1, this.length, ...cache.emptyShape.slice(2)];
      feeds[cache.name] = data instanceof Float32Array ? this.makeTensor('float32', data, dims) : this.makeTensor('float16', data, dims);
    }
  }

  /** Appends the step's new positions (each present's `.new` output) after the first `at`. */
  append(outputs: Record<string, TensorLike>, at: number, added: number): void {
    for (const cache of this.caches) {
      const fresh = outputs[cache.presentName];
      const row = this.rowSize(cache);
      const data = fresh?.data;
      const typed = cache.type === 'float16' ? data instanceof Uint16Array : data instanceof Float32Array;
      if (!fresh || !typed || fresh.dims[1] !== added || (data as Float32Array | Uint16Array).length !== added * row) {
        throw new GenerationError(
          'model-invalid',
          `${this.file} gave "${cache.presentName}" of shape [${fresh?.dims.join(', ') ?? ''}]; expected ${added} new positions of ${row} ${cache.type} values.`,
          this.file,
        );
      }
      this.reserve(cache, at + added).set(data as Float32Array & Uint16Array, at * row);
    }
    this.length = at + added;
  }

  /** Keeps the first `keep` positions. */
  truncate(keep: number): void {
    this.length = Math.min(this.length, keep);
  }

  /** The buffer of `cache`, grown (by doubling, within the context) to hold `positions`. */
  private reserve(cache: CacheFeed, positions: number): Float32Array | Uint16Array {
    const row = this.rowSize(cache);
    const current = this.buffers.get(cache.name);
    if (current && current.length >= positions * row) return current;
    const rows = Math.min(Math.max(this.capacity, positions), Math.max(positions, 2 * ((current?.length ?? 0) / row), 64));
    const grown = cache.type === 'float16' ? new Uint16Array(rows * row) : new Float32Array(rows * row);
    if (current) grown.set(current.subarray(0, this.length * row) as Float32Array & Uint16Array);
    this.buffers.set(cache.name, grown);
    return grown;
  }
}

/** A past tensor cut to its first `keep` positions along `axis` (a copy). */
function slicePast(makeTensor: MakeTensor, past: TensorLike, axis: number, keep: number): TensorLike {
  const dims = past.dims;
  const length = dims[axis];
  const inner = dims.slice(axis + 1).reduce((n, d) => n * d, 1);
  const outer = dims.slice(0, axis).reduce((n, d) => n * d, 1);
  const data = past.data as Float32Array | Uint16Array;
  const out = data instanceof Float32Array ? new Float32Array(outer * keep * inner) : new Uint16Array(outer * keep * inner);
  for (let o = 0; o < outer; o++) out.set(data.subarray(o * length * inner, (o * length + keep) * inner), o * keep * inner);
  const shape = dims.slice();
  shape[axis] = keep;
  return data instanceof Float32Array
    ? makeTensor('float32', out as Float32Array, shape)
    : makeTensor('float16', out as Uint16Array, shape);
}

/**
 * One sequence stepping through a decoder: the prompt, then tokens appended one or several at a
 * time. Each {@link forward} feeds what the model has not seen (with a KV cache) or everything
 * (without) and gives the logits rows asked for; {@link rollback} takes the last k tokens back,
 * KV cache included. The caller owns the sessions; a graph's signature is read once per session.
 */
export class DecoderRun {
  private readonly plan: DecodePlan;
  private readonly sequence: DecodeSequence;
  private readonly feeds: Record<string, TensorLike>;
  /** A merged decoder is told whether its past is filled: not on the prompt step, from then on. */
  private readonly cacheBranch: TensorLike[];
  private readonly scratch: Float32Array;
  private readonly keepOne: TensorLike | undefined;
  /** The cache, when the graph takes it by position; otherwise each step's presents are the next one's pasts. */
  private readonly positions: PositionCache | undefined;

  constructor(
    private readonly model: DecoderModel,
    promptIds: readonly number[],
  ) {
    const { spec } = model;
    this.plan = decodePlan(model);
    if (promptIds.length > spec.contextLength)
      throw new GenerationError('bad-request', `The prompt has ${promptIds.length} tokens; the model takes ${spec.contextLength}.`);
    this.sequence = new DecodeSequence(promptIds, spec.contextLength, spec.firstPosition, model.makeTensor);
    this.feeds = initialFeeds(model, this.plan.prompt.signature);
    this.keepOne = this.feeds.num_logits_to_keep;
    this.cacheBranch = [model.makeTensor('bool', Uint8Array.of(0), [1]), model.makeTensor('bool', Uint8Array.of(1), [1])];
    this.scratch = new Float32Array(spec.vocabSize);
    const { step } = this.plan;
    this.positions = this.plan.byPosition
      ? new PositionCache(model.makeTensor, step.signature.cache, spec.contextLength, step.file)
      : undefined;
  }

  /** Whether steps after the first reuse the KV cache. */
  get cached(): boolean {
    return this.plan.cached;
  }

  /** Ids in the sequence, prompt included. */
  get length(): number {
    return this.sequence.length;
  }

  /** The sequence fills the model's context. */
  get full(): boolean {
    return this.sequence.full;
  }

  /** Adds a token to the sequence; the next {@link forward} feeds it. */
  append(id: number): void {
    this.sequence.append(id);
  }

  /**
   * The logits row after the whole sequence: runs the model over what it has not seen. The row
   * is the model's output (or a scratch buffer for float16), valid until the next step, and the
   * caller may change it. `generated` only words messages.
   */
  async next(generated = 0): Promise<Float32Array> {
    const graph = this.prepare(1);
    const outputs = await runStep(graph, this.feeds);
    this.carry(outputs);
    return logitsRow(this.model.spec, graph.file, outputs, generated, this.scratch);
  }

  /**
   * The logits rows of the last `rows` positions of the sequence (the row after each of them,
   * oldest first), from one model step. Needs at least `rows` ids the model has not seen, as
   * when a verifier feeds several drafted tokens at once. Each row is its own copy.
   */
  async forward(rows: number, generated = 0): Promise<Float32Array[]> {
    const unseen = this.plan.cached ? this.sequence.unfed : this.sequence.length;
    if (rows < 1 || rows > unseen)
      throw new GenerationError('bad-request', `Logits of ${rows} positions asked for; the step feeds ${unseen}.`);
    const graph = this.prepare(rows);
    const outputs = await runStep(graph, this.feeds);
    this.carry(outputs);
    const out: Float32Array[] = [];
    for (let fromEnd = rows - 1; fromEnd >= 0; fromEnd--) {
      out.push(Float32Array.from(logitsRow(this.model.spec, graph.file, outputs, generated, this.scratch, fromEnd)));
    }
    return out;
  }

  /**
   * Takes the last `k` ids back (at most all but one), with their KV cache positions: the next
   * step gives the logits after the ids that stay.
   */
  rollback(k: number): void {
    this.cut(k, true);
  }

  /**
   * Takes the last `k` ids back and appends `id`: a verifier's step after it accepted some drafts.
   * The cache keeps every id that stays, so the next step feeds only `id`, not the last kept one again.
   */
  replaceTail(k: number, id: number): void {
    this.cut(k, false);
    this.sequence.append(id);
  }

  private cut(k: number, refeedLast: boolean): void {
    if (k <= 0) return;
    if (k >= this.sequence.length) throw new GenerationError('bad-request', `Cannot roll back ${k} of ${this.sequence.length} tokens.`);
    const fedBefore = this.sequence.fed;
    this.sequence.rollback(k, refeedLast);
    const keep = this.sequence.fed;
    if (!this.plan.cached || keep === fedBefore) return;
    if (this.positions) {
      this.positions.truncate(keep);
      this.positions.feed(this.feeds);
      return;
    }
    if (keep === 0) {
      // Back to an empty cache: the prompt graph runs again from the start.
      for (const cache of this.plan.prompt.signature.cache) this.feeds[cache.name] = emptyPast(this.model.makeTensor, cache);
      return;
    }
    for (const cache of this.plan.step.signature.cache) {
      const past = this.feeds[cache.name];
      const axis = cache.emptyShape.lastIndexOf(0);
      if (axis < 0 || past.dims[axis] !== fedBefore) {
        throw new GenerationError(
          'model-invalid',
          `Cannot find the sequence axis of "${cache.name}" to roll it back.`,
          this.plan.step.file,
        );
      }
      this.feeds[cache.name] = slicePast(this.model.makeTensor, past, axis, keep);
    }
  }

  /** Sets the feeds of the next step (the part of the sequence the model has not seen) and picks its graph. */
  private prepare(rows: number): Graph {
    const { plan, sequence, feeds } = this;
    const first = sequence.fed === 0 || !plan.cached;
    const graph = first ? plan.prompt : plan.step;
    sequence.feedInputs(feeds, graph.signature);
    if (graph.signature.hasUseCacheBranch) feeds.use_cache_branch = this.cacheBranch[first ? 0 : 1];
    if (this.keepOne)
      feeds.num_logits_to_keep = rows === 1 ? this.keepOne : this.model.makeTensor('int64', BigInt64Array.of(BigInt(rows)), []);
    return graph;
  }

  /** After a step: its `present.*` outputs become the next step's past (or, by position, are appended to it). */
  private carry(outputs: Record<string, TensorLike>): void {
    if (!this.plan.cached) return;
    if (this.positions) {
      const at = this.sequence.fed;
      this.positions.append(outputs, at, this.sequence.length - at);
      this.positions.feed(this.feeds);
    } else {
      carryKvCache(this.feeds, outputs, this.plan.step.signature);
    }
    this.sequence.markFed();
  }
}

/**
 * Runs the decode loop: each step's logits go through the processors, the sampler picks a
 * token, the criteria decide whether it ends there, the streamer hears it. With
 * `request.speculative`, a step may instead verify prompt-lookup drafts (speculative.ts) and yield
 * several tokens, each judged by the criteria in turn, so the text ends where plain decoding would
 * end it (greedy: the same tokens; sampling: tokens of the same distribution). Keeps no state between requests. Throws a `cancelled`
 * GenerationError when `pipeline.signal` aborts.
 */
export async function decode(model: DecoderModel, request: DecodeRequest, pipeline: DecodePipeline = {}): Promise<DecodeResult> {
  const { spec } = model;
  const run = new DecoderRun(model, request.promptIds);
  const processors = new LogitsProcessorList([
    ...processorsFor(spec.vocabSize, request.sampling, request.promptIds),
    ...(pipeline.processors ?? []),
  ]);
  const sampler = new TokenSampler(spec.vocabSize, request.sampling);
  const pick = (row: Float32Array) => sampler.sample(row);
  const judge = (row: Float32Array, draft: number) => sampler.judge(row, draft);
  const speculator = request.speculative ? new Speculator(request.speculative, request.promptIds) : undefined;
  const out = new DecodeOutput(model, request, pipeline, speculator);
  while (!out.done) {
    throwIfCancelled(pipeline.signal);
    const batch =
      out.tokens.length && speculator ? await speculator.step({ run, processors, pick, judge }, out.room(run.length)) : undefined;
    if (batch) {
      out.emitVerified(batch, run.length - batch.length);
    } else {
      const started = performance.now();
      const row = await run.next(out.tokens.length);
      if (processors.length) processors.process(row);
      const next = pick(row);
      if (out.rejects(next)) break;
      processors.push(next);
      // A prompt that fills the context leaves no room: that token ends it (context-full, below).
      if (!run.full) run.append(next);
      out.emit(next, run.full);
      // The prompt step is not a decode step: only later ones are weighed against speculation.
      if (out.tokens.length > 1) speculator?.notePlain(performance.now() - started);
    }
    if (!out.done && pipeline.yieldBetweenSteps) await pipeline.yieldBetweenSteps();
  }
  return out.result(run.cached);
}

/**
 * The generated tokens and what each one meets once chosen: the criteria that refuse it, the
 * streamer, the criteria that end the text after it, the speculator's lookup; and the timings.
 */
class DecodeOutput {
  readonly tokens: number[] = [];
  done = false;
  private stop: StopReason = 'max-tokens';
  private readonly criteria: StoppingCriterion[];
  private readonly rejecting: StoppingCriterion[];
  /** What the criteria see after each token (one object for the whole loop). */
  private readonly status: DecodeStatus = { generated: 0, sequenceFull: false };
  private readonly started = performance.now();
  private firstAt = 0;
  private lastAt = 0;

  constructor(
    private readonly model: DecoderModel,
    private readonly request: DecodeRequest,
    private readonly pipeline: DecodePipeline,
    private readonly speculator: Speculator | undefined,
  ) {
    this.criteria = [...(pipeline.criteria ?? []), maxTokensCriterion(request.maxTokens), contextFullCriterion];
    // End of text first, then the caller's criteria that refuse a token before it joins.
    this.rejecting = [eosCriterion(model.spec.eosTokenIds), ...this.criteria].filter((c) => c.rejects);
    this.done = request.maxTokens <= 0;
  }

  /**
   * Most drafts a verification may propose now: its last token must still fit the token limit,
   * and the sequence with every draft and that token the context.
   */
  room(sequenceLength: number): number {
    return Math.min(this.request.maxTokens - this.tokens.length - 1, this.model.spec.contextLength - sequenceLength - 1);
  }

  /** Whether a criterion refuses `id` (ending the text before it). */
  rejects(id: number): boolean {
    this.lastAt = performance.now();
    if (this.tokens.length === 0) this.firstAt = this.lastAt;
    let rejected: StopReason | undefined;
    for (const c of this.rejecting) if ((rejected = c.rejects?.(id))) break;
    if (rejected) {
      this.stop = rejected;
      this.done = true;
    }
    return this.done;
  }

  /** `id` joined the sequence (`full`: it filled the context). */
  emit(id: number, full: boolean): void {
    this.tokens.push(id);
    this.speculator?.accept(id);
    this.pipeline.streamer?.put(id, this.tokens.length);
    this.status.generated = this.tokens.length;
    this.status.sequenceFull = full;
    let reason: StopReason | undefined;
    for (const c of this.criteria) if ((reason = c.stopsAfter?.(id, this.status))) break;
    if (reason) {
      this.stop = reason;
      this.done = true;
    }
    if (this.tokens.length >= this.request.maxTokens) this.done = true;
  }

  /** A verification's tokens, one at a time, as plain decoding would have met them; `before`: the sequence's length before the first. */
  emitVerified(batch: readonly number[], before: number): void {
    for (let i = 0; i < batch.length && !this.done; i++) {
      if (this.rejects(batch[i])) break;
      this.emit(batch[i], before + i + 1 >= this.model.spec.contextLength);
    }
  }

  result(usedKvCache: boolean): DecodeResult {
    const { firstAt, lastAt, started, speculator } = this;
    return {
      tokens: this.tokens,
      stop: this.stop,
      ttftMs: firstAt ? firstAt - started : 0,
      decodeMs: lastAt - firstAt,
      usedKvCache,
      ...(speculator ? { draft: { ...speculator.stats } } : {}),
    };
  }
}

/** The first NaN or infinite value of a logits row, if any. */
function firstNonFinite(row: Float32Array): { index: number; value: number } | undefined {
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    // One comparison for the common case: finite values pass, NaN and ±Infinity fall through.
    if (v - v !== 0) return { index: i, value: v };
  }
  return undefined;
}
