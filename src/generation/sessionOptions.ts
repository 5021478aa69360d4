/**
 * How Inkwell opens ONNX sessions: the options, the checks on the file before
 * it is opened and the error when ONNX Runtime cannot load it. src/generation
 * does not load the native addon: the runtime process and the CLI pass in
 * their `InferenceSession.create`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GenerationError } from './generationError';
import { checkModelFile, formatBytes, onnxSizeLimit } from './modelFiles';

/**
 * Departures from Inkwell's session options, for measuring them (`npm run bench -- generation`
 * sweeps these); the extension and the CLI open every session with none.
 */
export interface SessionTuning {
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  executionMode?: 'sequential' | 'parallel';
  interOpNumThreads?: number;
  enableCpuMemArena?: boolean;
  enableMemPattern?: boolean;
  /** Intra-op worker threads spin while waiting for work instead of sleeping. */
  allowSpinning?: boolean;
}

/** The session options Inkwell passes to `InferenceSession.create`. */
export interface InkwellSessionOptions {
  intraOpNumThreads: number;
  interOpNumThreads: number;
  executionMode: 'sequential' | 'parallel';
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  enableCpuMemArena: boolean;
  enableMemPattern: boolean;
  extra: { session: { intra_op: { allow_spinning: '0' | '1' } } };
}

/**
 * The ONNX Runtime session options Inkwell creates its sessions with. The defaults are the ones
 * that measured best in the session-option sweep of `npm run bench -- generation` (BENCHMARKS.md).
 */
export function inkwellSessionOptions(threads: number, tuning: SessionTuning = {}): InkwellSessionOptions {
  disableOrtTelemetry();
  return {
    intraOpNumThreads: Math.max(1, Math.floor(threads)),
    // One model step at a time: operators run in order, parallel inside each.
    interOpNumThreads: tuning.interOpNumThreads ?? 1,
    executionMode: tuning.executionMode ?? 'sequential',
    graphOptimizationLevel: tuning.graphOptimizationLevel ?? 'all',
    enableCpuMemArena: tuning.enableCpuMemArena ?? true,
    enableMemPattern: tuning.enableMemPattern ?? true,
    extra: {
      // Worker threads sleep between operators instead of spinning. Spinning wins
      // a little on an idle machine but burns cores the editor needs, and loses
      // badly when the machine is busy (measured: 2 spinning threads on 2 busy
      // cores decoded slower than 2 sleeping ones).
      session: { intra_op: { allow_spinning: tuning.allowSpinning ? '1' : '0' } },
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
export type CreateSession<S> = (file: string, options: InkwellSessionOptions) => Promise<S>;

/**
 * Opens an ONNX graph with Inkwell's session options. Before ONNX Runtime sees
 * the file it must be a regular file (ONNX Runtime would block forever opening
 * a named pipe) and, with its external weights, fit in this machine's memory.
 * Failures are GenerationErrors naming the file.
 */
export async function openOnnxSession<S>(create: CreateSession<S>, file: string, threads: number, tuning?: SessionTuning): Promise<S> {
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
    return await create(file, inkwellSessionOptions(threads, tuning));
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new GenerationError('model-invalid', `ONNX Runtime could not load ${file}: ${detail}`, file, detail);
  }
}

let physicalCores: number | undefined;

/**
 * Physical cores of this machine: on Linux the distinct (package, core) pairs of the online CPUs
 * in /sys, elsewhere (or when /sys cannot be read) the logical CPU count. Decode is bound by
 * memory bandwidth, and two hyper-threads of one core share its load units, so ONNX Runtime gets
 * one thread per physical core. Read once per process.
 */
export function physicalCoreCount(): number {
  physicalCores ??= readPhysicalCores() ?? Math.max(1, os.availableParallelism());
  return physicalCores;
}

function readPhysicalCores(): number | undefined {
  const root = '/sys/devices/system/cpu';
  try {
    const cores = new Set<string>();
    for (const name of fs.readdirSync(root)) {
      if (!/^cpu\d+$/.test(name)) continue;
      const topology = path.join(root, name, 'topology');
      // An offline CPU has no topology folder.
      if (!fs.existsSync(topology)) continue;
      const read = (file: string) => fs.readFileSync(path.join(topology, file), 'utf8').trim();
      cores.add(`${read('physical_package_id')}:${read('core_id')}`);
    }
    return cores.size || undefined;
  } catch {
    return undefined;
  }
}
