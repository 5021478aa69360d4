/**
 * Chat templates of instruct models: a model folder is a chat model when it ships a Jinja chat
 * template, as `chat_template.jinja` beside its tokenizer (which wins, as in transformers) or as
 * tokenizer_config.json's `chat_template` (a string, or a list of `{name, template}`: the one named
 * `default`). The template is rendered with @huggingface/jinja, the engine transformers.js renders
 * templates with, with the variables transformers' `apply_chat_template` passes, and the text it
 * gives is tokenized without adding special tokens: the template already wrote them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Environment, Interpreter, Template } from '@huggingface/jinja';
import { GenerationError } from './generationError';
import { MODEL_FILE_LIMITS, readModelText } from './modelFiles';
import { tokenContent } from './specialTokens';
import { readJson, type TextModelFiles } from './textModel';
import type { TextTokenizer } from './tokenizer';

type Json = Record<string, unknown>;

/** One turn of a conversation. Roles are the template's business ("system", "user", "assistant", …). */
export interface ChatMessage {
  role: string;
  content: string;
}

/** A model's chat template, parsed, with the special tokens it is rendered with. */
export interface ChatTemplate {
  /** The file the template came from (chat_template.jinja or tokenizer_config.json). */
  file: string;
  /** The template's source text. */
  source: string;
  /** bos_token, eos_token, … as strings, and additional_special_tokens as a list: the variables transformers passes. */
  specialTokens: Record<string, string | string[]>;
  parsed: Template;
}

/** What chatting with a model needs beyond the model: its template and the ids that end its turn. */
export interface ChatSetup {
  template: ChatTemplate;
  /** generation_config.json's eos_token_id(s) and the tokenizer's eos: generating one ends the answer. */
  endOfTurnIds: number[];
}

/** The file that, when present, holds the template (transformers reads it before tokenizer_config.json). */
export const CHAT_TEMPLATE_FILE = 'chat_template.jinja';

/** The special-token entries of tokenizer_config.json that transformers passes to a template. */
const SPECIAL_TOKEN_KEYS = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'];

/** tokenizer_config.json's special tokens as template variables; AddedToken objects become their content. */
export function templateSpecialTokens(tokenizerConfig: Json): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of SPECIAL_TOKEN_KEYS) {
    const value = tokenContent(tokenizerConfig[key]);
    if (value) out[key] = value;
  }
  const extra = tokenizerConfig.additional_special_tokens;
  if (Array.isArray(extra)) out.additional_special_tokens = extra.map(tokenContent).filter((t): t is string => t !== undefined);
  return out;
}

/** tokenizer_config.json's `chat_template`: the string, or the `default` entry of a list of named templates. */
function configTemplate(value: unknown, file: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const named = value.filter(
      (t): t is { name: string; template: string } => typeof t?.name === 'string' && typeof t?.template === 'string',
    );
    const found = named.find((t) => t.name === 'default');
    if (found) return found.template;
    throw new GenerationError(
      'model-invalid',
      `${file} lists chat templates (${named.map((t) => t.name).join(', ') || 'none with a name and a template'}) but none named "default", the one a chat uses.`,
      file,
    );
  }
  throw new GenerationError('model-invalid', `${file}: "chat_template" must be a string or a list of {"name", "template"}.`, file);
}

/** Parses a template, or says in words what the template engine could not read. */
export function parseChatTemplate(source: string, file: string): Template {
  try {
    return new Template(source);
  } catch (err) {
    throw new GenerationError(
      'model-invalid',
      `The chat template in ${file} cannot be read: ${describeJinjaError((err as Error).message)}.`,
      file,
      (err as Error).message,
    );
  }
}

/**
 * Reads the chat template of a model folder, or undefined when it has none. `tokenizerConfig` is
 * the parsed tokenizer_config.json (absent when the folder has none).
 */
export function readChatTemplate(dir: string, tokenizerConfig: Json | undefined, tokenizerConfigFile?: string): ChatTemplate | undefined {
  const jinjaFile = path.join(dir, CHAT_TEMPLATE_FILE);
  const configFile = tokenizerConfigFile ?? path.join(dir, 'tokenizer_config.json');
  const fromFile = fs.existsSync(jinjaFile) ? readModelText(jinjaFile, MODEL_FILE_LIMITS.json) : undefined;
  const source = fromFile ?? configTemplate(tokenizerConfig?.chat_template, configFile);
  if (source === undefined) return undefined;
  const file = fromFile !== undefined ? jinjaFile : configFile;
  return { file, source, specialTokens: templateSpecialTokens(tokenizerConfig ?? {}), parsed: parseChatTemplate(source, file) };
}

/**
 * Whether a model folder ships a chat template (and so can serve writing help). Only looks: the
 * template is parsed when a chat first uses it, and a broken one is reported then.
 */
export function hasChatTemplate(dir: string): boolean {
  try {
    if (fs.existsSync(path.join(dir, CHAT_TEMPLATE_FILE))) return true;
    const config = JSON.parse(readModelText(path.join(dir, 'tokenizer_config.json'), MODEL_FILE_LIMITS.json)) as Json;
    return config.chat_template !== undefined && config.chat_template !== null;
  } catch {
    return false;
  }
}

/** The ids that end an answer: generation_config.json's eos_token_id (a number or a list) and the tokenizer's eos. */
export function endOfTurnIds(generationConfig: Json | undefined, tokenizerEosId: number | undefined): number[] {
  const value = generationConfig?.eos_token_id;
  const listed = Array.isArray(value) ? value : [value];
  const ids = listed.filter((v): v is number => typeof v === 'number' && Number.isInteger(v));
  if (tokenizerEosId !== undefined) ids.push(tokenizerEosId);
  return [...new Set(ids)];
}

/**
 * The chat template and end-of-turn ids of a model folder. Throws a `model-invalid`
 * GenerationError when the folder has no template: such a model continues text, it does not answer.
 */
export function readChatSetup(files: TextModelFiles, tokenizer: TextTokenizer): ChatSetup {
  const tokenizerConfig = files.tokenizerConfig ? readJson(files.tokenizerConfig) : undefined;
  const template = readChatTemplate(files.dir, tokenizerConfig, files.tokenizerConfig);
  if (!template) {
    throw new GenerationError(
      'model-invalid',
      `${files.dir} has no chat template: it is not an instruct model; its tokenizer_config.json has no "chat_template" and there is no ${CHAT_TEMPLATE_FILE}. ` +
        `Continue text with it (inkwell continue), or chat with an instruct model (a "-Instruct" or "-chat" one).`,
      files.tokenizerConfig ?? files.dir,
    );
  }
  const generationConfig = files.generationConfig ? readJson(files.generationConfig) : undefined;
  return { template, endOfTurnIds: endOfTurnIds(generationConfig, tokenizer.eosTokenId) };
}

/**
 * Checks that `value` is a non-empty list of `{role, content}` with string values and returns
 * just those. Throws a `bad-request` GenerationError naming the first item at fault.
 */
export function chatMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new GenerationError('bad-request', 'The conversation must be a non-empty list of {"role", "content"} messages.');
  }
  return value.map((item: unknown, i) => {
    const { role, content } = (item && typeof item === 'object' ? item : {}) as { role?: unknown; content?: unknown };
    if (typeof role !== 'string' || !role || typeof content !== 'string') {
      throw new GenerationError(
        'bad-request',
        `Message ${i + 1} of the conversation must be {"role": "…", "content": "…"} with strings (got ${JSON.stringify(item)?.slice(0, 80)}).`,
      );
    }
    return { role, content };
  });
}

/** What `raise_exception` throws: the template refused the conversation, with the template's own words. */
class TemplateRaised extends Error {}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * Python's `datetime.now().strftime(format)` in the C locale (English names, whatever this
 * machine's language), which is what transformers' `strftime_now` gives templates.
 */
export function strftime(date: Date, format: string): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const fields: Record<string, () => string> = {
    Y: () => String(date.getFullYear()),
    y: () => pad(date.getFullYear() % 100),
    m: () => pad(date.getMonth() + 1),
    d: () => pad(date.getDate()),
    B: () => MONTHS[date.getMonth()],
    b: () => MONTHS[date.getMonth()].slice(0, 3),
    A: () => DAYS[date.getDay()],
    a: () => DAYS[date.getDay()].slice(0, 3),
    H: () => pad(date.getHours()),
    M: () => pad(date.getMinutes()),
    S: () => pad(date.getSeconds()),
    '%': () => '%',
  };
  return format.replace(/%(.)/g, (whole, c: string) => fields[c]?.() ?? whole);
}

/** Python's range(stop) / range(start, stop[, step]). */
function range(...args: number[]): number[] {
  const [start, stop, step = 1] = args.length === 1 ? [0, args[0]] : args;
  if (step === 0) throw new Error('range() arg 3 must not be zero');
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

/**
 * The globals @huggingface/jinja's Template.render sets, with `raise_exception` marked as the
 * template's own refusal and `strftime_now` as Python gives it (the library's follows the machine's
 * language). Template.render cannot take them: it refuses a variable declared twice.
 */
function templateGlobals(now: () => Date): Record<string, unknown> {
  return {
    true: true,
    false: false,
    none: null,
    True: true,
    False: false,
    None: null,
    range,
    raise_exception: (message: unknown) => {
      throw new TemplateRaised(String(message));
    },
    strftime_now: (format: unknown) => strftime(now(), String(format)),
  };
}

/** A Jinja error of @huggingface/jinja in words a user acts on: which feature, and that it is the engine's limit. */
export function describeJinjaError(message: string): string {
  const unsupported = (what: string) =>
    `it uses ${what}, which Inkwell's template engine (@huggingface/jinja, the one transformers.js uses) does not support`;
  let m: RegExpExecArray | null;
  if ((m = /Unknown statement type: (\w+)/.exec(message))) return unsupported(`the {% ${m[1]} %} statement`);
  if ((m = /Unknown (?:\w+ )?filter: (\w+)/.exec(message))) return unsupported(`the filter "${m[1]}" (on such a value)`);
  if ((m = /Unknown test: (\w+)/.exec(message))) return unsupported(`the test "is ${m[1]}"`);
  if (/Cannot call something that is not a function/.test(message)) return unsupported('a function or method that is not defined');
  return `${message} (a Jinja syntax the template engine does not know, or a mistake in the template)`;
}

export interface RenderOptions {
  /** End with the start of the assistant's turn (what a model answers after). Default true. */
  addGenerationPrompt?: boolean;
  /** The clock `strftime_now` reads (tests fix it). */
  now?: () => Date;
}

/**
 * Renders `messages` with the template and the variables transformers' `apply_chat_template`
 * passes. Throws a `bad-request` GenerationError with the template's words when it raises (a
 * conversation it does not take), `model-invalid` when it fails otherwise.
 */
export function renderChat(template: ChatTemplate, messages: readonly ChatMessage[], options: RenderOptions = {}): string {
  const env = new Environment();
  const variables = {
    ...templateGlobals(options.now ?? (() => new Date())),
    ...template.specialTokens,
    messages: messages.map((m) => ({ role: m.role, content: m.content })),
    add_generation_prompt: options.addGenerationPrompt ?? true,
    tools: null,
    documents: null,
  };
  for (const [name, value] of Object.entries(variables)) env.set(name, value);
  try {
    const result = new Interpreter(env).run(template.parsed.parsed);
    return String(result.value);
  } catch (err) {
    if (err instanceof TemplateRaised) {
      throw new GenerationError('bad-request', `The model's chat template refused this conversation: ${err.message}`, template.file);
    }
    const message = (err as Error).message;
    throw new GenerationError(
      'model-invalid',
      `The chat template in ${template.file} failed to render: ${describeJinjaError(message)}.`,
      template.file,
      message,
    );
  }
}

/** The prompt ids of a conversation: the rendered template, tokenized without adding special tokens again. */
export function chatPromptIds(
  setup: ChatSetup,
  tokenizer: TextTokenizer,
  messages: readonly ChatMessage[],
  options?: RenderOptions,
): number[] {
  return tokenizer.encode(renderChat(setup.template, messages, options));
}
