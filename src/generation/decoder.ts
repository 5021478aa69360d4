/**
 * The autoregressive decode loop over an ONNX decoder. With past_key_values
 * inputs it feeds the whole prompt once, then one token per step and hands the
 * `present.*` outputs straight back as the next step's past (no copies); a model
 * exported without them recomputes the whole sequence each step.
 *
 * Buffers for ids, mask and positions are allocated once per request and viewed
 * with subarray; logits are read in place (only the last position's row).
 */
import { RuntimeError } from '../runtime/errors';
import type { SamplingOptions } from '../runtime/protocol';
import type { MakeTensor, SessionLike, TensorLike } from './onnxTypes';
import { TokenSampler } from './sampling';
import type { TextModelSpec } from './textModel';

/** What the loop asks of its caller between steps. */
export interface DecodeHooks {
  /**
   * Called with each new token id; return true to stop after it (a stop
   * sequence matched). Not called for an EOS token.
   */
  onToken(id: number): boolean;
  /** Polled before every step. */
  isCancelled(): boolean;
  /** Awaited between steps so the caller's event loop can run. */
  yieldBetweenSteps?(): Promise<void>;
}

/** Why the loop ended. */
export type DecodeStop = 'eos' | 'stop-sequence' | 'max-tokens' | 'context-full' | 'cancelled';

export interface DecodeResult {
  tokens: number[];
  stop: DecodeStop;
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

/** Reads the wiring of a decoder graph, failing with a message that names the file. */
export function decoderSignature(session: SessionLike, spec: TextModelSpec, file: string): DecoderSignature {
  const inputs = new Set(session.inputNames);
  const outputs = new Set(session.outputNames);
  if (!inputs.has('input_ids')) {
    throw new RuntimeError('model-invalid', `${file} has no input "input_ids" (inputs: ${session.inputNames.join(', ')}).`, file);
  }
  if (!outputs.has('logits')) {
    throw new RuntimeError('model-invalid', `${file} has no output "logits" (outputs: ${session.outputNames.join(', ')}).`, file);
  }
  const hasKvCache = inputs.has('past_key_values.0.key');
  if (hasKvCache) {
    for (let i = 0; i < spec.layers; i++) {
      for (const part of ['key', 'value']) {
        if (!inputs.has(`past_key_values.${i}.${part}`)) {
          throw new RuntimeError('model-invalid', `${file} has no input "past_key_values.${i}.${part}" but config.json says ${spec.layers} layers.`, file);
        }
        if (!outputs.has(`present.${i}.${part}`)) {
          throw new RuntimeError('model-invalid', `${file} has no output "present.${i}.${part}" to match its past_key_values inputs.`, file);
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
  /** Prompt ids; must fit the context (the caller truncates). */
  promptIds: readonly number[];
  maxTokens: number;
  sampling: SamplingOptions;
}

/**
 * Runs the decode loop. The caller owns the session; this function keeps no
 * state between requests.
 */
export async function decode(
  session: SessionLike,
  makeTensor: MakeTensor,
  spec: TextModelSpec,
  file: string,
  request: DecodeRequest,
  hooks: DecodeHooks,
): Promise<DecodeResult> {
  const signature = decoderSignature(session, spec, file);
  const capacity = spec.contextLength;
  const promptLength = request.promptIds.length;
  if (promptLength === 0) throw new RuntimeError('bad-request', 'The prompt is empty: there is nothing to continue.');
  if (promptLength > capacity) throw new RuntimeError('bad-request', `The prompt has ${promptLength} tokens; the model takes ${capacity}.`);

  // Every id of the sequence, the attention mask (all ones: no padding) and positions.
  const ids = new BigInt64Array(capacity);
  const mask = new BigInt64Array(capacity).fill(1n);
  const positions = new BigInt64Array(capacity);
  for (let i = 0; i < capacity; i++) positions[i] = BigInt(i);
  for (let i = 0; i < promptLength; i++) ids[i] = BigInt(request.promptIds[i]);
  // One-element buffers for single-token steps (a fresh tensor object, no fresh data).
  const stepId = new BigInt64Array(1);
  const stepPosition = new BigInt64Array(1);

  const seen = new Uint8Array(spec.vocabSize);
  for (const id of request.promptIds) if (id < seen.length) seen[id] = 1;
  const sampler = new TokenSampler(spec.vocabSize, request.sampling);
  const eos = new Set(spec.eosTokenIds);

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

  const tokens: number[] = [];
  const started = performance.now();
  let firstAt = 0;
  let lastAt = 0;
  let length = promptLength;
  let stop: DecodeStop = 'max-tokens';
  // Tokens fed this step: the prompt first, then one at a time (or all, without a cache).
  let fedFrom = 0;

  while (tokens.length < request.maxTokens) {
    if (hooks.isCancelled()) {
      stop = 'cancelled';
      break;
    }
    const fed = length - fedFrom;
    if (fed === 1) {
      stepId[0] = ids[length - 1];
      stepPosition[0] = positions[length - 1];
      feeds.input_ids = makeTensor('int64', stepId, [1, 1]);
      if (signature.hasPositionIds) feeds.position_ids = makeTensor('int64', stepPosition, [1, 1]);
    } else {
      feeds.input_ids = makeTensor('int64', ids.subarray(fedFrom, length), [1, fed]);
      if (signature.hasPositionIds) feeds.position_ids = makeTensor('int64', positions.subarray(fedFrom, length), [1, fed]);
    }
    if (signature.hasAttentionMask) feeds.attention_mask = makeTensor('int64', mask.subarray(0, length), [1, length]);

    let outputs: Record<string, TensorLike>;
    try {
      outputs = await session.run(feeds);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new RuntimeError('inference-failed', `Running ${file} failed: ${detail}`, file, detail);
    }
    const logits = outputs.logits;
    const vocab = logits.dims[logits.dims.length - 1];
    const rows = logits.dims.length === 3 ? logits.dims[1] : 1;
    const data = logits.data as Float32Array;
    if (!(data instanceof Float32Array) || vocab < spec.vocabSize || rows < 1 || data.length < rows * vocab) {
      throw new RuntimeError('model-invalid', `${file} returned logits of type ${logits.type} and shape [${logits.dims.join(', ')}]; expected float32 [batch, sequence, ${spec.vocabSize}].`, file);
    }
    const row = data.subarray((rows - 1) * vocab, (rows - 1) * vocab + spec.vocabSize);
    const bad = firstNonFinite(row);
    if (bad !== undefined) {
      throw new RuntimeError(
        'inference-failed',
        `${file} returned a logit of ${bad.value} (token ${bad.index}) after ${tokens.length} generated tokens; a model that computes NaN or infinite scores cannot be sampled. Check its export (overflow in float16?).`,
        file,
      );
    }
    const next = sampler.sample(row, seen);

    if (signature.hasKvCache) {
      for (let i = 0; i < spec.layers; i++) {
        feeds[`past_key_values.${i}.key`] = outputs[`present.${i}.key`];
        feeds[`past_key_values.${i}.value`] = outputs[`present.${i}.value`];
      }
      fedFrom = length;
    }

    const now = performance.now();
    if (tokens.length === 0) firstAt = now;
    lastAt = now;
    if (eos.has(next)) {
      stop = 'eos';
      break;
    }
    tokens.push(next);
    seen[next] = 1;
    ids[length++] = BigInt(next);
    if (hooks.onToken(next)) {
      stop = 'stop-sequence';
      break;
    }
    if (length >= capacity && tokens.length < request.maxTokens) {
      stop = 'context-full';
      break;
    }
    if (hooks.yieldBetweenSteps) await hooks.yieldBetweenSteps();
  }
  return {
    tokens,
    stop,
    ttftMs: firstAt ? firstAt - started : 0,
    decodeMs: lastAt - firstAt,
    usedKvCache: signature.hasKvCache,
  };
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
