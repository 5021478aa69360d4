/**
 * `inkwell continue --endpoint URL` and `inkwell chat --endpoint URL`: the same
 * continuation and chat as in the editor, served by an OpenAI-compatible server
 * (llama.cpp's llama-server, Ollama, LM Studio, vLLM, TGI). The API key comes from
 * an environment variable, never from an argument (arguments show in process lists).
 */
import * as fs from 'fs';
import { DEFAULT_STOP_SEQUENCES, stopSequences } from '../core/stopSequences';
import { GENERATION_DEFAULTS } from '../generation/textRequest';
import { OpenAiCompatibleClient, RemoteError, type ChatMessage, type RemoteResult, type RemoteSampling } from '../remote/openaiClient';
import { processIo, readArguments, UsageError, type CliIo } from './io';

const D = GENERATION_DEFAULTS;
/** Where the key is read from unless --api-key-env names another variable. */
export const DEFAULT_API_KEY_ENV = 'INKWELL_API_KEY';

const COMMON = `  --endpoint URL           The server's base URL, e.g. http://127.0.0.1:8080/v1 (llama-server),
                           http://localhost:11434/v1 (Ollama)
  --remote-model NAME      The model to ask for (default: the server's own)
  --max-tokens N           Most tokens to generate (default: ${D.maxTokens})
  --greedy                 Temperature 0
  --temperature T          Sampling temperature (default: ${D.temperature})
  --top-p P                Nucleus sampling threshold (default: ${D.topP})
  --seed S                 Seed, for servers that take one
  --stop TEXT              Stop before this text (repeatable; \\n is a line break)
  --api-key-env NAME       Environment variable holding the API key (default: ${DEFAULT_API_KEY_ENV})
  --json                   Print one object at the end: "endpoint", "model", "text",
                           "stop_reason", "usage", "ttft_ms", "tokens_per_s", "sampling",
                           "max_tokens", "stop"
  -h, --help               Show this help`;

export const CONTINUE_HELP = `Usage: inkwell continue --endpoint URL (--prompt TEXT | --prompt-file FILE) [options]

Continues the prompt on an OpenAI-compatible server through /v1/completions (or
/v1/chat/completions on a chat-only server), streaming the text as it comes.
The text stops at the token limit or a stop sequence (default: three line breaks).

Options:
  --prompt TEXT            The text to continue
  --prompt-file FILE       Read the prompt from a file ('-' for standard input)
${COMMON}`;

export const CHAT_HELP = `Usage: inkwell chat --endpoint URL (--user TEXT [--system TEXT] | --messages FILE.json) [options]

Sends a conversation to an OpenAI-compatible server through /v1/chat/completions
(the server applies its model's chat template) and prints the answer as it comes.

Options:
  --user TEXT              The user's message
  --system TEXT            A system message before it
  --messages FILE.json     The conversation: an array of {"role", "content"}, role
                           "system", "user" or "assistant" ('-' for standard input)
${COMMON}`;

interface RemoteArgs {
  endpoint: string;
  model?: string;
  sampling: RemoteSampling & { temperature: number; topP: number; stop: string[] };
  apiKeyEnv: string;
  json: boolean;
  prompt?: string;
  messages?: ChatMessage[];
}

const VALUE_OPTIONS = [
  'endpoint',
  'remote-model',
  'max-tokens',
  'temperature',
  'top-p',
  'seed',
  'stop',
  'api-key-env',
  'prompt',
  'prompt-file',
  'user',
  'system',
  'messages',
];

function readInput(file: string): string {
  return file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
}

function parse(args: string[], kind: 'continue' | 'chat'): RemoteArgs | 'help' {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '--json' || arg === '--greedy') {
      flags.add(arg.slice(2));
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !VALUE_OPTIONS.includes(m[1])) {
      throw new UsageError(
        m && kind === 'continue' ? `${arg} is not available with --endpoint (the server decides it)` : `unknown option '${arg}'`,
      );
    }
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new UsageError(`${arg} needs a value`);
    values.set(m[1], [...(values.get(m[1]) ?? []), value]);
  }
  const one = (name: string) => values.get(name)?.at(-1);
  const num = (name: string, min: number, max: number, integer: boolean): number | undefined => {
    const raw = one(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new UsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max} (got '${raw}')`);
    }
    return n;
  };
  const endpoint = one('endpoint');
  if (!endpoint) throw new UsageError(kind === 'chat' ? 'inkwell chat talks to a server: give --endpoint URL' : 'give --endpoint URL');
  if (flags.has('greedy') && (one('temperature') !== undefined || one('top-p') !== undefined)) {
    throw new UsageError('--greedy cannot be combined with --temperature or --top-p');
  }
  const stop = values.has('stop') ? stopSequences(values.get('stop')!) : stopSequences(DEFAULT_STOP_SEQUENCES);
  const seed = num('seed', 0, 2 ** 32 - 1, true);
  const parsed: RemoteArgs = {
    endpoint,
    model: one('remote-model'),
    sampling: {
      maxTokens: num('max-tokens', 1, 100_000, true) ?? D.maxTokens,
      temperature: flags.has('greedy') ? 0 : (num('temperature', 0, 10, false) ?? D.temperature),
      topP: flags.has('greedy') ? 1 : (num('top-p', 0, 1, false) ?? D.topP),
      ...(seed !== undefined ? { seed } : {}),
      stop,
    },
    apiKeyEnv: one('api-key-env') ?? DEFAULT_API_KEY_ENV,
    json: flags.has('json'),
  };
  if (kind === 'continue') {
    const prompt = one('prompt');
    const file = one('prompt-file');
    if ((prompt === undefined) === (file === undefined)) throw new UsageError('give exactly one of --prompt and --prompt-file');
    for (const name of ['user', 'system', 'messages']) if (values.has(name)) throw new UsageError(`--${name} belongs to inkwell chat`);
    try {
      parsed.prompt = prompt ?? readInput(file!);
    } catch (err) {
      throw new UsageError(`cannot read --prompt-file: ${(err as Error).message}`);
    }
    return parsed;
  }
  const file = one('messages');
  const user = one('user');
  if ((file === undefined) === (user === undefined)) throw new UsageError('give exactly one of --user and --messages');
  if (file !== undefined && one('system') !== undefined)
    throw new UsageError('--system goes with --user; put a system message in the --messages file instead');
  if (file === undefined) {
    const system = one('system');
    parsed.messages = [...(system !== undefined ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content: user! }];
    return parsed;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readInput(file));
  } catch (err) {
    throw new UsageError(`cannot read --messages: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw) || raw.length === 0) throw new UsageError('--messages must hold a non-empty JSON array of {"role", "content"}');
  parsed.messages = raw.map((m, i) => {
    const role = (m as { role?: unknown })?.role;
    const content = (m as { content?: unknown })?.content;
    if ((role !== 'system' && role !== 'user' && role !== 'assistant') || typeof content !== 'string') {
      throw new UsageError(`--messages: item ${i} must be {"role": "system" | "user" | "assistant", "content": "…"}`);
    }
    return { role, content };
  });
  return parsed;
}

/** Runs `continue --endpoint …` or `chat …`. */
export async function runRemote(kind: 'continue' | 'chat', args: string[], io: CliIo): Promise<number> {
  const options = readArguments(kind, io, kind === 'chat' ? CHAT_HELP : CONTINUE_HELP, () => parse(args, kind));
  if (typeof options === 'number') return options;
  const apiKey = process.env[options.apiKeyEnv] || undefined;
  let client: OpenAiCompatibleClient;
  try {
    client = new OpenAiCompatibleClient({ baseUrl: options.endpoint, apiKey }, { log: (_level, message) => io.err(message) });
  } catch (err) {
    io.err(`inkwell ${kind}: ${(err as Error).message}`);
    return 2;
  }
  const live = io === processIo;
  let streamed = '';
  const onText = options.json
    ? undefined
    : (piece: string) => {
        streamed += piece;
        if (live) process.stdout.write(piece);
      };
  // Ctrl+C cancels the request (closing the connection stops the server's generation).
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  if (live) process.once('SIGINT', onSigint);
  const started = performance.now();
  let result: RemoteResult;
  try {
    result =
      kind === 'chat'
        ? await client.chat(options.model, options.messages!, options.sampling, { signal: abort.signal, onText })
        : await client.complete(options.model, options.prompt!, options.sampling, { signal: abort.signal, onText });
  } catch (err) {
    if (!options.json && live && streamed && !streamed.endsWith('\n')) process.stdout.write('\n');
    io.err(`inkwell ${kind}: ${err instanceof RemoteError ? err.message : (err as Error).message}`);
    return 1;
  } finally {
    if (live) process.off('SIGINT', onSigint);
  }
  const seconds = (performance.now() - started - (result.ttftMs ?? 0)) / 1000;
  const generated = result.usage?.completionTokens;
  const tokensPerSecond = generated !== undefined && generated > 1 && seconds > 0 ? (generated - 1) / seconds : undefined;
  if (options.json) {
    io.out(
      JSON.stringify({
        endpoint: result.endpoint,
        model: result.model ?? options.model ?? null,
        text: result.text,
        stop_reason: result.stopReason,
        usage: result.usage ? { prompt_tokens: result.usage.promptTokens, completion_tokens: result.usage.completionTokens } : null,
        ttft_ms: result.ttftMs !== undefined ? Number(result.ttftMs.toFixed(2)) : null,
        tokens_per_s: tokensPerSecond !== undefined ? Number(tokensPerSecond.toFixed(2)) : null,
        sampling: { temperature: options.sampling.temperature, top_p: options.sampling.topP, seed: options.sampling.seed ?? null },
        max_tokens: options.sampling.maxTokens,
        stop: options.sampling.stop,
      }),
    );
  } else {
    if (!live) io.out(streamed);
    else if (!streamed.endsWith('\n')) process.stdout.write('\n');
    io.err(
      `${generated ?? '?'} tokens (${result.stopReason}) from ${result.model ?? 'the server'} via /${result.endpoint === 'chat' ? 'chat/completions' : 'completions'}` +
        `${result.ttftMs !== undefined ? `, first text ${result.ttftMs.toFixed(0)} ms` : ''}${tokensPerSecond !== undefined ? `, ${tokensPerSecond.toFixed(1)} tokens/s` : ''}`,
    );
  }
  return 0;
}
