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
import { externalDataOf, type OptimizedModelCache } from './optimizedModelCache';

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
  /** ONNX Runtime's per-operator profile of every run, written when the session is released to a JSON file whose path starts with this. */
  profileFilePrefix?: string;
  /** false: open graphs as they are, without the rewrite the opener asks for (OpenSessionOptions.rewrite). */
  rewrite?: boolean;
}

/** The session options Inkwell passes to `InferenceSession.create`. */
export interface InkwellSessionOptions {
  intraOpNumThreads: number;
  interOpNumThreads: number;
  executionMode: 'sequential' | 'parallel';
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  enableCpuMemArena: boolean;
  enableMemPattern: boolean;
  /** Where ONNX Runtime writes the optimized graph (OptimizedModelCache). */
  optimizedModelFilePath?: string;
  /** ONNX Runtime's log level for this session (3: errors only). */
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  enableProfiling?: boolean;
  profileFilePrefix?: string;
  extra: { session: { intra_op: { allow_spinning: '0' | '1' } } & Record<string, unknown> };
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
    ...(tuning.profileFilePrefix ? { enableProfiling: true, profileFilePrefix: tuning.profileFilePrefix } : {}),
    extra: {
      // Worker threads sleep between operators instead of spinning. Spinning wins
      // on an idle machine (1.05-1.75x) but burns cores the editor needs, and
      // loses a quarter to a third of the speed beside one busy process (0.62-0.95x;
      // BENCHMARKS.md, "Worker threads that spin"); it is fixed when the session
      // is made, and a loaded model outlives the machine's load of the moment.
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

/** `InferenceSession.create` of onnxruntime-node, or anything shaped like it: from a file, or from a model's bytes. */
export type CreateSession<S> = (source: string | Uint8Array, options: InkwellSessionOptions) => Promise<S>;

/** onnxruntime-node's `InferenceSession.create` (both of its forms) as a {@link CreateSession}. */
export function sessionCreator<S>(api: {
  create(file: string, options: InkwellSessionOptions): Promise<S>;
  create(bytes: Uint8Array, options: InkwellSessionOptions): Promise<S>;
}): CreateSession<S> {
  return (source, options) => (typeof source === 'string' ? api.create(source, options) : api.create(source, options));
}

/** A change made to a graph's bytes before ONNX Runtime opens it (cacheByPosition.ts). */
export interface GraphRewrite {
  /** Names the rewrite in the optimized-model cache's key, so rewritten and plain graphs never share an entry. */
  key: string;
  /** The rewritten model, or undefined where the rewrite does not apply. */
  apply(model: Uint8Array): Uint8Array | undefined;
}

/**
 * Largest graph file rewritten: the rewrite holds the file (without its external weights) and its
 * rewritten copy in memory while ONNX Runtime makes its own, so a graph file past a quarter of what
 * this machine may load opens as it is.
 */
function rewriteLimit(): number {
  return Math.min(2 ** 30, onnxSizeLimit() / 4);
}

export interface OpenSessionOptions {
  tuning?: SessionTuning;
  /**
   * Rewrites the graph before ONNX Runtime opens it, when the graph file (its external weights not
   * counted) is small enough ({@link rewriteLimit}); a rewritten graph ONNX Runtime refuses is opened
   * as it is.
   */
  rewrite?: GraphRewrite;
  /** Opens a cached optimized graph when there is one, and saves one when there is not. */
  cache?: OptimizedModelCache;
  /** Hears which way the cache served `file`: opened from it, or saved into it. */
  onCache?(event: 'opened' | 'saved', file: string): void;
}

/**
 * Opens an ONNX graph with Inkwell's session options. Before ONNX Runtime sees
 * the file it must be a regular file (ONNX Runtime would block forever opening
 * a named pipe) and, with its external weights, fit in this machine's memory.
 * Failures are GenerationErrors naming the file.
 *
 * With a cache (and the default optimization level), the graph ONNX Runtime optimized
 * last time is opened instead, with optimization off; a cache that fails in any way
 * falls back to opening the file itself.
 */
export async function openOnnxSession<S>(
  create: CreateSession<S>,
  file: string,
  threads: number,
  open: OpenSessionOptions = {},
): Promise<S> {
  if (!fs.existsSync(file)) throw new GenerationError('model-not-found', `Model file not found: ${file}`, file);
  const graphBytes = checkModelFile(file, onnxSizeLimit());
  let bytes = graphBytes;
  for (const external of externalDataOf(file)) bytes += checkModelFile(external, onnxSizeLimit());
  if (bytes > onnxSizeLimit()) {
    throw new GenerationError(
      'model-invalid',
      `${file} and its weights are ${formatBytes(bytes)}, more than this machine's memory (${formatBytes(onnxSizeLimit())}).`,
      file,
    );
  }
  const options = inkwellSessionOptions(threads, open.tuning);
  // The rewrite reads the graph file alone into memory: external weights stay in their files.
  const rewrite = open.rewrite && open.tuning?.rewrite !== false && graphBytes <= rewriteLimit() ? open.rewrite : undefined;
  const source = new GraphSource(file, rewrite);
  const cached = open.cache && options.graphOptimizationLevel === 'all' ? await openCached(create, source, options, open.cache) : undefined;
  if (cached) {
    open.onCache?.(cached.event, file);
    return cached.session;
  }
  try {
    return await source.open(create, options);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new GenerationError('model-invalid', `ONNX Runtime could not load ${file}: ${detail}`, file, detail);
  }
}

/** What ONNX Runtime opens for a file: the file itself, or its rewritten bytes (made once, on first use). */
class GraphSource {
  private rewritten: Uint8Array | undefined | null = null;

  constructor(
    readonly file: string,
    readonly rewrite: GraphRewrite | undefined,
  ) {}

  /** The rewritten graph, or undefined where there is no rewrite, it does not apply, or it failed (the file then opens as it is). */
  bytes(): Uint8Array | undefined {
    if (this.rewritten === null) {
      try {
        this.rewritten = this.rewrite?.apply(fs.readFileSync(this.file));
      } catch {
        this.rewritten = undefined;
      }
    }
    return this.rewritten;
  }

  /** Opens the rewritten graph, or the file where there is none or ONNX Runtime refuses it. */
  async open<S>(create: CreateSession<S>, options: InkwellSessionOptions): Promise<S> {
    const bytes = this.bytes();
    if (bytes) {
      try {
        return await create(bytes, this.fromMemory(options));
      } catch {
        // The file as it is says what is wrong, if anything is.
      }
    }
    return create(this.file, options);
  }

  /**
   * `options` for opening the rewritten bytes: a graph opened from memory finds its external
   * weights (`model.onnx_data`, …) in the file's folder only when told where that is.
   */
  fromMemory(options: InkwellSessionOptions): InkwellSessionOptions {
    const folder = { model_external_initializers_file_folder_path: path.dirname(this.file) };
    return { ...options, extra: { ...options.extra, session: { ...options.extra.session, ...folder } } };
  }
}

/** The session from the cache's optimized graph, or from the source while saving one; undefined: open the source plainly. */
async function openCached<S>(
  create: CreateSession<S>,
  source: GraphSource,
  options: InkwellSessionOptions,
  cache: OptimizedModelCache,
): Promise<{ session: S; event: 'opened' | 'saved' } | undefined> {
  const { file } = source;
  const variant = source.rewrite?.key;
  let found = await cache.lookup(file, variant).catch(() => undefined);
  if (found && 'hit' in found) {
    try {
      // Errors only: a copy ONNX Runtime cannot open says so in many warnings, and is replaced below.
      return {
        session: await create(found.hit.file, { ...options, graphOptimizationLevel: 'disabled', logSeverityLevel: 3 }),
        event: 'opened',
      };
    } catch {
      // A damaged entry (or one ONNX Runtime no longer reads): drop it and save a fresh one.
      found.hit.discard();
      found = await cache.lookup(file, variant).catch(() => undefined);
    }
  }
  if (!found || 'hit' in found) return undefined;
  const { save } = found;
  try {
    const bytes = source.bytes();
    const base = bytes ? source.fromMemory(options) : options;
    const session = await create(bytes ?? file, {
      ...base,
      // ONNX Runtime warns, at each save, that the graph is for this processor: the cache's key says so already.
      logSeverityLevel: 3,
      optimizedModelFilePath: save.file,
      extra: { session: { ...base.extra.session, ...save.sessionConfig } },
    });
    save.commit();
    return { session, event: 'saved' };
  } catch {
    // Not necessarily the cache's fault: opening the file plainly says what is wrong with it.
    save.abandon();
    return undefined;
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
