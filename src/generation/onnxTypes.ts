/**
 * The slice of the ONNX Runtime API text and image generation use, as structural types:
 * src/generation stays free of the native addon, and the runtime process and
 * the CLI pass in the real onnxruntime-node objects.
 */

/** A tensor as ONNX Runtime returns it. */
export interface TensorLike {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** Element types the loop creates: float16 data is a Uint16Array of IEEE half bits, bool a Uint8Array of 0/1. */
export type TensorData = BigInt64Array | Float32Array | Uint16Array | Uint8Array;

/** Element type names, as ONNX Runtime spells them. */
export type TensorType = 'int64' | 'float32' | 'float16' | 'bool';

/** Creates a tensor (`(type, data, dims) => new ort.Tensor(type, data, dims)`). */
export type MakeTensor = (type: TensorType, data: TensorData, dims: readonly number[]) => TensorLike;

/** What a session declares about one input or output (onnxruntime-node's `ValueMetadata`). */
export interface ValueMetadataLike {
  readonly name: string;
  readonly isTensor: boolean;
  /** The element type (`float32`, `float16`, `int64`, `bool`…), for tensors. */
  readonly type?: string;
  /** Dims: a number when fixed, a name (`past_sequence_length`) when symbolic. */
  readonly shape?: ReadonlyArray<number | string>;
}

/** An inference session. */
export interface SessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Declared inputs (onnxruntime-node 1.21+); without it, cache inputs are taken to be float32 in the config's shape. */
  readonly inputMetadata?: readonly ValueMetadataLike[];
  /** Runs the graph, computing every output. */
  run(feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>>;
  /** Runs the graph, computing the outputs `fetches` names. */
  run(feeds: Record<string, TensorLike>, fetches: readonly string[]): Promise<Record<string, TensorLike>>;
}
