/**
 * Writing help with a chat model: how long Suggest Title, Suggest Description and Suggest Tags
 * take to their first candidate and to all of them, on the shipped inkwell-gpt (given a plain-text
 * chat template: it is not an instruct model, so this times the pipeline, not the answers) and on
 * a SmolLM2-135M-shaped q4 model with a ChatML template (random weights, built in bench/.cache
 * like the generation benchmark's). Each request is the editor's: the real prompt (prompts.ts)
 * for the longest sample post, cut to the model's context by generateChat, greedy, the tag
 * constraint on for tags, in process with the model loaded (the load is reported apart).
 *
 * Reference, measured in the same run and taking turns: the same conversation answered for the
 * same number of tokens without the suggestion's machinery (no choice constraint, no end of
 * turn), so the ratio is what the template, the constraint and the parsing cost over plain
 * decoding.
 *
 * Run: npm run bench -- suggest. Settings: INKWELL_BENCH_THREADS (2), INKWELL_BENCH_RUNS (3).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadModelInProcess, type InProcessModel } from '../src/cli/continue';
import { postBody } from '../src/core/suggest/plainText';
import {
  descriptionPrompt,
  modelDescriptions,
  modelTags,
  modelTitles,
  tagPrompt,
  titlePrompt,
  type SuggestPrompt,
} from '../src/core/suggest/prompts';
import { MAX_TAG_SUGGESTIONS } from '../src/core/suggest/tags';
import { readChatSetup, type ChatSetup } from '../src/generation/chatTemplate';
import type { ChoiceOptions } from '../src/generation/choiceConstraint';
import { generateChat } from '../src/generation/generate';
import type { DtypeRequest } from '../src/generation/layout';
import { CHAT_FAMILIES, writeChatModel } from '../test/support/chatModels';
import { ensureFixture, ensureVariants } from './generation';

const repo = path.join(__dirname, '..');
const cacheDir = path.join(repo, 'bench', '.cache');
const threads = Number(process.env.INKWELL_BENCH_THREADS ?? 2);
const runs = Math.max(1, Number(process.env.INKWELL_BENCH_RUNS ?? 3));
const GREEDY = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 };
/** The editor's token limits (features/suggestModel.ts). */
const MAX_TOKENS = { title: 160, description: 400, tags: 80 } as const;
type Kind = keyof typeof MAX_TOKENS;

/** A turn-by-turn template in plain text, for a model that has none (its end-of-text ends the answer); the tour uses it too. */
const PLAIN_TEMPLATE = path.join(repo, 'test', 'fixtures', 'chat-templates', 'plain.jinja');

/** The shipped GPT with a plain chat template, in bench/.cache (the shipped folder is left as it is). */
function shippedChat(): string | undefined {
  const shipped = path.join(repo, 'models', 'inkwell-gpt');
  if (!fs.existsSync(path.join(shipped, 'onnx', 'model.onnx'))) return undefined;
  const dir = path.join(cacheDir, 'inkwell-gpt-chat');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(shipped, dir, { recursive: true });
  fs.copyFileSync(PLAIN_TEMPLATE, path.join(dir, 'chat_template.jinja'));
  return dir;
}

/** The SmolLM2-135M shape's q4 graph with Qwen2.5's ChatML template and its special tokens. */
function smolChat(): string {
  const base = ensureFixture('smollm2');
  if (!fs.existsSync(path.join(base, 'onnx', 'model_q4.onnx'))) ensureVariants(base);
  const dir = path.join(cacheDir, 'smollm2-shape-chat');
  if (!fs.existsSync(path.join(dir, 'onnx', 'model_q4.onnx'))) {
    writeChatModel(
      dir,
      CHAT_FAMILIES.find((f) => f.name === 'Qwen2.5')!,
      undefined,
      base,
      ['model_q4.onnx'],
    );
  }
  return dir;
}

/** The longest sample post's text. */
function samplePost(): { name: string; text: string } {
  const dirs = [path.join(repo, '..', 'shared', 'samples'), path.join(repo, 'samples')].filter((d) => fs.existsSync(d));
  const files = dirs.flatMap((d) => walk(d)).filter((f) => f.endsWith('.md'));
  const longest = files.map((f) => ({ f, size: fs.statSync(f).size })).sort((a, b) => b.size - a.size)[0];
  return { name: path.basename(longest.f), text: fs.readFileSync(longest.f, 'utf8') };
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const TAXONOMY = [
  'machine-learning',
  'generative-ai',
  'writing',
  'markdown',
  'images',
  'onnx',
  'privacy',
  'tutorial',
  'gans',
  'evaluation',
];

function promptFor(kind: Kind, body: string): SuggestPrompt & { choices?: ChoiceOptions } {
  if (kind === 'title') return titlePrompt(body);
  if (kind === 'description') return descriptionPrompt(body);
  return { ...tagPrompt(body, TAXONOMY, MAX_TAG_SUGGESTIONS), choices: { allowed: TAXONOMY, separator: ', ', max: MAX_TAG_SUGGESTIONS } };
}

/** Candidates in the answer so far, as the editor parses them. */
function candidates(kind: Kind, text: string): number {
  if (kind === 'title') return modelTitles(text, 'm').length;
  if (kind === 'description') return modelDescriptions(text, 'm').length;
  return modelTags(text, TAXONOMY, 'm', MAX_TAG_SUGGESTIONS).length;
}

interface Timing {
  promptTokens: number;
  tokens: number;
  firstMs: number | undefined;
  allMs: number;
  candidates: number;
  cutChars: number;
}

/** One suggestion request: times to the first parsed candidate (the text up to a line end or separator) and to the end. */
async function suggestOnce(model: InProcessModel, chat: ChatSetup, kind: Kind, body: string): Promise<Timing> {
  const prompt = promptFor(kind, body);
  const started = performance.now();
  let text = '';
  let firstMs: number | undefined;
  const result = await generateChat(
    model,
    chat,
    { messages: prompt.messages, cuttable: prompt.cuttable, sampling: GREEDY, maxTokens: MAX_TOKENS[kind], choices: prompt.choices },
    {
      onText(delta) {
        text += delta;
        // A candidate is whole once a line (or a tag) after it has begun.
        if (firstMs === undefined && /[\n,]/.test(delta) && candidates(kind, text.replace(/[^\n,]*$/, '')) > 0)
          firstMs = performance.now() - started;
      },
    },
  );
  const allMs = performance.now() - started;
  const count = candidates(kind, result.text);
  return {
    promptTokens: result.promptTokens.length,
    tokens: result.tokens.length,
    firstMs: firstMs ?? (count > 0 ? allMs : undefined),
    allMs,
    candidates: count,
    cutChars: result.promptCharsCut ?? 0,
  };
}

/** The reference: the same conversation, the same number of tokens, no constraint and no end of turn. */
async function referenceOnce(model: InProcessModel, chat: ChatSetup, kind: Kind, body: string, tokens: number): Promise<number> {
  const prompt = promptFor(kind, body);
  const started = performance.now();
  await generateChat(
    model,
    { ...chat, endOfTurnIds: [] },
    { messages: prompt.messages, cuttable: prompt.cuttable, sampling: GREEDY, maxTokens: tokens },
  );
  return performance.now() - started;
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (v: number | undefined) => (v === undefined ? '–' : `${v.toFixed(0)} ms`);

export async function benchSuggest(): Promise<void> {
  const post = samplePost();
  const body = postBody(post.text);
  const models = [
    { label: 'inkwell-gpt (shipped, plain template)', dir: shippedChat(), dtype: 'fp32' as DtypeRequest },
    { label: 'SmolLM2-135M-shaped, ChatML', dir: smolChat(), dtype: 'q4' as DtypeRequest },
  ].filter((m): m is { label: string; dir: string; dtype: DtypeRequest } => m.dir !== undefined);
  console.log(`\n## Writing help: time to the first and to all candidates\n`);
  console.log(
    `Post ${post.name} (${body.length.toLocaleString('en')} characters of body; the prompt carries at most 6,000, cut further to the model's context). ` +
      `Greedy, ${threads} threads, in process, model loaded; median of ${runs} runs, suggestion and reference taking turns. ` +
      `Tags choose among ${TAXONOMY.length} tags. Load average before: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}.\n`,
  );
  console.log(
    '| model | kind | load | prompt tokens (post cut) | answer tokens | candidates | first candidate | all candidates | reference (same tokens, plain) | ratio |',
  );
  console.log('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const m of models) {
    const loadStart = performance.now();
    const model = await loadModelInProcess(m.dir, threads, m.dtype);
    const loadMs = performance.now() - loadStart;
    const chat = readChatSetup(model.files, model.tokenizer);
    try {
      for (const kind of ['title', 'description', 'tags'] as const) {
        await suggestOnce(model, chat, kind, body); // warm-up
        const timings: Timing[] = [];
        const reference: number[] = [];
        for (let r = 0; r < runs; r++) {
          const t = await suggestOnce(model, chat, kind, body);
          timings.push(t);
          reference.push(await referenceOnce(model, chat, kind, body, t.tokens));
        }
        const t = timings[0];
        const all = median(timings.map((x) => x.allMs));
        const firsts = timings.map((x) => x.firstMs).filter((x): x is number => x !== undefined);
        const ref = median(reference);
        console.log(
          `| ${m.label} (${model.files.decoder.dtype}) | ${kind} | ${ms(loadMs)} | ${t.promptTokens} (${t.cutChars.toLocaleString('en')} chars cut) | ${t.tokens} | ${t.candidates} | ` +
            `${ms(firsts.length ? median(firsts) : undefined)} | ${ms(all)} | ${ms(ref)} | ${(all / ref).toFixed(2)}× |`,
        );
      }
    } finally {
      await model.release();
    }
  }
  console.log(
    '\nWith random weights (the SmolLM2 shape) and a model that is not an instruct model (inkwell-gpt) the answers are not titles: a title or ' +
      'description answer runs until its token limit or end of text, so "all candidates" is the worst case of a real model, and "first candidate" ' +
      'is when the first line the editor would offer was whole (– where no line parsed as one).',
  );
}
