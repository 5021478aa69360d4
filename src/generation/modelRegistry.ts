/**
 * Finding models on disk. A model is a folder; its kind follows from its files
 * (a text model has config.json + tokenizer.json + onnx/model.onnx, an image
 * model a manifest.json). Roots are searched in the order given, so the caller
 * decides precedence (workspace, then user folders, then shipped models).
 */
import * as fs from 'fs';
import * as path from 'path';

/** Where a model folder came from. */
export type ModelSource = 'workspace' | 'user' | 'shipped';

/** Kinds of model Inkwell runs. */
export type ModelKind = 'text' | 'image';

/** A folder that holds model folders (or is one). */
export interface ModelRoot {
  dir: string;
  source: ModelSource;
}

/** One model found on disk. */
export interface ModelEntry {
  /** Folder name, used in settings (`inkwell.models.text`). */
  name: string;
  dir: string;
  kind: ModelKind;
  source: ModelSource;
}

/** Recognises one kind of model folder from its files. */
export interface ModelKindDetector {
  kind: ModelKind;
  matches(dir: string): boolean;
}

const exists = (p: string) => {
  try {
    return fs.existsSync(p);
  } catch {
    return false;
  }
};

/** Detectors tried in order; the first match decides the kind. */
export const modelKindDetectors: ModelKindDetector[] = [
  { kind: 'text', matches: (dir) => exists(path.join(dir, 'config.json')) && exists(path.join(dir, 'tokenizer.json')) && exists(path.join(dir, 'onnx', 'model.onnx')) },
  { kind: 'image', matches: (dir) => exists(path.join(dir, 'manifest.json')) },
];

/** The kind of the model in `dir`, or undefined when it is not a model folder. */
export function detectModelKind(dir: string): ModelKind | undefined {
  return modelKindDetectors.find((d) => d.matches(dir))?.kind;
}

/**
 * Every model under the roots: each root's subfolders that are model folders,
 * and the root itself when it is one. Earlier roots shadow later ones of the same name.
 */
export function listModels(roots: readonly ModelRoot[], kind?: ModelKind): ModelEntry[] {
  const seen = new Set<string>();
  const out: ModelEntry[] = [];
  const add = (dir: string, source: ModelSource) => {
    const found = detectModelKind(dir);
    if (!found || (kind && found !== kind)) return;
    const name = path.basename(dir);
    if (seen.has(`${found}:${name}`)) return;
    seen.add(`${found}:${name}`);
    out.push({ name, dir, kind: found, source });
  };
  for (const root of roots) {
    if (!exists(root.dir)) continue;
    add(root.dir, root.source);
    let children: fs.Dirent[];
    try {
      children = fs.readdirSync(root.dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const child of children.sort((a, b) => a.name.localeCompare(b.name))) {
      if (child.isDirectory() && !child.name.startsWith('.')) add(path.join(root.dir, child.name), root.source);
    }
  }
  return out;
}

/**
 * Resolves a setting value (a model name, or a folder path: absolute, `~/...`,
 * or relative to `baseDir`) to a model. Undefined when nothing matches.
 */
export function resolveModel(nameOrPath: string, roots: readonly ModelRoot[], kind: ModelKind, baseDir?: string): ModelEntry | undefined {
  const value = nameOrPath.trim();
  if (!value) return undefined;
  const looksLikePath = path.isAbsolute(value) || value.startsWith('~') || value.startsWith('.') || /[\\/]/.test(value);
  if (looksLikePath) {
    const home = process.env.HOME ?? process.env.USERPROFILE ?? '';
    const expanded = value.startsWith('~') ? path.join(home, value.slice(1)) : value;
    const dir = path.isAbsolute(expanded) ? expanded : path.resolve(baseDir ?? process.cwd(), expanded);
    const found = detectModelKind(dir);
    return found === kind ? { name: path.basename(dir), dir, kind, source: 'user' } : undefined;
  }
  return listModels(roots, kind).find((m) => m.name === value);
}
