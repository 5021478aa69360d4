/** Where a CLI command writes; tests pass their own to capture output. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Current directory paths are resolved against. */
  cwd: string;
}

/** A subcommand: takes its arguments (after the command name), returns the exit code. */
export type CliCommand = (args: string[], io: CliIo) => Promise<number>;

export const processIo: CliIo = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  cwd: process.cwd(),
};
