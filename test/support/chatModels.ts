/**
 * Chat model folders for tests: the random-weight tiny-llama (test/fixtures/models/tiny-llama, a
 * GPT-2 byte-level tokenizer) with one family's special tokens, chat template (from
 * test/fixtures/chat-templates/templates.json) and end-of-turn ids. The special tokens take over
 * the last ids of the vocabulary (their old pieces and the merges making them are removed), so the
 * model can generate them.
 */
import * as fs from 'fs';
import * as path from 'path';

// From test/support, or from out/test/integration when bundled into an integration suite.
const fixtures = [path.join(__dirname, '..', 'fixtures'), path.join(__dirname, '..', '..', '..', 'test', 'fixtures')].find((dir) =>
  fs.existsSync(path.join(dir, 'chat-templates')),
)!;
export const TINY_LLAMA = path.join(fixtures, 'models', 'tiny-llama');
/** tiny-gpt2 exported without a KV cache: each step runs over the whole sequence, slow enough to cancel midway. */
export const TINY_GPT2_NO_PAST = path.join(fixtures, 'models', 'tiny-gpt2', 'no-past');
export const TEMPLATES_FILE = path.join(fixtures, 'chat-templates', 'templates.json');

type Json = Record<string, unknown>;

export interface ChatFamily {
  /** A short name for test titles. */
  name: string;
  /** The key of templates.json. */
  hubId: string;
  /** The family's special tokens (bos and eos included). */
  special: string[];
  bos?: string;
  eos: string;
  /** tokenizer_config.json gives bos and eos as AddedToken objects, as many real ones do. */
  objectTokens?: boolean;
  /** tokenizer.json's post-processor puts the BOS first, as Llama's, Mistral's and Gemma's do: the template must not get it twice. */
  bosPrefix?: boolean;
  /** generation_config.json's eos_token_id, as tokens. */
  generationEos: string[];
}

const IM = ['<|im_start|>', '<|im_end|>', '<|endoftext|>'];

export const CHAT_FAMILIES: ChatFamily[] = [
  { name: 'Qwen2.5', hubId: 'Qwen/Qwen2.5-7B-Instruct', special: IM, eos: '<|im_end|>', generationEos: ['<|im_end|>', '<|endoftext|>'] },
  {
    name: 'Qwen3',
    hubId: 'Qwen/Qwen3-0.6B',
    special: [...IM, '<think>', '</think>'],
    eos: '<|im_end|>',
    generationEos: ['<|im_end|>', '<|endoftext|>'],
  },
  {
    name: 'Llama 3.1',
    hubId: 'meta-llama/Llama-3.1-8B-Instruct',
    special: [
      '<|begin_of_text|>',
      '<|end_of_text|>',
      '<|start_header_id|>',
      '<|end_header_id|>',
      '<|eot_id|>',
      '<|eom_id|>',
      '<|python_tag|>',
    ],
    bos: '<|begin_of_text|>',
    eos: '<|eot_id|>',
    bosPrefix: true,
    generationEos: ['<|end_of_text|>', '<|eom_id|>', '<|eot_id|>'],
  },
  { name: 'SmolLM3', hubId: 'HuggingFaceTB/SmolLM3-3B', special: IM, eos: '<|im_end|>', generationEos: ['<|im_end|>'] },
  {
    name: 'Mistral Nemo',
    hubId: 'mistralai/Mistral-Nemo-Instruct-2407',
    special: [
      '<s>',
      '</s>',
      '[INST]',
      '[/INST]',
      '[AVAILABLE_TOOLS]',
      '[/AVAILABLE_TOOLS]',
      '[TOOL_CALLS]',
      '[TOOL_RESULTS]',
      '[/TOOL_RESULTS]',
    ],
    bos: '<s>',
    eos: '</s>',
    bosPrefix: true,
    generationEos: ['</s>'],
  },
  {
    name: 'zephyr-gemma',
    hubId: 'HuggingFaceH4/zephyr-7b-gemma-v0.1',
    special: ['<bos>', '<eos>', '<|im_start|>', '<|im_end|>'],
    bos: '<bos>',
    eos: '<eos>',
    objectTokens: true,
    bosPrefix: true,
    generationEos: ['<|im_end|>', '<eos>'],
  },
  {
    name: 'DeepSeek LLM',
    hubId: 'deepseek-ai/deepseek-llm-7b-chat',
    special: ['<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>'],
    bos: '<｜begin▁of▁sentence｜>',
    eos: '<｜end▁of▁sentence｜>',
    bosPrefix: true,
    generationEos: ['<｜end▁of▁sentence｜>'],
  },
  {
    name: 'DeepSeek R1',
    hubId: 'deepseek-ai/DeepSeek-R1',
    special: ['<｜begin▁of▁sentence｜>', '<｜end▁of▁sentence｜>', '<｜User｜>', '<｜Assistant｜>'],
    bos: '<｜begin▁of▁sentence｜>',
    eos: '<｜end▁of▁sentence｜>',
    bosPrefix: true,
    generationEos: ['<｜end▁of▁sentence｜>'],
  },
];

/** The conversations every family is checked on: user only; system + user; earlier turns. */
export const CONVERSATIONS: { name: string; messages: { role: string; content: string }[] }[] = [
  { name: 'user only', messages: [{ role: 'user', content: 'Write a haiku about autumn leaves.' }] },
  {
    name: 'system + user',
    messages: [
      { role: 'system', content: 'You edit a food blog. Answer in one sentence.' },
      { role: 'user', content: 'Is a café au lait the same as a latte?' },
    ],
  },
  {
    name: 'system + user + assistant + user',
    messages: [
      { role: 'system', content: 'You are a concise writing assistant.' },
      { role: 'user', content: 'Suggest a title for a post on sourdough.' },
      { role: 'assistant', content: 'Slow Bread: A Sourdough Diary' },
      { role: 'user', content: 'Shorter, please — three words at most.' },
    ],
  },
];

/** templates.json: hub id to `{chat_template, test_bos_token, test_eos_token}`. */
export function chatTemplates(): Record<string, { chat_template: string }> {
  return (JSON.parse(fs.readFileSync(TEMPLATES_FILE, 'utf8')) as { templates: Record<string, { chat_template: string }> }).templates;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Json;

/** `base`'s tokenizer.json (GPT-2's byte-level BPE) with `tokens` (special) on the last ids of the vocabulary; their ids by token. */
function tokenizerWith(tokens: string[], base: string): { json: Json; ids: Record<string, number> } {
  const json = readJson(path.join(base, 'tokenizer.json'));
  const model = json.model as { vocab: Record<string, number>; merges: string[] };
  const byId = new Map(Object.entries(model.vocab).map(([piece, id]) => [id, piece]));
  const existing = (json.added_tokens as { id: number; content: string }[]).map((t) => t.content);
  const ids: Record<string, number> = {};
  const added = tokens.filter((t) => !existing.includes(t));
  const taken = new Set<string>();
  added.forEach((token, i) => {
    const id = model.vocab['<|endoftext|>'] - 1 - i;
    const piece = byId.get(id)!;
    delete model.vocab[piece];
    taken.add(piece);
    ids[token] = id;
  });
  model.merges = model.merges.filter((m) => !taken.has(m.replace(' ', '')));
  const addedTokens = json.added_tokens as Json[];
  for (const token of added) {
    addedTokens.push({
      id: ids[token],
      content: token,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    });
  }
  for (const t of addedTokens) ids[t.content as string] = t.id as number;
  return { json, ids };
}

/** The context a config.json gives (Llama's or GPT-2's key). */
function contextOf(config: Json): number {
  return Number(config.max_position_embeddings ?? config.n_positions ?? 256);
}

/** A TemplateProcessing post-processor that puts `bos` before the text, as Llama's and Gemma's tokenizer.json do. */
function bosPostProcessor(bos: string, id: number): Json {
  const special = { SpecialToken: { id: bos, type_id: 0 } };
  return {
    type: 'TemplateProcessing',
    single: [special, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [special, { Sequence: { id: 'A', type_id: 0 } }, special, { Sequence: { id: 'B', type_id: 1 } }],
    special_tokens: { [bos]: { id: bos, ids: [id], tokens: [bos] } },
  };
}

function configToken(content: string, asObject: boolean | undefined): unknown {
  return asObject
    ? { __type: 'AddedToken', content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true }
    : content;
}

export interface ChatModelFolder {
  dir: string;
  /** Each special token's id. */
  ids: Record<string, number>;
}

/**
 * Writes `family`'s chat model into `dir`: tiny-llama's config.json and ONNX graph, its tokenizer
 * with the family's special tokens, tokenizer_config.json with the template, generation_config.json
 * with the end-of-turn ids. `change` edits tokenizer_config.json before it is written. `base` gives
 * another model with a GPT-2 byte-level tokenizer its config.json, tokenizer and `graphs` (onnx/
 * file names): TINY_GPT2_NO_PAST, or a benchmark shape.
 */
export function writeChatModel(
  dir: string,
  family: ChatFamily,
  change?: (tokenizerConfig: Json) => void,
  base: string = TINY_LLAMA,
  graphs: readonly string[] = ['model.onnx'],
): ChatModelFolder {
  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  fs.copyFileSync(path.join(base, 'config.json'), path.join(dir, 'config.json'));
  for (const graph of graphs) fs.copyFileSync(path.join(base, 'onnx', graph), path.join(dir, 'onnx', graph));
  const { json, ids } = tokenizerWith(family.special, base);
  if (family.bosPrefix && family.bos) json.post_processor = bosPostProcessor(family.bos, ids[family.bos]);
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(json));
  const config: Json = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    model_max_length: contextOf(readJson(path.join(base, 'config.json'))),
    clean_up_tokenization_spaces: false,
    ...(family.bos ? { bos_token: configToken(family.bos, family.objectTokens) } : {}),
    eos_token: configToken(family.eos, family.objectTokens),
    chat_template: chatTemplates()[family.hubId].chat_template,
  };
  change?.(config);
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config, null, 2));
  fs.writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: family.generationEos.map((t) => ids[t]) }));
  return { dir, ids };
}
