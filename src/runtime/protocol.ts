/**
 * The typed protocol between the extension host and the model runtime process.
 *
 * Types only: both sides import this file, so it must not pull in Node, vscode
 * or onnxruntime-node. Every method is declared once in {@link RuntimeMethods};
 * the message unions, the client's `request` signature and the process's
 * handler table are all derived from that map, so adding a method means adding
 * one entry here and one handler under `process/handlers/`.
 *
 * The generation layer (src/generation) owns the shapes of generation
 * requests and results; this file adds the model path and the process's
 * concerns, and never the other way round.
 *
 * Cancellation: a caller cancels with an AbortSignal; the client sends
 * `{ type: 'cancel' }` and the process aborts the request's own signal, which
 * generation checks between model steps. **A cancelled request always rejects
 * with a `cancelled` RuntimeError**, whatever its method and wherever it was
 * (waiting in the client, queued in the process, mid-decode, between image
 * batches, or finished with its result still on the way). Chunks streamed
 * before the cancel were delivered and stay the caller's; none is delivered
 * after it, and no partial result is returned. The one exception is a process
 * that does not give the request up within the cancel deadline: it is killed
 * and the request rejects with `timed-out`, which says so.
 */

import type { GenerationErrorCode } from '../generation/generationError';
import type { ChatGenerationParams } from '../generation/generate';
import type { ImageProvenance } from '../generation/image/provenance';
import type {
  SamplingOptions,
  StopReason,
  TextGenerationChunk,
  TextGenerationParams,
  TextGenerationResult,
} from '../generation/textRequest';
import type { TextModelSpec } from '../generation/textModel';

export type { SamplingOptions, StopReason };

// ---------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------

/** Options the host sends to the process on start and whenever settings change. */
export interface RuntimeOptions {
  /** Threads ONNX Runtime may use inside one operator (`intraOpNumThreads`); at least 1. */
  threads: number;
  /** Where the graphs ONNX Runtime optimizes are kept for faster loads (generation/optimizedModelCache.ts); absent: nowhere. */
  modelCache?: { dir: string; maxBytes: number };
}

/** Why a request failed. Host code switches on this, never on message text. */
export type RuntimeErrorCode =
  /**
   * The generation layer's codes: `cancelled` (the caller cancelled before the
   * request finished), `model-not-found`, `model-invalid`, `inference-failed`,
   * `bad-request` (the parameters were rejected before any work started).
   */
  | GenerationErrorCode
  /** The runtime process exited (crashed or was killed) while the request was in flight. */
  | 'process-exited'
  /** The runtime process could not be started. */
  | 'process-start-failed'
  /**
   * The process stopped answering (a deadline passed, or it ignored a cancel):
   * the host killed it; the next request starts a fresh one.
   */
  | 'timed-out'
  /** The process used more memory than `inkwell.runtime.maxMemoryMB` allows: the host killed it. */
  | 'out-of-memory'
  /** The process does not know the method (host and process bundles out of sync). */
  | 'unknown-method'
  /** Anything else: a bug. */
  | 'internal';

/**
 * What the process is doing for the request it is working on, reported as it
 * moves on so the host can time each step: `load` (reading model files and
 * creating ONNX sessions), `run` (a model run before any result: the first
 * token, an image batch, a test inference) and `token` (each further token).
 */
export type RuntimeStep = 'load' | 'run' | 'token';

/** A failure as it crosses the process boundary. */
export interface RuntimeErrorInfo {
  code: RuntimeErrorCode;
  /** A sentence for the user: says what failed and, where possible, what to do. */
  message: string;
  /** The file the problem is about, when there is one (a model file, a config). */
  file?: string;
  /** Technical detail for the log (a native error message, a stack). */
  detail?: string;
}

// ---------------------------------------------------------------------------
// Text generation
// ---------------------------------------------------------------------------

/** Parameters of `text.generate`: a generation request and the model that serves it. */
export interface TextGenerateParams extends TextGenerationParams {
  /** Absolute path of the model folder (resolved on the host side). */
  model: string;
  /** Which ONNX variant to load (`inkwell.models.dtype`): `auto` (the default) or a transformers.js dtype name. */
  dtype?: string;
  /**
   * Absolute path of a smaller model with the same tokenizer that drafts for `speculative`
   * `draft` or `auto` (its variant: `auto`); a different tokenizer fails the request (`bad-request`).
   */
  draftModel?: string;
}

/** Parameters of `text.chat`: a conversation, answered with the model folder's own chat template. */
export interface TextChatParams extends ChatGenerationParams {
  /** Absolute path of the model folder (resolved on the host side). */
  model: string;
  /** Which ONNX variant to load, as in {@link TextGenerateParams}. */
  dtype?: string;
  /** A draft model, as in {@link TextGenerateParams}. */
  draftModel?: string;
}

/** One streamed piece of a `text.generate` request. */
export type TextGenerateChunk = TextGenerationChunk;

/** Result of `text.generate`. */
export type TextGenerateResult = TextGenerationResult;

/** Parameters of `model.check` and `model.unload`. */
export interface ModelRef {
  /** Absolute path of the model folder. */
  model: string;
  /** `model.check` of a text model: the ONNX variant to load, as in {@link TextGenerateParams}. */
  dtype?: string;
}

/** What `text.preload` did. */
export interface TextPreloadResult {
  /** Milliseconds spent loading (0: the model was loaded already). */
  loadMs: number;
  /** The graph files now loaded. */
  files: string[];
}

/** One input or output of an ONNX graph, as the check reports it. */
export interface TensorSignature {
  name: string;
  /** Element type, e.g. `float32`, `int64`. */
  type: string;
  /** Dimensions: numbers, or names for symbolic ones. */
  shape: Array<number | string>;
}

/** What `model.check` found for a text model. */
export interface TextModelCheck extends Omit<TextModelSpec, 'eosTokenIds' | 'prefixIds' | 'fusedKeyValue' | 'firstPosition'> {
  kind: 'text';
  model: string;
  hasKvCache: boolean;
  /**
   * The graph runs with its KV cache taken and given back by position (generation/cacheByPosition.ts):
   * `inputs` and `outputs` are then the rewritten graph's, `past_key_values.N.*.by_position` and `present.N.*.new`.
   */
  cacheByPosition: boolean;
  /** The graph(s) loaded, relative to the folder (`onnx/model_q4.onnx`, or a decoder + decoder-with-past pair). */
  file: string;
  /** The ONNX variant loaded, by transformers.js's name. */
  dtype: string;
  /** Why that file: auto's choice, an older layout, what else the folder has. */
  note: string;
  /** Ids put before every prompt, and the ids that end a generation (with the file that named them). */
  prefixIds: number[];
  eosTokenIds: number[];
  eosSource: string;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  /** The test inference: a short greedy continuation of a fixed prompt. */
  sample: { prompt: string; text: string; tokens: number[]; ms: number };
  /** Size of the graph(s) loaded, with their external data, in bytes. */
  bytes: number;
}

/**
 * The result of `model.check`, a union over model kinds so that image models
 * add their own member (`{ kind: 'image'; ... }`) without changing callers that
 * switch on `kind`.
 */
export type ModelCheckResult = TextModelCheck | ImageModelCheck;

/** Facts about the running process, for the status bar, the log and tests. */
export interface RuntimeInfo {
  pid: number;
  onnxruntimeVersion: string;
  threads: number;
  /** Model folders with a loaded session. */
  loadedModels: string[];
  /** Resident memory of the process, bytes. */
  rssBytes: number;
}

// ---------------------------------------------------------------------------
// Images (GAN and VAE)
// ---------------------------------------------------------------------------

/** How candidates are turned into PNG files: side in pixels and scaling. */
export interface ImageRenderParams {
  /** Side in pixels of each PNG (the model output is scaled to it); 0 keeps the model's own size (gallery thumbnails). */
  size: number;
  upscale: 'nearest' | 'smooth';
}

/** Parameters of `image.generate`: one candidate per seed. */
export interface ImageGenerateParams extends ImageRenderParams {
  /** Absolute path of the model folder (resolved on the host side). */
  model: string;
  /** One candidate per seed; the same seed gives the same PNG bytes. */
  seeds: number[];
  /** Class label for a conditional model; omitted: derived from each seed. */
  label?: number;
}

/**
 * What a variation or blend starts from: a latent (from provenance), the seed
 * of a sampled image (its latent is recomputed), or PNG bytes to encode (needs
 * a VAE encoder).
 */
export type ImageSource = { latent: number[]; seed?: number } | { seed: number; label?: number } | { pngBase64: string };

/** Parameters of `image.variations`: the source's latent plus seeded noise, one per seed. */
export interface ImageVariationsParams extends ImageRenderParams {
  model: string;
  source: ImageSource;
  seeds: number[];
  /** Scale of the noise added to the latent (0.3-0.8 keeps the likeness). */
  strength: number;
  label?: number;
}

/** Parameters of `image.blend`: `count` images between two sources. */
export interface ImageBlendParams extends ImageRenderParams {
  model: string;
  a: ImageSource;
  b: ImageSource;
  count: number;
}

/** Parameters of `image.render`: one image again, from its provenance, at any size. */
export interface ImageRerenderParams extends ImageRenderParams {
  model: string;
  provenance: ImageProvenance;
}

/** One generated image. */
export interface ImageCandidate {
  seed: number;
  label?: number;
  /** Blend weight of the second parent, for blends. */
  t?: number;
  /** The PNG (display size, provenance chunk included), base64. */
  pngBase64: string;
  width: number;
  height: number;
  /** The provenance written into the PNG, for the host's bookkeeping. */
  provenance: ImageProvenance;
}

/** Result of every image method. */
export interface ImageBatchResult {
  /** The model folder that ran. */
  model: string;
  /** The model's name (folder name), as recorded in provenance. */
  modelName: string;
  displayName: string;
  modelKind: 'gan' | 'vae';
  /** Whether the model can encode images (variations of any PNG, blends). */
  canEncode: boolean;
  /** Classes of a conditional model. */
  classes?: number;
  candidates: ImageCandidate[];
  /** Milliseconds for generation and encoding (model already loaded). */
  ms: number;
  /** Milliseconds spent loading the model in this request (0 when cached). */
  loadMs: number;
}

/** What `model.check` found for a GAN or VAE. */
export interface ImageModelCheck {
  kind: 'image';
  model: string;
  modelKind: 'gan' | 'vae';
  displayName: string;
  license: string;
  imageSize: number;
  /** Values in one latent. */
  latentSize: number;
  classes?: number;
  /** Whether the VAE has an encoder (variations and blends of any image). */
  canEncode: boolean;
  /** Signature of the generator (GAN) or decoder (VAE). */
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  /** Signature of the VAE encoder, when there is one. */
  encoder?: { inputs: TensorSignature[]; outputs: TensorSignature[] };
  /** The test inference: one image from a fixed seed. */
  sample: { seed: number; width: number; height: number; ms: number; meanBrightness: number };
  /** Size of the model's ONNX files in bytes. */
  bytes: number;
}

// ---------------------------------------------------------------------------
// The method map
// ---------------------------------------------------------------------------

/** No parameters. */
export type NoParams = Record<string, never>;

/**
 * Every method the runtime process serves: its parameters, its result and the
 * type of the chunks it streams (`never` when it streams nothing).
 * Image generation adds its entries here (`'image.generate'`, ...).
 */
export interface RuntimeMethods {
  'text.generate': { params: TextGenerateParams; result: TextGenerateResult; stream: TextGenerateChunk };
  'text.chat': { params: TextChatParams; result: TextGenerateResult; stream: TextGenerateChunk };
  /** Loads a text model (as `text.generate` would) without running it, so that the next request starts at once. */
  'text.preload': { params: ModelRef; result: TextPreloadResult; stream: never };
  'model.check': { params: ModelRef; result: ModelCheckResult; stream: never };
  'model.unload': { params: ModelRef; result: { unloaded: boolean }; stream: never };
  'runtime.info': { params: NoParams; result: RuntimeInfo; stream: never };
  'image.generate': { params: ImageGenerateParams; result: ImageBatchResult; stream: never };
  'image.variations': { params: ImageVariationsParams; result: ImageBatchResult; stream: never };
  'image.blend': { params: ImageBlendParams; result: ImageBatchResult; stream: never };
  'image.render': { params: ImageRerenderParams; result: ImageBatchResult; stream: never };
}

export type MethodName = keyof RuntimeMethods;
export type ParamsOf<M extends MethodName> = RuntimeMethods[M]['params'];
export type ResultOf<M extends MethodName> = RuntimeMethods[M]['result'];
export type StreamOf<M extends MethodName> = RuntimeMethods[M]['stream'];

// ---------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------

/** A request, typed by method. */
export type RequestMessage = {
  [M in MethodName]: { type: 'request'; id: number; method: M; params: ParamsOf<M> };
}[MethodName];

/** Host -> process. */
export type HostMessage =
  | RequestMessage
  /** Stop the request with this id; the process checks between model steps. */
  | { type: 'cancel'; id: number }
  /** New options; the process drops sessions whose options changed. */
  | { type: 'configure'; options: RuntimeOptions };

/** Process -> host. Every message after `ready` answers or streams for one request id. */
export type ProcessMessage =
  /** Sent once the process has loaded onnxruntime-node and can take requests. */
  | { type: 'ready'; pid: number; onnxruntimeVersion: string }
  /** The request `id` started (first `load`) or made progress; the host restarts that step's deadline. */
  | { type: 'step'; id: number; step: RuntimeStep }
  | { type: 'stream'; id: number; chunk: unknown }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: RuntimeErrorInfo }
  /** A line for the host's log. */
  | { type: 'log'; level: 'trace' | 'info' | 'warn' | 'error'; message: string };
