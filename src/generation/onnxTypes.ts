/**
 * The slice of the ONNX Runtime API the decode loop uses, as structural types:
 * src/generation stays free of the native addon, and the runtime process and
 * the CLI pass in the real onnxruntime-node objects.
 */

/** A tensor as ONNX Runtime returns it. */
export interface TensorLike {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** Element types the loop creates. */
export type TensorData = BigInt64Array | Float32Array;

/** Creates a tensor (`(type, data, dims) => new ort.Tensor(type, data, dims)`). */
export type MakeTensor = (type: 'int64' | 'float32', data: TensorData, dims: readonly number[]) => TensorLike;

/** An inference session. */
export interface SessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, TensorLike>): Promise<Record<string, TensorLike>>;
}
