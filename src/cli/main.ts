#!/usr/bin/env node
/**
 * `inkwell`: the headless command line. Each subcommand lives in its own module,
 * loaded only when used, and returns the process exit code.
 */
import { CliCommand, CliIo, processIo } from './io';

const commands: Record<string, { summary: string; load: (args: readonly string[]) => Promise<CliCommand> }> = {};

/** Registers a subcommand; `load` sees its arguments, to pick the module that serves them. */
function command(name: string, summary: string, load: (args: readonly string[]) => Promise<CliCommand>): void {
  commands[name] = { summary, load };
}

// Subcommands. Keep in sync with the README.
// (each entry added by the feature that owns it)
command('check', 'Check the frontmatter of posts (same rules as the editor)', async () => (await import('./check.js')).run);
/** `--endpoint` sends the work to a server: ONNX Runtime is not even loaded. */
const toServer = (args: readonly string[]) => args.some((a) => a === '--endpoint' || a.startsWith('--endpoint='));
command('continue', 'Continue a prompt with a GPT-2 or Llama ONNX text model, or on a server (--endpoint URL)', async (args) =>
  toServer(args) ? (await import('./remoteCommand.js')).runRemote.bind(undefined, 'continue') : (await import('./continue.js')).run,
);
command('chat', 'Answer a conversation with a local instruct model (--model DIR), or on a server (--endpoint URL)', async (args) =>
  toServer(args) ? (await import('./remoteCommand.js')).runRemote.bind(undefined, 'chat') : (await import('./chatCommand.js')).run,
);
command('image', 'Generate PNG images with a GAN or VAE model', async () => (await import('./imageCommand')).run);
command('tags', 'Rename or merge a tag across posts: tags rename OLD NEW [--dry-run]', async () => (await import('./tagsCommand')).run);
command(
  'suggest',
  'Suggest a title, description or tags for a post: suggest title|description|tags POST.md [--json]',
  async () => (await import('./suggestCommand')).run,
);
command(
  'models',
  'Download a text model from a Hugging Face-style hub (models download REPO)',
  async () => (await import('./modelsCommand')).run,
);

function usage(io: CliIo): void {
  io.out('Usage: inkwell <command> [options]\n\nCommands:');
  for (const [name, { summary }] of Object.entries(commands)) io.out(`  ${name.padEnd(10)} ${summary}`);
  io.out('\nRun `inkwell <command> --help` for the options of a command.');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    usage(io);
    return name ? 0 : 2;
  }
  const entry = commands[name];
  if (!entry) {
    io.err(`inkwell: unknown command '${name}'`);
    usage(io);
    return 2;
  }
  return (await entry.load(rest))(rest, io);
}

if (require.main === module) {
  main(process.argv.slice(2), processIo).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      processIo.err(`inkwell: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 2;
    },
  );
}
