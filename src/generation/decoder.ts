/**
 * The autoregressive decode loop over an ONNX decoder. With past_key_values
 * inputs it feeds the whole prompt once, then one token per step and hands the
 * `present.*` outputs straight back as the next step's past (no copies); a model
 * exported without them recomputes the whole sequence each step.
 *
 * Buffers for ids, mask and positions are allocated once per request and viewed
 * with subarray; logits are read in place (only the last position's row).
 */
import { GenerationError, throwIfCancelled } from './errors';
import type { MakeTensor, SessionLike, TensorLike } from './onnxTypes';
import { TokenSampler } from './sampling';
import type { SamplingOptions, StopReason } from './textRequest';
import type { TextModelSpec } from './textModel';

/** What the loop asks of its caller between steps. */
export interface DecodeHooks {
  /**
   * Called with each new token id; returns why to stop after it (a stop
   * sequence matched, a sentence ended), or undefined to go on. Not called for an EOS token.
   */
  onToken(id: number): StopReason | undefined;
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
}

/** How the graph is wired, read from its input and output names. */
export interface DecoderSignature {
  hasKvCache: boolean;
  hasAttentionMask: boolean;
  hasPositionIds: boolean;
  /**
   * The graph takes a scalar `num_logits_to_keep` (transformers.js convention):
   * fed 1, the prompt step projects only its last position onto the vocabulary.
   */
  hasLogitsToKeep: boolean;
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

function readDecoderSignature(session: SessionLike, spec: TextModelSpec, file: string): DecoderSignature {
  const inputs = new Set(session.inputNames);
  const outputs = new Set(session.outputNames);
  if (!inputs.has('input_ids')) {
    throw new GenerationError('model-invalid', `${file} has no input "input_ids" (inputs: ${session.inputNames.join(', ')}).`, file);
  }
  if (!outputs.has('logits')) {
    throw new GenerationError('model-invalid', `${file} has no output "logits" (outputs: ${session.outputNames.join(', ')}).`, file);
  }
  const hasKvCache = inputs.has('past_key_values.0.key');
  if (hasKvCache) {
    for (let i = 0; i < spec.layers; i++) {
      for (const part of ['key', 'value']) {
        if (!inputs.has(`past_key_values.${i}.${part}`)) {
          throw new GenerationError('model-invalid', `${file} has no input "past_key_values.${i}.${part}" but config.json says ${spec.layers} layers.`, file);
        }
        if (!outputs.has(`present.${i}.${part}`)) {
          throw new GenerationError('model-invalid', `${file} has no output "present.${i}.${part}" to match its past_key_values inputs.`, file);
        }
      }
    }
  }
  return {
    hasKvCache,
    hasAttentionMask: inputs.has('attention_mask'),
    hasPositionIds: inputs.has('position_ids'),
    hasLogitsToKeep: inputs.has('num_logits_to_keep'),
  };
}

export interface DecodeRequest {
  /** Prompt ids: at least one, and no more than the context takes (the caller truncates). */
  promptIds: readonly number[];
  maxTokens: number;
  sampling: SamplingOptions;
}

/** A loaded decoder as the loop needs it. */
export interface DecoderModel {
  session: SessionLike;
  makeTensor: MakeTensor;
  spec: TextModelSpec;
  /** The ONNX file, for messages. */
  file: string;
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
    private readonly signature: DecoderSignature,
    private readonly makeTensor: MakeTensor,
  ) {
    this.ids = new BigInt64Array(capacity);
    this.mask = new BigInt64Array(capacity).fill(1n);
    this.positions = new BigInt64Array(capacity);
    for (let i = 0; i < capacity; i++) this.positions[i] = BigInt(i);
    for (let i = 0; i < promptIds.length; i++) this.ids[i] = BigInt(promptIds[i]);
    this.length = promptIds.length;
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  /** Sets `input_ids` (and `position_ids`, `attention_mask`) to what the next step feeds. */
  feedInputs(feeds: Record<string, TensorLike>): void {
    const { signature, makeTensor, length } = this;
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

  /** The model has seen the whole sequence (its KV cache holds it). */
  markFed(): void {
    this.fedFrom = this.length;
  }

  append(id: number): void {
    this.ids[this.length++] = BigInt(id);
  }
}

/** The feeds that stay the same for a whole request: the logits selector and an empty KV cache. */
function initialFeeds(model: DecoderModel, signature: DecoderSignature): Record<string, TensorLike> {
  const { makeTensor, spec } = model;
  const feeds: Record<string, TensorLike> = {};
  // Only the last position's logits are ever read.
  if (signature.hasLogitsToKeep) feeds.num_logits_to_keep = makeTensor('int64', BigInt64Array.of(1n), []);
  if (signature.hasKvCache) {
    const empty = new Float32Array(0);
    for (let i = 0; i < spec.layers; i++) {
      feeds[`past_key_values.${i}.key`] = makeTensor('float32', empty, [1, spec.kvHeads, 0, spec.headDim]);
      feeds[`past_key_values.${i}.value`] = makeTensor('float32', empty, [1, spec.kvHeads, 0, spec.headDim]);
    }
  }
  return feeds;
}

/** Hands this step's `present.*` outputs to the next step as its past. */
function carryKvCache(feeds: Record<string, TensorLike>, outputs: Record<string, TensorLike>, layers: number): void {
  for (let i = 0; i < layers; i++) {
    feeds[`past_key_values.${i}.key`] = outputs[`present.${i}.key`];
    feeds[`past_key_values.${i}.value`] = outputs[`present.${i}.value`];
  }
}

/** Runs one model step, as an `inference-failed` error naming the file when ONNX Runtime throws. */
async function runStep(model: DecoderModel, feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>> {
  try {
    return await model.session.run(feeds);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new GenerationError('inference-failed', `Running ${model.file} failed: ${detail}`, model.file, detail);
  }
}

/**
 * The logits row of the last position, checked: float32 of at least the
 * vocabulary's size, every value finite. A view into the output, not a copy.
 */
function lastLogitsRow(model: DecoderModel, outputs: Record<string, TensorLike>, generated: number): Float32Array {
  const { spec, file } = model;
  const logits = outputs.logits;
  const vocab = logits.dims[logits.dims.length - 1];
  const rows = logits.dims.length === 3 ? logits.dims[1] : 1;
  const data = logits.data as Float32Array;
  if (!(data instanceof Float32Array) || vocab < spec.vocabSize || rows < 1 || data.length < rows * vocab) {
    throw new GenerationError('model-invalid', `${file} returned logits of type ${logits.type} and shape [${logits.dims.join(', ')}]; expected float32 [batch, sequence, ${spec.vocabSize}].`, file);
  }
  const row = data.subarray((rows - 1) * vocab, (rows - 1) * vocab + spec.vocabSize);
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
 * Runs the decode loop. The caller owns the session; this function keeps no
 * state between requests (the graph's signature is read once per session).
 * Throws a `cancelled` GenerationError when `hooks.signal` aborts.
 */
export async function decode(model: DecoderModel, request: DecodeRequest, hooks: DecodeHooks): Promise<DecodeResult> {
  const { spec } = model;
  const signature = decoderSignature(model.session, spec, model.file);
  const promptLength = request.promptIds.length;
  if (promptLength > spec.contextLength) throw new GenerationError('bad-request', `The prompt has ${promptLength} tokens; the model takes ${spec.contextLength}.`);

  const sequence = new DecodeSequence(request.promptIds, spec.contextLength, signature, model.makeTensor);
  const seen = new Uint8Array(spec.vocabSize);
  for (const id of request.promptIds) if (id < seen.length) seen[id] = 1;
  const sampler = new TokenSampler(spec.vocabSize, request.sampling);
  const eos = new Set(spec.eosTokenIds);
  const feeds = initialFeeds(model, signature);

  const tokens: number[] = [];
  const started = performance.now();
  let firstAt = 0;
  let lastAt = 0;
  let stop: StopReason = 'max-tokens';
  while (tokens.length < request.maxTokens) {
    throwIfCancelled(hooks.signal);
    sequence.feedInputs(feeds);
    const outputs = await runStep(model, feeds);
    const next = sampler.sample(lastLogitsRow(model, outputs, tokens.length), seen);
    if (signature.hasKvCache) {
      carryKvCache(feeds, outputs, spec.layers);
      sequence.markFed();
    }
    lastAt = performance.now();
    if (tokens.length === 0) firstAt = lastAt;
    if (eos.has(next)) {
      stop = 'eos';
      break;
    }
    tokens.push(next);
    seen[next] = 1;
    sequence.append(next);
    const reason = hooks.onToken(next);
    if (reason) {
      stop = reason;
      break;
    }
    if (sequence.full && tokens.length < request.maxTokens) {
      stop = 'context-full';
      break;
    }
    if (hooks.yieldBetweenSteps) await hooks.yieldBetweenSteps();
  }
  return { tokens, stop, ttftMs: firstAt ? firstAt - started : 0, decodeMs: lastAt - firstAt, usedKvCache: signature.hasKvCache };
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
