import picomatch from 'picomatch';

/** Defaults of `inkwell.posts.include` / `exclude` (the CLI uses them too). */
export const DEFAULT_POST_INCLUDE: readonly string[] = ['**/*.md', '**/*.markdown'];
export const DEFAULT_POST_EXCLUDE: readonly string[] = ['**/node_modules/**', '**/README.md', '**/CHANGELOG.md', '**/.git/**'];
/** Default of `inkwell.posts.staticFolders`. */
export const DEFAULT_STATIC_FOLDERS: readonly string[] = ['static', 'public', '.'];

/**
 * Decides whether a file is a post from its path relative to the workspace
 * folder (forward slashes), using the include and exclude globs.
 */
export function createPostMatcher(include: readonly string[], exclude: readonly string[]): (relativePath: string) => boolean {
  const opts = { dot: true, nocase: false } as const;
  const inc = include.length ? picomatch([...include], opts) : () => false;
  const exc = exclude.length ? picomatch([...exclude], opts) : () => false;
  return (relativePath) => {
    const p = relativePath.replace(/\\/g, '/').replace(/^\.\//, '');
    return inc(p) && !exc(p);
  };
}

/** Image file extensions Inkwell offers for `image:` (completions and fixes). */
export const IMAGE_EXTENSIONS: readonly string[] = ['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg', 'avif'];
