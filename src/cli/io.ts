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

/** A mistake in a command's arguments: printed with the way to the help, exit code 2. */
export class UsageError extends Error {}

/**
 * Reads a command's arguments with `parse`: the options, or the exit code when there is nothing
 * more to do (0 once `help` is printed for -h/--help, 2 once a usage error is explained).
 */
export function readArguments<T>(command: string, io: CliIo, help: string, parse: () => T | 'help'): T | number {
  let options: T | 'help';
  try {
    options = parse();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`inkwell ${command}: ${err.message}`);
    io.err(`Run 'inkwell ${command} --help' for the options.`);
    return 2;
  }
  if (options === 'help') {
    io.out(help);
    return 0;
  }
  return options;
}

/** One argument of a command line, as {@link walkArguments} gives it. */
export interface CommandArgument {
  readonly arg: string;
  /** The argument, or the part before `=` of `--flag=value`. */
  readonly flag: string;
  /** The flag's value: the part after `=`, else the next argument (then consumed). Throws when there is none. */
  value(): string;
}

/** Walks a command line argument by argument; `value()` takes a flag's value, inline or next. */
export function* walkArguments(argv: readonly string[]): Generator<CommandArgument> {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    yield {
      arg,
      flag,
      value: () => {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new Error(`${flag} needs a value`);
        return v;
      },
    };
  }
}
