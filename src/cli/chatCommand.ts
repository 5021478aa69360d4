/**
 * `inkwell chat --model DIR`: answers a conversation with a local instruct model, in this process.
 * The model's chat template turns the conversation into the prompt (src/generation/chatTemplate.ts);
 * the loading and the decode are those of `inkwell continue`, and the answer ends at the end of the
 * model's turn. `inkwell chat --endpoint URL` goes to a server instead (remoteCommand.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { chatMessages, readChatSetup, type ChatMessage, type ChatSetup } from '../generation/chatTemplate';
import { generateChat } from '../generation/generate';
import { GenerationError } from '../generation/generationError';
import { DTYPES } from '../generation/layout';
import {
  applyModelSampling,
  buildChatParams,
  GENERATION_DEFAULTS,
  type ChatRequestParams,
  type TextGenerationResult,
} from '../generation/textRequest';
import {
  generationSettings,
  loadCommandModels,
  MODEL_FLAG_OPTIONS,
  MODEL_VALUE_OPTIONS,
  modelArgs,
  readOptions,
  SPECULATIVE_HELP,
  MODEL_CACHE_HELP,
  speculativeMode,
  type InProcessModel,
  type ModelArgs,
} from './continue';
import { processIo, readArguments, UsageError, type CliIo } from './io';
import { CHAT_HELP } from './remoteCommand';

const D = GENERATION_DEFAULTS;

const HELP = `Usage: inkwell chat --model DIR (--user TEXT [--system TEXT] | --messages FILE.json) [options]
       inkwell chat --endpoint URL … (on a server: see below)

Answers a conversation with a local instruct model: its chat template (chat_template.jinja,
or "chat_template" in tokenizer_config.json) makes the prompt, and the answer ends at the end
of the model's turn (generation_config.json's eos_token_id and the tokenizer's eos_token).

Options:
  --model DIR              The model folder (it must have a chat template)
  --user TEXT              The user's message
  --system TEXT            A system message before it
  --messages FILE.json     The conversation: an array of {"role", "content"} ('-' for standard input)
  --max-tokens N           Most tokens to generate (default: ${D.maxTokens})
  --greedy                 Always take the most likely token (temperature 0, no repetition penalty)
  --temperature T          Sampling temperature; 0 = greedy (default: ${D.temperature})
  --top-k K, --top-p P, --min-p P, --repetition-penalty R, --no-repeat-ngram N, --seed S
                           As for inkwell continue
  --dtype D                auto, or one of ${DTYPES.join(', ')} (as for inkwell continue)
  --threads N              ONNX Runtime threads (default: one per physical core, up to 4)
${SPECULATIVE_HELP}
${MODEL_CACHE_HELP}
  --json                   Print one object: "model", "file", "dtype", "template",
                           "prompt_tokens" (the ids fed to the model), "tokens", "text",
                           "stop_reason", "ttft_ms", "tokens_per_s", "sampling", "max_tokens";
                           with "draft": {"proposed", "accepted"} when speculation ran
                           (and "draft_model", its folder, with --draft-model)
  -h, --help               Show this help

${CHAT_HELP}`;

interface ChatArgs extends ModelArgs {
  messages: ChatMessage[];
  /** The sampling and the token limit. */
  request: ChatRequestParams;
  json: boolean;
}

/** The conversation of --user/--system or --messages, checked. */
function conversation(values: Map<string, string>, cwd: string): ChatMessage[] {
  const file = values.get('messages');
  const user = values.get('user');
  if ((file === undefined) === (user === undefined)) throw new UsageError('give exactly one of --user and --messages');
  if (file === undefined) {
    const system = values.get('system');
    return [...(system !== undefined ? [{ role: 'system', content: system }] : []), { role: 'user', content: user! }];
  }
  if (values.has('system')) throw new UsageError('--system goes with --user; put a system message in the --messages file instead');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file === '-' ? 0 : path.resolve(cwd, file), 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read --messages: ${(err as Error).message}`);
  }
  try {
    return chatMessages(raw);
  } catch (err) {
    if (err instanceof GenerationError) throw new UsageError(`--messages ${file}: ${err.message}`);
    throw err;
  }
}

function parse(args: string[], cwd: string): ChatArgs | 'help' {
  const options = readOptions(args, [...MODEL_VALUE_OPTIONS, 'user', 'system', 'messages'], MODEL_FLAG_OPTIONS);
  if (options === 'help') return 'help';
  if (!options.values.has('model')) throw new UsageError('give --model DIR (a local instruct model) or --endpoint URL (a server)');
  return {
    ...modelArgs(options, cwd),
    messages: conversation(options.values, cwd),
    // A chat ends at the end of the model's turn: no stop sequences.
    request: { ...buildChatParams(generationSettings(options, [])), speculative: speculativeMode(options) },
    json: options.flags.has('json'),
  };
}

function printJson(io: CliIo, model: InProcessModel, chat: ChatSetup, options: ChatArgs, result: TextGenerationResult): void {
  const { request } = options;
  io.out(
    JSON.stringify({
      model: model.dir,
      file: model.files.decoder.withPast ? [model.files.decoder.decoder, model.files.decoder.withPast] : model.files.decoder.decoder,
      dtype: model.files.decoder.dtype,
      template: chat.template.file,
      prompt_tokens: result.promptTokens,
      tokens: result.tokens,
      text: result.text,
      stop_reason: result.stopReason,
      ttft_ms: Number(result.ttftMs.toFixed(2)),
      tokens_per_s: Number(result.tokensPerSecond.toFixed(2)),
      sampling: applyModelSampling(request, model.samplingDefaults ?? {}),
      max_tokens: request.maxTokens,
      ...(result.draft ? { draft: result.draft } : {}),
      ...(options.draftModel ? { draft_model: options.draftModel } : {}),
    }),
  );
}

/** Loads the model and its chat template, answers, prints; the exit code. */
async function answer(options: ChatArgs, io: CliIo): Promise<number> {
  const models = await loadCommandModels(options, io, 'chat');
  if (!models) return 1;
  const { model, draft } = models;
  let chat: ChatSetup;
  try {
    chat = readChatSetup(model.files, model.tokenizer);
    const { sampling, maxTokens, defaultedSampling, speculative } = options.request;
    const live = io === processIo;
    let streamed = '';
    const onText = (text: string) => {
      streamed += text;
      if (live) process.stdout.write(text);
    };
    const result = await generateChat(
      model,
      chat,
      { messages: options.messages, sampling, maxTokens, defaultedSampling, speculative },
      { onText: options.json ? undefined : onText, draft },
    );
    if (options.json) printJson(io, model, chat, options, result);
    else {
      if (!live) io.out(streamed);
      else if (!streamed.endsWith('\n')) process.stdout.write('\n');
      io.err(
        `${result.tokens.length} tokens (${result.stopReason}) after a prompt of ${result.promptTokens.length} tokens, seed ${sampling.seed}`,
      );
    }
    return 0;
  } catch (err) {
    io.err(`inkwell chat: ${(err as Error).message}`);
    return 1;
  } finally {
    await models.release();
  }
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const options = readArguments('chat', io, HELP, () => parse(args, io.cwd));
  return typeof options === 'number' ? options : answer(options, io);
}
