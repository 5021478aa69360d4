/**
 * Stop sequences as settings and the command line spell them. A line break in a
 * settings list or a shell argument is invisible (VS Code's Settings editor
 * shows `"\n\n\n"` as an empty row), so they are written with escapes:
 * `\n` (line break), `\t` (tab), `\r` and `\\` (a backslash).
 */

/** The default of `inkwell.generation.stop` and of `inkwell continue`: three line breaks end a continuation. */
export const DEFAULT_STOP_SEQUENCES: readonly string[] = ['\\n\\n\\n'];

/** Turns `\n`, `\t`, `\r` and `\\` into the characters they name; other text is kept as written. */
export function unescapeStop(written: string): string {
  return written.replace(/\\([ntr\\])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : '\\'));
}

/** The stop sequences a list of written ones means (empty ones dropped). */
export function stopSequences(written: readonly string[]): string[] {
  return written.map(unescapeStop).filter((s) => s.length > 0);
}
