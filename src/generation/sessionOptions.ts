/**
 * How Inkwell opens ONNX sessions: the options, the checks on the file before
 * it is opened and the error when ONNX Runtime cannot load it. src/generation
 * does not load the native addon: the runtime process and the CLI pass in
 * their `InferenceSession.create`.
 */
import * as fs from 'fs';
import { GenerationError } from './generationError';
import { checkModelFile, formatBytes, onnxSizeLimit } from './modelFiles';

/** The ONNX Runtime session options Inkwell creates its sessions with, as a plain object. */
export function inkwellSessionOptions(threads: number) {
  disableOrtTelemetry();
  return {
    intraOpNumThreads: Math.max(1, Math.floor(threads)),
    // One model step at a time: operators run in order, parallel inside each.
    interOpNumThreads: 1,
    executionMode: 'sequential' as const,
    graphOptimizationLevel: 'all' as const,
    extra: {
      // Worker threads sleep between operators instead of spinning. Spinning wins
      // a little on an idle machine but burns cores the editor needs, and loses
      // badly when the machine is busy (measured: 2 spinning threads on 2 busy
      // cores decoded slower than 2 sleeping ones).
      session: { intra_op: { allow_spinning: '0' } },
    },
  };
}

/**
 * Turns off onnxruntime-node's telemetry for this process. Since 1.29 the Linux
 * and macOS builds start a telemetry uploader with the first session: it may
 * send events over the network, keeps a device id and an event cache under
 * ~/.cache/Microsoft, and leaves an empty /tmp/mat-debug-<pid>.log behind.
 * ONNX Runtime reads the variable when it creates its environment (with the
 * first session), so setting it before that is enough. Inkwell promises no
 * network calls; a user who sets the variable themselves keeps their value.
 */
export function disableOrtTelemetry(): void {
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
}

/** `InferenceSession.create` of onnxruntime-node, or anything shaped like it. */
export type CreateSession<S> = (file: string, options: ReturnType<typeof inkwellSessionOptions>) => Promise<S>;

/**
 * Opens an ONNX graph with Inkwell's session options. Before ONNX Runtime sees
 * the file it must be a regular file (ONNX Runtime would block forever opening
 * a named pipe) and, with its external weights, fit in this machine's memory.
 * Failures are GenerationErrors naming the file.
 */
export async function openOnnxSession<S>(create: CreateSession<S>, file: string, threads: number): Promise<S> {
  if (!fs.existsSync(file)) throw new GenerationError('model-not-found', `Model file not found: ${file}`, file);
  let bytes = checkModelFile(file, onnxSizeLimit());
  for (const external of [`${file}_data`, `${file}.data`]) {
    if (fs.existsSync(external)) bytes += checkModelFile(external, onnxSizeLimit());
  }
  if (bytes > onnxSizeLimit()) {
    throw new GenerationError(
      'model-invalid',
      `${file} and its weights are ${formatBytes(bytes)}, more than this machine's memory (${formatBytes(onnxSizeLimit())}).`,
      file,
    );
  }
  try {
    return await create(file, inkwellSessionOptions(threads));
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new GenerationError('model-invalid', `ONNX Runtime could not load ${file}: ${detail}`, file, detail);
  }
}
