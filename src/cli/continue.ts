/**
 * `inkwell continue`: continues a prompt with a GPT-2 or Llama-family ONNX
 * model, without the editor. Runs ONNX Runtime in this process with the same
 * decode loop and samplers as the extension, so the same seed gives the same text.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import { generateText, type LoadedTextModel } from '../generation/generate';
import { openOnnxSession, physicalCoreCount, sessionCreator, type SessionTuning } from '../generation/sessionOptions';
import { cacheByPosition } from '../generation/cacheByPosition';
import { DTYPES, parseDtypeRequest, type DtypeRequest } from '../generation/layout';
import {
  applyModelSampling,
  buildTextRequest,
  GENERATION_DEFAULTS,
  MODEL_SAMPLING_KEYS,
  type GenerationSettings,
  type ModelSamplingKey,
  type TextGenerationParams,
} from '../generation/textRequest';
import type { TextModelFiles, TextModelInfo } from '../generation/textModel';
import { loadTextModelFolder } from '../generation/textModelLoader';
import { OptimizedModelCache } from '../generation/optimizedModelCache';
import { SPECULATIVE_MODES, type SpeculativeMode } from '../generation/speculative';
import { processIo, readArguments, UsageError, type CliIo } from './io';

const D = GENERATION_DEFAULTS;

/** The --speculative option, as `continue` and `chat` describe it. */
export const SPECULATIVE_HELP = `  --speculative MODE       off, auto, prompt-lookup or draft (default: off; draft when
                           --draft-model is given). Drafted tokens are checked in one model
                           step: prompt-lookup copies what followed the last tokens earlier
                           in the text (fewer steps on text that repeats itself), draft
                           takes the draft model's, auto lookup's where there are any, else
                           the draft model's, and pauses while few are accepted. Greedy
                           gives the same tokens, sampling tokens of the same distribution
                           (not the same tokens for a seed). 8-bit models (q8, int8, uint8)
                           decode plainly
  --draft-model DIR|NAME   A smaller model with the same tokenizer that drafts (e.g.
                           SmolLM2-135M for SmolLM2-1.7B); one with another tokenizer is refused`;

/** The --model-cache option, as `continue` and `chat` describe it. */
export const MODEL_CACHE_HELP = `  --model-cache DIR|off    Where the graphs ONNX Runtime optimizes are kept, so a model
                           loads several times faster the second time (default:
                           $INKWELL_MODEL_CACHE, else ~/.cache/inkwell/optimized-models;
                           at most 4 GB, the least recently used go first); off: none`;

const HELP = `Usage: inkwell continue (--prompt TEXT | --prompt-file FILE) [options]
       inkwell continue --endpoint URL … (on a server: see inkwell continue --endpoint URL --help)

Continues the prompt with a text model and prints the continuation as it is
generated (or, with --json, one JSON object at the end).

Options:
  --model DIR|NAME         Model folder, or the name of a shipped model (default: inkwell-gpt)
  --prompt TEXT            The text to continue
  --prompt-file FILE       Read the prompt from a file ('-' for standard input)
  --max-tokens N           Most tokens to generate (default: ${D.maxTokens})
  --mid-sentence           Stop exactly at the token limit; by default the text ends
                           at a sentence end near it, as in the editor
  --greedy                 Always take the most likely token (temperature 0, no repetition penalty)
  --temperature T          Sampling temperature; 0 = greedy (default: ${D.temperature})
  --top-k K                Sample among the K most likely tokens; 0 = all (default: ${D.topK})
  --top-p P                Nucleus sampling threshold (default: ${D.topP})
  --min-p P                Drop tokens less likely than P times the most likely one; 0 = off (default: ${D.minP})
  --repetition-penalty R   Penalty for tokens already in the text; 1 = none (default: ${D.repetitionPenalty})
  --no-repeat-ngram N      Never repeat a run of N tokens already in the text; 0 = off (default: ${D.noRepeatNgramSize})
  --seed S                 Seed for sampling; the same seed gives the same text (default: random)
  --stop TEXT              Stop before this text (repeatable; \\n is a line break;
                           default: three line breaks, as in the editor)
  --dtype D                Which ONNX variant of the model to load: auto, or one of
                           ${DTYPES.join(', ')} (transformers.js's names; default: auto,
                           which takes the variant a download recorded, else q4, then
                           q8/int8/uint8, then fp32, never the float16 ones)
  --threads N              ONNX Runtime threads (default: one per physical core, up to 4)
${SPECULATIVE_HELP}
${MODEL_CACHE_HELP}
  --json                   Print one object: "model", "file", "dtype", "prompt_tokens",
                           "tokens", "text", "stop_reason", "ttft_ms", "tokens_per_s", and
                           the settings used: "sampling" (with the seed), "max_tokens", "stop";
                           with "draft": {"proposed", "accepted"} when speculation ran
                           (and "draft_model", its folder, with --draft-model)
  -h, --help               Show this help

Temperature, top-p, min-p, repetition penalty and the n-gram ban not given as options come
from the model's generation_config.json when it names them, else from the defaults above.`;

/** A mistake in the command line: printed with a pointer to --help, exit code 2. */

interface ContinueArgs extends ModelArgs {
  request: TextGenerationParams;
  json: boolean;
}

/** Which model, on how many threads, in which ONNX variant: the options `continue` and `chat` share. */
export interface ModelArgs {
  model: string;
  threads: number;
  dtype: DtypeRequest;
  /** Where optimized graphs are kept; undefined: nowhere (--model-cache off). */
  cache: OptimizedModelCache | undefined;
  /** The draft model's folder (--draft-model). */
  draftModel: string | undefined;
}

/** The options that choose the model and the sampling, shared with `inkwell chat --model`. */
export const MODEL_VALUE_OPTIONS = [
  'model',
  'max-tokens',
  'temperature',
  'top-k',
  'top-p',
  'min-p',
  'repetition-penalty',
  'no-repeat-ngram',
  'seed',
  'threads',
  'dtype',
  'speculative',
  'draft-model',
  'model-cache',
];
export const MODEL_FLAG_OPTIONS = ['greedy', 'json'];

const valueOptions = [...MODEL_VALUE_OPTIONS, 'prompt', 'prompt-file', 'stop'];
const flagOptions = [...MODEL_FLAG_OPTIONS, 'mid-sentence'];

/** The flag of each option a model's generation_config.json may set when the flag is not given. */
const MODEL_SAMPLING_FLAGS: Record<ModelSamplingKey, string> = {
  temperature: 'temperature',
  topP: 'top-p',
  minP: 'min-p',
  repetitionPenalty: 'repetition-penalty',
  noRepeatNgramSize: 'no-repeat-ngram',
};

/** The extension root: the folder above dist/ (bundled) or src/cli (from source). */
function extensionRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.join(__dirname, '..');
  }
}

/** Resolves --model: a folder path, or the name of a model shipped in `<extension>/models`. */
export function resolveModelArg(value: string | undefined, cwd: string): string {
  const name = value ?? 'inkwell-gpt';
  const asPath = path.resolve(cwd, name);
  if (value !== undefined && (fs.existsSync(asPath) || /[\\/]/.test(name) || name.startsWith('.'))) return asPath;
  return path.join(extensionRoot(), 'models', name);
}

/** A command line split into `--name value` options, repeatable ones (`repeat`, in order) and flags. */
export interface OptionList {
  values: Map<string, string>;
  repeated: Map<string, string[]>;
  flags: Set<string>;
}

/** Splits `args` by the options a command takes; 'help' for -h / --help. Throws UsageErrors. */
export function readOptions(args: string[], valueNames: string[], flagNames: string[], repeat: string[] = []): OptionList | 'help' {
  const out: OptionList = { values: new Map(), repeated: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-h' || arg === '--help') return 'help';
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (m && flagNames.includes(m[1]) && m[2] === undefined) {
      out.flags.add(m[1]);
      continue;
    }
    if (!m || !valueNames.includes(m[1])) throw new UsageError(`unknown option '${arg}'`);
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new UsageError(`${arg} needs a value`);
    if (repeat.includes(m[1])) out.repeated.set(m[1], [...(out.repeated.get(m[1]) ?? []), value]);
    else out.values.set(m[1], value);
  }
  return out;
}

/** Reads option `name` as a number from `min` to `max`, or gives `fallback` when it is not given. */
function numberOption(values: Map<string, string>, name: string, fallback: number, min: number, max: number, integer = false): number {
  const raw = values.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max} (got '${raw}')`);
  }
  return n;
}

/** The editor's generation defaults, changed by the sampling options given. */
/** --speculative: off unless given (draft when only --draft-model is). */
export function speculativeMode({ values }: OptionList): SpeculativeMode {
  const raw = values.get('speculative') ?? (values.has('draft-model') ? 'draft' : 'off');
  if (!(SPECULATIVE_MODES as readonly string[]).includes(raw)) {
    throw new UsageError(`--speculative must be one of ${SPECULATIVE_MODES.join(', ')} (got '${raw}')`);
  }
  if (raw === 'draft' && !values.has('draft-model'))
    throw new UsageError('--speculative draft needs --draft-model DIR (a smaller model with the same tokenizer)');
  return raw as SpeculativeMode;
}

export function generationSettings({ values, flags }: OptionList, stop: readonly string[]): GenerationSettings {
  const number = (name: string, fallback: number, min: number, max: number, integer = false) =>
    numberOption(values, name, fallback, min, max, integer);
  const greedy = flags.has('greedy');
  if (greedy && ['temperature', 'top-k', 'top-p', 'min-p', 'seed'].some((k) => values.has(k))) {
    throw new UsageError('--greedy cannot be combined with --temperature, --top-k, --top-p, --min-p or --seed');
  }
  return {
    maxTokens: number('max-tokens', D.maxTokens, 1, 100000, true),
    temperature: greedy ? 0 : number('temperature', D.temperature, 0, 100),
    topK: number('top-k', D.topK, 0, 1e9, true),
    topP: number('top-p', D.topP, 0, 1),
    minP: number('min-p', D.minP, 0, 1),
    repetitionPenalty: number('repetition-penalty', greedy ? 1 : D.repetitionPenalty, 1, 100),
    noRepeatNgramSize: number('no-repeat-ngram', D.noRepeatNgramSize, 0, 100, true),
    seed: values.has('seed') ? number('seed', 0, 0, 2 ** 32 - 1, true) : null,
    stop,
    // --greedy sets the temperature and the repetition penalty.
    notSet: MODEL_SAMPLING_KEYS.filter(
      (key) => !values.has(MODEL_SAMPLING_FLAGS[key]) && !(greedy && (key === 'temperature' || key === 'repetitionPenalty')),
    ),
  };
}

/** --model, --threads and --dtype. */
export function modelArgs({ values }: OptionList, cwd: string): ModelArgs {
  let dtype: DtypeRequest;
  try {
    dtype = parseDtypeRequest(values.get('dtype'));
  } catch (err) {
    throw new UsageError(`--dtype: ${(err as Error).message}`);
  }
  const cache = values.get('model-cache');
  return {
    model: resolveModelArg(values.get('model'), cwd),
    threads: numberOption(values, 'threads', Math.min(4, physicalCoreCount()), 1, 256, true),
    dtype,
    cache: cache === undefined ? cliModelCache() : cache === 'off' ? undefined : modelCache(path.resolve(cwd, cache)),
    draftModel: values.has('draft-model') ? resolveModelArg(values.get('draft-model'), cwd) : undefined,
  };
}

const CLI_CACHE_BYTES = 4 * 1024 ** 3;

function modelCache(dir: string): OptimizedModelCache {
  return new OptimizedModelCache({ dir, maxBytes: CLI_CACHE_BYTES, ortVersion: ort.env.versions?.node ?? 'unknown' });
}

/**
 * The command line's cache of optimized graphs: $INKWELL_MODEL_CACHE ('off': none), else
 * $XDG_CACHE_HOME/inkwell/optimized-models (~/.cache when unset).
 */
export function cliModelCache(): OptimizedModelCache | undefined {
  const env = process.env.INKWELL_MODEL_CACHE;
  if (env === 'off') return undefined;
  if (env) return modelCache(path.resolve(env));
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return modelCache(path.join(base, 'inkwell', 'optimized-models'));
}

function parse(args: string[], io: CliIo): ContinueArgs | 'help' {
  const options = readOptions(args, valueOptions, flagOptions, ['stop']);
  if (options === 'help') return 'help';
  const { values, flags } = options;
  let prompt = values.get('prompt');
  const promptFile = values.get('prompt-file');
  if ((prompt === undefined) === (promptFile === undefined)) throw new UsageError('give exactly one of --prompt and --prompt-file');
  if (promptFile !== undefined) {
    try {
      prompt = fs.readFileSync(promptFile === '-' ? 0 : path.resolve(io.cwd, promptFile), 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --prompt-file: ${(err as Error).message}`);
    }
  }
  // The same escapes as the editor's setting (`--stop '\n\n'`); default: the editor's.
  const stops = options.repeated.get('stop') ?? D.stop;
  const request = buildTextRequest(prompt ?? '', generationSettings(options, stops));
  return {
    ...modelArgs(options, io.cwd),
    request: { ...request, endAtSentence: !flags.has('mid-sentence'), speculative: speculativeMode(options) },
    json: flags.has('json'),
  };
}

/** A model loaded in this process, with what its folder decided. */
export type InProcessModel = LoadedTextModel & { files: TextModelFiles; info: TextModelInfo; release(): Promise<void> };

/**
 * Loads a text model folder with in-process ONNX Runtime session(s), for `dtype` (default auto),
 * through the loader the runtime process uses (generation/textModelLoader.ts).
 */
export async function loadModelInProcess(
  dir: string,
  threads: number,
  dtype: DtypeRequest = 'auto',
  open: { tuning?: SessionTuning; cache?: OptimizedModelCache } = {},
): Promise<InProcessModel> {
  const { model, files, info, sessions } = await loadTextModelFolder(dir, dtype, {
    open: (file) => openOnnxSession(sessionCreator(ort.InferenceSession), file, threads, { ...open, rewrite: cacheByPosition }),
    close: (session) => session.release(),
    makeTensor: (type, data, dims) => new ort.Tensor(type, data, dims),
  });
  return {
    ...model,
    files,
    info,
    release: async () => {
      for (const session of sessions) await session.release();
    },
  };
}

/** The model a command runs and, with --draft-model, the one that drafts for it. */
export interface CommandModels {
  model: InProcessModel;
  draft: InProcessModel | undefined;
  release(): Promise<void>;
}

/** Loads the model and the draft model; a failure is printed (`inkwell <command>: …`) and gives undefined. */
export async function loadCommandModels(options: ModelArgs, io: CliIo, command: string): Promise<CommandModels | undefined> {
  const loaded: InProcessModel[] = [];
  try {
    loaded.push(await loadModelInProcess(options.model, options.threads, options.dtype, { cache: options.cache }));
    if (options.draftModel) loaded.push(await loadModelInProcess(options.draftModel, options.threads, 'auto', { cache: options.cache }));
  } catch (err) {
    for (const m of loaded) await m.release();
    io.err(`inkwell ${command}: ${(err as Error).message}`);
    return undefined;
  }
  return {
    model: loaded[0],
    draft: loaded[1],
    release: async () => {
      for (const m of loaded) await m.release();
    },
  };
}

export async function run(args: string[], io: CliIo): Promise<number> {
  // A server does the work: no model is loaded here.
  if (args.some((a) => a === '--endpoint' || a.startsWith('--endpoint=')))
    return (await import('./remoteCommand.js')).runRemote('continue', args, io);
  const options = readArguments('continue', io, HELP, () => parse(args, io));
  if (typeof options === 'number') return options;
  const models = await loadCommandModels(options, io, 'continue');
  if (!models) return 1;
  const { model, draft } = models;
  try {
    let streamed = '';
    // On a terminal the text goes out as it is generated; a captured io gets it as one line at the end.
    const live = io === processIo;
    const result = await generateText(model, options.request, {
      // Without --json the text goes out as it is generated.
      onText: options.json
        ? undefined
        : (text) => {
            streamed += text;
            if (live) process.stdout.write(text);
          },
      draft,
    });
    if (options.json) {
      io.out(
        JSON.stringify({
          model: model.dir,
          file: model.files.decoder.withPast ? [model.files.decoder.decoder, model.files.decoder.withPast] : model.files.decoder.decoder,
          dtype: model.files.decoder.dtype,
          prompt_tokens: result.promptTokens,
          tokens: result.tokens,
          text: result.text,
          stop_reason: result.stopReason,
          ttft_ms: Number(result.ttftMs.toFixed(2)),
          tokens_per_s: Number(result.tokensPerSecond.toFixed(2)),
          // What the options, the model's generation_config.json and the defaults added up to.
          sampling: applyModelSampling(options.request, model.samplingDefaults ?? {}),
          max_tokens: options.request.maxTokens,
          stop: options.request.stop,
          ...(result.draft ? { draft: result.draft } : {}),
          ...(options.draftModel ? { draft_model: options.draftModel } : {}),
        }),
      );
    } else {
      if (!live) io.out(streamed);
      else if (!streamed.endsWith('\n')) process.stdout.write('\n');
      io.err(
        `${result.tokens.length} tokens (${result.stopReason}), first token ${result.ttftMs.toFixed(0)} ms, ` +
          `${result.tokensPerSecond.toFixed(1)} tokens/s, seed ${options.request.sampling.seed}${result.promptTokensDropped ? `, prompt cut by ${result.promptTokensDropped} tokens` : ''}`,
      );
      io.err(model.files.decoder.note);
    }
    return 0;
  } catch (err) {
    io.err(`inkwell continue: ${(err as Error).message}`);
    return 1;
  } finally {
    await models.release();
  }
}
