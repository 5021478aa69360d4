/**
 * `inkwell image`: generates PNG files from a GAN or VAE without the editor.
 * Runs ONNX Runtime in this process; the same seed and size give the same bytes
 * as the extension's gallery.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CliIo } from './io';
import { candidateSeeds, freshSeed, isValidSeed } from '../generation/image/random';
import { renderPng } from '../generation/image/render';
import type { UpscaleMode } from '../generation/image/pixels';
import { loadImageModel } from '../runtime/process/handlers/image';
import { openOnnxSession, physicalCoreCount, sessionCreator } from '../generation/sessionOptions';

const HELP = `Usage: inkwell image --out DIR [options]

Generates images with a GAN or VAE and writes them as PNG files (with
provenance), printing one path per line.

Options:
  --model DIR|NAME  Model folder, or the name of a shipped model (default: inkwell-gan)
  --count N         Number of images (default: 8)
  --seed S          Seed of the first image; image i uses S + i (default: random)
  --size PX         Side of each PNG in pixels (default: 256)
  --upscale MODE    nearest or smooth (default: smooth)
  --label L         Class label, for conditional models
  --out DIR         Folder to write into (created when missing)
  --force           Replace an existing file of the same name (default: write
                    NAME-2.png, NAME-3.png… instead; links are never replaced)
  -h, --help        Show this help`;

/** Parsed options of `inkwell image`. */
interface ImageArgs {
  model: string;
  count: number;
  seed: number;
  size: number;
  upscale: UpscaleMode;
  label?: number;
  out: string;
  force: boolean;
}

class UsageError extends Error {}

function parse(args: string[]): ImageArgs | 'help' {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '--force') {
      values.set('force', '');
      continue;
    }
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!m || !['model', 'count', 'seed', 'size', 'upscale', 'label', 'out'].includes(m[1]!))
      throw new UsageError(`unknown option '${arg}'`);
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new UsageError(`${arg} needs a value`);
    values.set(m[1]!, value);
  }
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got '${raw}')`);
    return n;
  };
  const out = values.get('out');
  if (!out) throw new UsageError('--out DIR is required');
  const upscale = values.get('upscale') ?? 'smooth';
  if (upscale !== 'nearest' && upscale !== 'smooth') throw new UsageError(`--upscale must be nearest or smooth (got '${upscale}')`);
  const seed = int('seed', freshSeed(), 0, 0xffffffff);
  if (!isValidSeed(seed)) throw new UsageError('--seed must be from 0 to 4294967295');
  return {
    model: values.get('model') ?? 'inkwell-gan',
    count: int('count', 8, 1, 256),
    seed,
    size: int('size', 256, 1, 4096),
    upscale,
    ...(values.has('label') ? { label: int('label', 0, 0, 100000) } : {}),
    out,
    force: values.has('force'),
  };
}

/** Folders searched for a model given by name: the shipped models next to the bundle (or the repo root under tsx). */
function modelRoots(): string[] {
  return [path.join(__dirname, '..', 'models'), path.join(__dirname, '..', '..', 'models')];
}

/** A model folder from a path or a shipped model's name. */
export function resolveModelDir(model: string, cwd: string): string {
  const direct = path.resolve(cwd, model);
  if (fs.existsSync(path.join(direct, 'manifest.json'))) return direct;
  if (!model.includes('/') && !model.includes('\\')) {
    for (const root of modelRoots()) {
      const dir = path.join(root, model);
      if (fs.existsSync(path.join(dir, 'manifest.json'))) return dir;
    }
  }
  throw new Error(
    `no image model '${model}': give a folder with a manifest.json, or the name of a model under ${modelRoots().find((r) => fs.existsSync(r)) ?? modelRoots()[0]}`,
  );
}

/** `x.png` -> `x-2.png` for n = 2 (the editor numbers images the same way). */
function numbered(file: string, n: number): string {
  return n < 2 ? file : file.replace(/(\.png)?$/i, (ext) => `-${n}${ext}`);
}

/**
 * Writes `bytes` as `file`, or as the first free numbered name (`x-2.png`…):
 * never overwrites, never follows or replaces a link. The PNG goes to a fresh
 * temporary file first (created exclusively), then takes its name with a hard
 * link, which fails when the name exists (a file, a link, even a dangling one)
 * and so cannot race with a file that appears meanwhile; a reader never sees
 * half a PNG. With `force`, an existing regular file is replaced by a rename;
 * anything else at the name is refused. Returns the path written.
 */
export function writeNewFile(file: string, bytes: Uint8Array, force = false): string {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  fs.writeFileSync(tmp, bytes, { flag: 'wx' });
  try {
    if (force) {
      const st = fs.lstatSync(file, { throwIfNoEntry: false });
      if (st && !st.isFile()) throw new Error(`not replacing ${file}: it is not a regular file`);
      fs.renameSync(tmp, file);
      return file;
    }
    for (let n = 1; n < 10_000; n++) {
      const name = numbered(file, n);
      try {
        fs.linkSync(tmp, name);
        return name;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
        // A file system without hard links: an exclusive copy refuses existing names too.
        try {
          fs.copyFileSync(tmp, name, fs.constants.COPYFILE_EXCL);
          return name;
        } catch (copyErr) {
          if ((copyErr as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw copyErr;
        }
      }
    }
    throw new Error(`no free file name for ${file} (tried up to ${numbered(file, 9_999)})`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

export async function run(args: string[], io: CliIo): Promise<number> {
  let options: ImageArgs | 'help';
  try {
    options = parse(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`inkwell image: ${err.message}`);
    io.err(HELP);
    return 2;
  }
  if (options === 'help') {
    io.out(HELP);
    return 0;
  }
  let dir: string;
  try {
    dir = resolveModelDir(options.model, io.cwd);
  } catch (err) {
    io.err(`inkwell image: ${(err as Error).message}`);
    return 1;
  }
  // Loaded here, not at the top: `inkwell --help` must not pay for the native addon.
  const ort = await import('onnxruntime-node');
  let model;
  try {
    // Opened as every Inkwell session is (generation/sessionOptions.ts): checked file, Inkwell's options.
    const open = (file: string) => openOnnxSession(sessionCreator(ort.InferenceSession), file, Math.min(4, physicalCoreCount()));
    model = await loadImageModel(ort, open, dir);
  } catch (err) {
    io.err(`inkwell image: ${(err as Error).message}`);
    return 1;
  }
  try {
    const g = model.generator;
    const seeds = candidateSeeds(options.seed, options.count);
    const images = await g.generate(seeds, { label: options.label });
    const out = path.resolve(io.cwd, options.out);
    fs.mkdirSync(out, { recursive: true });
    for (const img of images) {
      const file = writeNewFile(
        path.join(out, `${g.name}-${img.seed}.png`),
        renderPng(g, img, { size: options.size, upscale: options.upscale, effort: 'small' }),
        options.force,
      );
      io.out(file);
    }
    return 0;
  } catch (err) {
    io.err(`inkwell image: ${(err as Error).message}`);
    return 1;
  } finally {
    await model.decoder.release();
    await model.encoder?.release();
  }
}
