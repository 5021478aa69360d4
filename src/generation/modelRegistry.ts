/**
 * Finding models on disk. A model is a folder; its kind follows from its files
 * (a text model has config.json + tokenizer.json next to its ONNX decoder(s), an image
 * model a manifest.json). Roots are searched in the order given, so the caller
 * decides precedence (workspace, then user folders, then shipped models).
 */
import * as fs from 'fs';
import * as path from 'path';
import { isPathInside, realPathOf } from '../util/workspacePaths';

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
  // Any ONNX variant or layout (or none: the model picker then says what the folder lacks).
  { kind: 'text', matches: (dir) => exists(path.join(dir, 'config.json')) && exists(path.join(dir, 'tokenizer.json')) },
  { kind: 'image', matches: (dir) => exists(path.join(dir, 'manifest.json')) },
];

/** The kind of the model in `dir`, or undefined when it is not a model folder. */
export function detectModelKind(dir: string): ModelKind | undefined {
  return modelKindDetectors.find((d) => d.matches(dir))?.kind;
}

/**
 * Every model under the roots: each root's subfolders that are model folders,
 * and the root itself when it is one. Earlier roots shadow later ones of the same name.
 * Folders whose real path lies inside one of `excluded` (an untrusted workspace) are left out.
 */
export function listModels(roots: readonly ModelRoot[], kind?: ModelKind, excluded: readonly string[] = []): ModelEntry[] {
  const seen = new Set<string>();
  const out: ModelEntry[] = [];
  const add = (dir: string, source: ModelSource) => {
    if (isInsideAny(dir, excluded)) return;
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

/** True when `value` is a model name (a folder name looked up in the roots), not a path. */
export function isModelName(value: string): boolean {
  const v = value.trim();
  return v.length > 0 && !v.startsWith('.') && !v.startsWith('~') && !/[\\/]/.test(v) && !/^[a-zA-Z]:/.test(v) && !path.isAbsolute(v);
}

/** What decides which models a value may name. */
export interface ModelLookup {
  /** Whether the workspace is trusted. */
  trusted: boolean;
  /** The workspace folders (file paths); relative paths resolve against the first one. */
  workspaceDirs: readonly string[];
  /** The value was read from a file (a PNG's provenance): it may only be a name. */
  namesOnly?: boolean;
  /** Home folder for `~/...` paths. */
  home?: string;
}

/** A value that names a model Inkwell must not load (a path from a file, a folder in an untrusted workspace). */
export class ModelRefused extends Error {
  override readonly name = 'ModelRefused';
}

/**
 * The search roots in precedence order: the workspace's `.inkwell/models` and
 * the folders in `inkwell.models.paths` (relative ones against the workspace)
 * only in a trusted workspace; otherwise the user-level paths that are absolute
 * or under the home folder (a relative one would lead into the workspace), then
 * the shipped models.
 */
export function modelRoots(
  lookup: ModelLookup,
  paths: { effective: readonly string[]; user: readonly string[] },
  shippedDir: string,
): ModelRoot[] {
  const roots: ModelRoot[] = [];
  const base = lookup.workspaceDirs[0];
  if (lookup.trusted) {
    for (const dir of lookup.workspaceDirs) roots.push({ dir: path.join(dir, '.inkwell', 'models'), source: 'workspace' });
    for (const dir of paths.effective) {
      const absolute = expandHome(dir, lookup.home);
      roots.push({ dir: path.isAbsolute(absolute) ? absolute : path.resolve(base ?? shippedDir, absolute), source: 'user' });
    }
  } else {
    for (const dir of paths.user) {
      const absolute = expandHome(dir, lookup.home);
      if (path.isAbsolute(absolute)) roots.push({ dir: absolute, source: 'user' });
    }
  }
  roots.push({ dir: shippedDir, source: 'shipped' });
  return roots;
}

/**
 * Resolves a model setting (a name, or a folder path) or a name read from a
 * file, honouring workspace trust: in an untrusted workspace a relative path
 * does not resolve against the workspace, and no model folder inside the
 * workspace (by real path, so links do not count) is ever returned. Returns
 * undefined when nothing matches; throws {@link ModelRefused} with the reason
 * when the value names something Inkwell must not load.
 */
export function findModel(value: string, roots: readonly ModelRoot[], kind: ModelKind, lookup: ModelLookup): ModelEntry | undefined {
  const v = value.trim();
  if (!v) return undefined;
  const untrusted = lookup.trusted ? [] : lookup.workspaceDirs;
  if (!isModelName(v)) {
    if (lookup.namesOnly) {
      throw new ModelRefused(
        `"${v}" is a path, not a model name. A model named in a file is looked up by name among Inkwell's model folders only, never loaded from a path.`,
      );
    }
    const expanded = expandHome(v, lookup.home);
    if (!path.isAbsolute(expanded) && !lookup.trusted) {
      throw new ModelRefused(
        `The model path "${v}" is relative, so it would resolve inside this workspace, which is not trusted. Use an absolute path (or ~/…), or trust the workspace.`,
      );
    }
  }
  const found = isModelName(v) ? listModels(roots, kind).find((m) => m.name === v) : resolveModel(v, roots, kind, lookup.workspaceDirs[0]);
  if (found && isInsideAny(found.dir, untrusted)) {
    throw new ModelRefused(
      `${found.dir} is inside this workspace, which is not trusted: Inkwell loads no models from an untrusted workspace. Trust the workspace, or choose a model outside it.`,
    );
  }
  return found;
}

function expandHome(dir: string, home = process.env.HOME ?? process.env.USERPROFILE ?? ''): string {
  return dir === '~' || dir.startsWith('~/') || dir.startsWith('~\\') ? path.join(home, dir.slice(1)) : dir;
}

function isInsideAny(dir: string, folders: readonly string[]): boolean {
  if (!folders.length) return false;
  const real = realPathOf(dir);
  return folders.some((f) => isPathInside(real, realPathOf(f)));
}
