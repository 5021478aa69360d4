/**
 * `inkwell models download REPO`: fetches the files a text model needs from a
 * Hugging Face-style hub into a models folder, as the editor's Download Model
 * command does. The only network access the command line makes, and only here.
 */
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_HUB_ENDPOINT, HubInputError, resolveHubEndpoint, redactUrl } from '../core/hub/endpoint';
import { downloadModel, HubError, type DownloadProgress } from '../hub/download';
import { isUnreachable } from '../hub/http';
import { formatSize } from '../core/hub/downloadManifest';
import { DTYPES, isDtype, type Dtype } from '../core/hub/select';
import type { CliIo } from './io';

const HELP = `Usage: inkwell models download REPO [options]

Downloads the files a text model needs (config, tokenizer, one ONNX variant
and its external data) from a Hugging Face-style hub into a folder of the
models folder, checking each file's SHA-256 against the hub. An interrupted
download continues where it stopped when run again.

Options:
  --dtype D           ONNX variant: auto (default: the fastest on a CPU the repository has),
                      ${DTYPES.join(', ')}
  --revision R        Branch, tag or commit (default: main)
  --models-dir DIR    Models folder (default: ~/inkwell-models); add it to inkwell.models.paths
  --name NAME         Model folder name (default: the repository name and variant, e.g. SmolLM2-135M-Instruct-q4)
  --endpoint URL      Hub endpoint (default: $HF_ENDPOINT, else ${DEFAULT_HUB_ENDPOINT})
  --force             Replace a folder of that name even if it is not a download of REPO
  --json              Print {"name","dir","dtype","repo","commit","bytes","alreadyPresent"} at the end
  -h, --help          Show this help`;

const USAGE = 'Usage: inkwell models download REPO [--dtype D] [--revision R] [--models-dir DIR]';

interface DownloadArgs {
  repo: string;
  dtype: Dtype | 'auto';
  revision?: string;
  modelsDir: string;
  name?: string;
  endpoint?: string;
  force: boolean;
  json: boolean;
}

class UsageError extends Error {}

function parse(args: string[], io: CliIo): DownloadArgs | 'help' {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-h' || arg === '--help') return 'help';
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      positional.push(arg);
      continue;
    }
    if (['force', 'json'].includes(m[1]) && m[2] === undefined) {
      flags.add(m[1]);
      continue;
    }
    if (!['dtype', 'revision', 'models-dir', 'name', 'endpoint'].includes(m[1])) throw new UsageError(`unknown option --${m[1]}`);
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new UsageError(`--${m[1]} needs a value`);
    values.set(m[1], value);
  }
  if (positional.length !== 1)
    throw new UsageError(
      positional.length
        ? `expected one repository, got ${positional.join(' ')}`
        : 'which repository? e.g. HuggingFaceTB/SmolLM2-135M-Instruct',
    );
  const dtype = values.get('dtype') ?? 'auto';
  if (dtype !== 'auto' && !isDtype(dtype)) throw new UsageError(`--dtype must be auto or one of ${DTYPES.join(', ')}`);
  const dir = values.get('models-dir') ?? path.join(os.homedir(), 'inkwell-models');
  return {
    repo: positional[0],
    dtype,
    revision: values.get('revision'),
    modelsDir: path.resolve(io.cwd, dir.startsWith('~/') ? path.join(os.homedir(), dir.slice(2)) : dir),
    name: values.get('name'),
    endpoint: values.get('endpoint'),
    force: flags.has('force'),
    json: flags.has('json'),
  };
}

function describe(p: DownloadProgress): string {
  const of = p.total !== undefined ? ` of ${formatSize(p.total)}` : '';
  return `  ${formatSize(p.bytes)}${of}, ${formatSize(p.bytesPerSecond)}/s (${p.fileIndex}/${p.fileCount} ${p.file})`;
}

async function download(args: DownloadArgs, io: CliIo): Promise<number> {
  const endpoint = resolveHubEndpoint({ explicit: args.endpoint, explicitSource: 'option', env: process.env });
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let lastLine = 0;
  // Whether any bytes arrived: only then is there anything to continue.
  let started = false;
  try {
    io.err(
      `Downloading ${args.repo} (${args.dtype}) from ${redactUrl(endpoint.url)}${endpoint.source === 'HF_ENDPOINT' ? ' (HF_ENDPOINT)' : ''} into ${args.modelsDir}`,
    );
    const result = await downloadModel({
      endpoint: endpoint.url,
      repo: args.repo,
      revision: args.revision,
      dtype: args.dtype,
      modelsDir: args.modelsDir,
      name: args.name,
      force: args.force,
      signal: controller.signal,
      onPlan: (plan) => {
        for (const note of plan.notes) io.err(note);
        const size = plan.totalBytes !== undefined ? `, ${formatSize(plan.totalBytes)}` : '';
        io.err(`${plan.files.length} files${size}: ${plan.files.map((f) => f.path).join(', ')}`);
      },
      onProgress: (p) => {
        if (p.bytes > 0) started = true;
        const now = Date.now();
        if (now - lastLine >= 2000 || (p.fileIndex === p.fileCount && p.fileBytes === p.fileTotal)) {
          lastLine = now;
          io.err(describe(p));
        }
      },
    });
    const bytes = result.manifest.files.reduce((n, f) => n + f.size, 0);
    if (result.alreadyPresent) io.err(`${result.name} is already downloaded (${result.manifest.commit ?? result.manifest.revision}).`);
    else
      io.err(
        `Downloaded ${result.name} (${formatSize(bytes)}${result.resumedBytes ? `, ${formatSize(result.resumedBytes)} of it from an earlier run` : ''}) to ${result.dir}`,
      );
    if (args.json) {
      io.out(
        JSON.stringify({
          name: result.name,
          dir: result.dir,
          dtype: result.plan.dtype,
          repo: result.manifest.repo,
          commit: result.manifest.commit ?? null,
          bytes,
          alreadyPresent: result.alreadyPresent,
        }),
      );
    } else {
      io.out(result.dir);
      io.err(
        `Use it with: inkwell continue --model ${result.dir} --prompt "…", or in VS Code add ${args.modelsDir} to inkwell.models.paths and pick ${result.name}.`,
      );
    }
    return 0;
  } catch (err) {
    if (err instanceof HubInputError) {
      io.err(`inkwell models download: ${err.message}`);
      return 2;
    }
    if (isUnreachable(err)) {
      io.err(
        `inkwell models download: cannot reach the model hub at ${redactUrl(endpoint.url)} (${err.errno}). ` +
          'Check the network connection; for a mirror, pass --endpoint URL or set HF_ENDPOINT.',
      );
      return 1;
    }
    if (err instanceof HubError) {
      io.err(`inkwell models download: ${err.message}`);
      if (err.resumable && started) io.err('Run the same command again to continue where it stopped.');
      return err.code === 'cancelled' ? 130 : 1;
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** `inkwell models <subcommand>`. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '-h' || sub === '--help') {
    io.out(HELP);
    return sub ? 0 : 2;
  }
  if (sub !== 'download') {
    io.err(`inkwell models: unknown subcommand '${sub}'\n${USAGE}`);
    return 2;
  }
  let parsed: DownloadArgs | 'help';
  try {
    parsed = parse(rest, io);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`inkwell models download: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (parsed === 'help') {
    io.out(HELP);
    return 0;
  }
  return download(parsed, io);
}
