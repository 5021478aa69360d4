/**
 * Keeping file access inside the workspace when the workspace itself holds
 * symlinks. A path that looks inside (`posts/passwd.png`, `posts/dirlink/x.png`)
 * may lead anywhere once links are followed, so containment is decided on real
 * paths: the file's (or, for a file about to be written, its deepest existing
 * folder's) against the roots'. Pure Node: no vscode, so it is unit-tested on
 * real symlinks.
 */
import * as fs from 'fs';
import * as path from 'path';

/**
 * The real path of `p`, every symlink followed. For a path that does not exist
 * (yet), the real path of its deepest existing ancestor joined with the rest,
 * which is where a write to `p` would land.
 */
export function realPathOf(p: string, hops = 0): string {
  const absolute = path.resolve(p);
  const rest: string[] = [];
  for (let current = absolute; ;) {
    try {
      return path.join(fs.realpathSync.native(current), ...rest.reverse());
    } catch {
      // A dangling link still says where a write through it would go.
      const target = hops < 40 ? linkTarget(current) : undefined;
      if (target !== undefined) return path.join(realPathOf(path.resolve(path.dirname(current), target), hops + 1), ...rest.reverse());
      const parent = path.dirname(current);
      // Reached the root without finding anything that exists: nothing to resolve.
      if (parent === current) return absolute;
      rest.push(path.basename(current));
      current = parent;
    }
  }
}

function linkTarget(p: string): string | undefined {
  try {
    return fs.lstatSync(p).isSymbolicLink() ? fs.readlinkSync(p) : undefined;
  } catch {
    return undefined;
  }
}

/** True when `child` is `parent` or lies inside it (both absolute; case-insensitive where the platform is). */
export function isPathInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

/**
 * The real path of `file` when, all links followed, it lies inside one of
 * `roots` (each also taken by its real path); undefined when it leads outside.
 * Works for files that do not exist yet, through their deepest existing folder.
 */
export function confineToRoots(file: string, roots: readonly string[]): string | undefined {
  const real = realPathOf(file);
  return roots.some((root) => isPathInside(real, realPathOf(root))) ? real : undefined;
}
