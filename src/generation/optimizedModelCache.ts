/**
 * A disk cache of the graphs ONNX Runtime's optimizer makes, so that a model loads fast the second
 * time. Opening a model at the "all" optimization level spends most of its time rewriting the
 * graph (fusing attention, layer norms and MatMuls, folding constants) and copying weights out of
 * the protobuf file. ONNX Runtime can save the optimized graph with its weights in a separate file,
 * which it then maps into memory: opening that copy with optimization off skips both
 * (distilgpt2-shaped fp32, 2 cores: 2.5–3.3 s → 0.7 s; BENCHMARKS.md).
 *
 * An entry is keyed by the model's content (SHA-256 of the graph and its external data, so a model
 * moved or copied keeps its entry and a model replaced in place gets a new one) and by what the
 * optimized graph depends on: ONNX Runtime's version, the processor (the "all" level may use
 * processor-specific layouts) and this file's format. Hashing a file costs about as much as
 * reading it (0.45 s for 328 MB), so the hash is remembered by the file's path and stat
 * (device, inode, size, modification time) in the cache's index.
 *
 * The cache is bounded: after a save, the least recently used entries go until the total fits
 * `maxBytes`; a model whose copy could not fit (or would leave the disk nearly full) is not saved.
 * Entries are written to a temporary folder and renamed into place, so a crash or a second process
 * never leaves a half-written entry that looks whole. Anything unreadable is treated as a miss.
 *
 * Merged decoders (an `If` node choosing between two subgraphs) are saved with their weights inside
 * the graph: ONNX Runtime 1.30 writes the subgraphs' external initializers under clashing names and
 * then refuses to open what it wrote ("initializer name is not unique"). Nothing in the session
 * says a graph has subgraphs, so the cache learns it: an entry that fails to open is replaced by
 * one with the weights inside, and a marker remembers to save that model so. Such an entry loads
 * less fast (the weights are parsed and copied, not mapped).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Bump when the layout of an entry changes: older entries then miss and age out. */
const FORMAT = 1;
const INDEX_FILE = 'index.json';
const ENTRY_FILE = 'entry.json';
const MODEL_FILE = 'model.onnx';
const WEIGHTS_FILE = 'model.onnx.data';
/** Remembered file hashes; the oldest are dropped past this many. */
const INDEX_LIMIT = 256;
/** Free disk space kept after a save, besides the copy itself. */
const DISK_RESERVE = 1024 * 1024 * 1024;

export interface OptimizedModelCacheOptions {
  /** The cache folder (created when needed). */
  dir: string;
  /** Most bytes all entries may take together. */
  maxBytes: number;
  /** ONNX Runtime's version (part of every key). */
  ortVersion: string;
}

/** What `entry.json` says of an entry. */
interface EntryInfo {
  format: number;
  source: string;
  hash: string;
  environment: string;
  /** The weights are inside the graph (a merged decoder). */
  inline: boolean;
  bytes: number;
  created: string;
}

/** A cached optimized graph to open with optimization off. */
export interface CacheHit {
  file: string;
  /**
   * Called when ONNX Runtime could not open it: the entry is removed and, if its weights were in
   * a file of their own, the model's next copy keeps them inside the graph.
   */
  discard(): void;
}

/** Where ONNX Runtime should write an optimized graph, and how to file it afterwards. */
export interface CacheSave {
  /** `optimizedModelFilePath` for ONNX Runtime. */
  file: string;
  /** The `session.*` config entries that put the weights in a separate, mappable file. */
  sessionConfig: Record<string, string>;
  /** Files the written graph under its key and trims the cache; never throws. */
  commit(): void;
  /** Removes what was written (the session failed). */
  abandon(): void;
}

type IndexEntry = { stat: string; hash: string };

export class OptimizedModelCache {
  private readonly environment: string;

  constructor(private readonly options: OptimizedModelCacheOptions) {
    this.environment = environmentKey(options.ortVersion);
  }

  get dir(): string {
    return this.options.dir;
  }

  /**
   * The cached optimized copy of `file`, or what to do to make one (undefined: the model cannot be
   * cached, e.g. too large for the cache or the disk). Hashes the file when it is new to the index.
   * `variant` names a change made to the graph before ONNX Runtime optimized it (a rewrite): each
   * variant of a file has an entry of its own.
   */
  async lookup(file: string, variant?: string): Promise<{ hit: CacheHit } | { save: CacheSave } | undefined> {
    const sources = [file, ...externalDataOf(file)];
    const hash = await this.hashOf(sources);
    const entryDir = path.join(this.options.dir, `${hash.slice(0, 32)}-${this.environment}${variant ? `-${safeName(variant)}` : ''}`);
    const inlineMarker = `${entryDir}.inline`;
    const entry = readEntry(entryDir);
    if (entry?.hash === hash) {
      touch(path.join(entryDir, ENTRY_FILE));
      const discard = () => {
        removeDir(entryDir);
        if (!entry.inline) writeAtomically(inlineMarker, '');
      };
      return { hit: { file: path.join(entryDir, MODEL_FILE), discard } };
    }
    const inline = fs.existsSync(inlineMarker);
    const sourceBytes = sources.reduce((n, f) => n + fs.statSync(f).size, 0);
    // The optimized copy is larger than the source (folded constants, transposed weights): up to 1.5× measured.
    const estimate = 2 * sourceBytes;
    if (estimate > this.options.maxBytes || freeBytes(this.options.dir) < estimate + DISK_RESERVE) return undefined;
    const tmp = path.join(this.options.dir, `tmp-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
    fs.mkdirSync(tmp, { recursive: true });
    return {
      save: {
        file: path.join(tmp, MODEL_FILE),
        sessionConfig: inline
          ? {}
          : {
              // Relative to the optimized graph's folder, which is what lets the entry be renamed.
              optimized_model_external_initializers_file_name: WEIGHTS_FILE,
              optimized_model_external_initializers_min_size_in_bytes: '1024',
            },
        commit: () =>
          this.commit(tmp, entryDir, {
            format: FORMAT,
            source: file,
            hash,
            environment: this.environment,
            inline,
            bytes: 0,
            created: new Date().toISOString(),
          }),
        abandon: () => removeDir(tmp),
      },
    };
  }

  /** The entries' total size in bytes. */
  totalBytes(): number {
    return this.entries().reduce((n, e) => n + e.bytes, 0);
  }

  private commit(tmp: string, entryDir: string, info: EntryInfo): void {
    try {
      info.bytes = dirBytes(tmp);
      fs.writeFileSync(path.join(tmp, ENTRY_FILE), JSON.stringify(info, null, 2));
      try {
        fs.renameSync(tmp, entryDir);
      } catch {
        // Another process filed the same entry first: keep theirs.
        removeDir(tmp);
        return;
      }
      this.trim(entryDir);
    } catch {
      removeDir(tmp);
    }
  }

  /** Removes the least recently used entries (never `keep`) until the total fits, and stale temporary folders. */
  private trim(keep: string): void {
    const entries = this.entries().sort((a, b) => a.used - b.used);
    let total = entries.reduce((n, e) => n + e.bytes, 0);
    for (const entry of entries) {
      if (total <= this.options.maxBytes) break;
      if (entry.dir === keep) continue;
      removeDir(entry.dir);
      total -= entry.bytes;
    }
    const dayAgo = Date.now() - 24 * 3600 * 1000;
    for (const name of safeReaddir(this.options.dir)) {
      const dir = path.join(this.options.dir, name);
      if (name.startsWith('tmp-') && mtimeOf(dir) < dayAgo) removeDir(dir);
    }
  }

  private entries(): { dir: string; bytes: number; used: number }[] {
    const out: { dir: string; bytes: number; used: number }[] = [];
    for (const name of safeReaddir(this.options.dir)) {
      const dir = path.join(this.options.dir, name);
      const info = readEntry(dir);
      if (info) out.push({ dir, bytes: info.bytes, used: mtimeOf(path.join(dir, ENTRY_FILE)) });
    }
    return out;
  }

  /** The content hash of `files` (a graph and its external data), from the index when their stats match. */
  private async hashOf(files: string[]): Promise<string> {
    const stat = files.map(statKey).join('|');
    const indexFile = path.join(this.options.dir, INDEX_FILE);
    const index = readIndex(indexFile);
    const known = index[files[0]];
    if (known?.stat === stat) return known.hash;
    const hash = createHash('sha256');
    for (const file of files) await hashFile(file, hash);
    const digest = hash.digest('hex');
    delete index[files[0]];
    index[files[0]] = { stat, hash: digest };
    const keys = Object.keys(index);
    for (const key of keys.slice(0, Math.max(0, keys.length - INDEX_LIMIT))) delete index[key];
    writeAtomically(indexFile, JSON.stringify(index));
    return digest;
  }
}

/** A graph's external weight files, in the names exporters use (model.onnx_data, model.onnx.data, model.onnx_data_1, …). */
export function externalDataOf(file: string): string[] {
  const out = [`${file}_data`, `${file}.data`].filter((f) => fs.existsSync(f));
  for (let i = 1; fs.existsSync(`${file}_data_${i}`); i++) out.push(`${file}_data_${i}`);
  return out;
}

/** What an optimized graph depends on besides the model: ONNX Runtime, the processor, this cache's format. */
function environmentKey(ortVersion: string): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const flags = cpuFlags();
  return createHash('sha256')
    .update(`${FORMAT}|${ortVersion}|${process.platform}|${process.arch}|${cpu}|${flags}`)
    .digest('hex')
    .slice(0, 12);
}

/** The processor's feature flags on Linux (two machines with one model name can differ, e.g. in a VM); elsewhere empty. */
function cpuFlags(): string {
  try {
    const text = fs.readFileSync('/proc/cpuinfo', 'utf8');
    return /^(?:flags|Features)\s*:\s*(.*)$/m.exec(text)?.[1] ?? '';
  } catch {
    return '';
  }
}

async function hashFile(file: string, hash: ReturnType<typeof createHash>): Promise<void> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (!bytesRead) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}

function statKey(file: string): string {
  const s = fs.statSync(file);
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`;
}

function readIndex(file: string): Record<string, IndexEntry> {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, IndexEntry>;
  } catch {
    // Missing or damaged: start again.
  }
  return {};
}

function readEntry(dir: string): EntryInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dir, ENTRY_FILE), 'utf8')) as EntryInfo;
    if (info.format !== FORMAT || !fs.existsSync(path.join(dir, MODEL_FILE))) return undefined;
    return info;
  } catch {
    return undefined;
  }
}

function writeAtomically(file: string, text: string): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch {
    // The index only saves time.
  }
}

function freeBytes(dir: string): number {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return 0;
  }
}

function dirBytes(dir: string): number {
  return safeReaddir(dir).reduce((n, name) => n + fs.statSync(path.join(dir, name)).size, 0);
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function mtimeOf(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function touch(file: string): void {
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
  } catch {
    // Only the eviction order suffers.
  }
}

function removeDir(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    // Left for the next trim.
  }
}

/** `name` with anything but letters, digits, dots and dashes replaced, for a folder name. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9.-]/g, '_').slice(0, 40);
}
