import * as fs from 'fs';
import * as path from 'path';
import type { RuntimeStep, TextModelCheck } from '../../protocol';
import { decoderSignature } from '../../../generation/decoder';
import { CHAT_TEMPLATE_FILE, readChatSetup, type ChatSetup } from '../../../generation/chatTemplate';
import { generateChat, generateText, type GenerateHooks, type LoadedTextModel } from '../../../generation/generate';
import { GenerationError } from '../../../generation/generationError';
import { parseDtypeRequest, type DtypeRequest } from '../../../generation/layout';
import type { TextModelFiles, TextModelInfo } from '../../../generation/textModel';
import { loadTextModelFolder, readTextModelFolder } from '../../../generation/textModelLoader';
import { fileKey } from '../sessions';
import type { HandlerContext, HandlerGroup, RuntimeServices } from './types';

/** A loaded text model and what the folder's files decided. */
export interface LoadedFolder {
  model: LoadedTextModel;
  files: TextModelFiles;
  info: TextModelInfo;
  loadMs: number;
}

/**
 * Loads (or reuses) a text model for `dtype` (`auto` when not given) through the one loader
 * (generation/textModelLoader.ts): the files are chosen on every request, spec and tokenizer are
 * memoized by their files' versions, sessions are cached by graph file.
 */
export async function loadTextModel(services: RuntimeServices, dir: string, dtype?: string): Promise<LoadedFolder> {
  const started = performance.now();
  let request: DtypeRequest;
  try {
    request = parseDtypeRequest(dtype);
  } catch (err) {
    throw new GenerationError('bad-request', `inkwell.models.dtype: ${(err as Error).message}`);
  }
  let opened = false;
  const { Tensor } = services.ort;
  const { model, files, info } = await loadTextModelFolder(dir, request, {
    open: (file) => {
      if (!services.sessions.has(file)) opened = true;
      return services.sessions.get(file);
    },
    makeTensor: (type, data, dims) => new Tensor(type, data, dims),
    read: (files) => {
      const versions = [files.config, files.tokenizer, files.tokenizerConfig, files.generationConfig]
        .map((f) => (f ? fileKey(f) : '-'))
        .join('|');
      return services.memo(`${dir}${path.sep}#text|${versions}`, async () => readTextModelFolder(files));
    },
  });
  return { model, files, info, loadMs: opened ? performance.now() - started : 0 };
}

const checkPrompt = 'The quick brown fox';

/** Signature and a test inference of a text model, for "Check Model". */
export async function checkTextModel(
  services: RuntimeServices,
  dir: string,
  progress?: (step: RuntimeStep) => void,
  dtype?: string,
): Promise<TextModelCheck> {
  const { model, files, info } = await loadTextModel(services, dir, dtype);
  progress?.('run');
  const { spec, session } = model;
  const ortSession = await services.sessions.get(model.onnxFile);
  const stepSession = model.withPast ? await services.sessions.get(model.withPast.file) : ortSession;
  const signature = decoderSignature(model.withPast?.session ?? session, spec, model.withPast?.file ?? model.onnxFile);
  const describe = (m: (typeof ortSession.inputMetadata)[number]) =>
    m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] };
  const started = performance.now();
  const sample = await generateText(model, {
    prompt: checkPrompt,
    maxTokens: 8,
    stop: [],
    sampling: { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 },
  });
  const bytes = [files.onnx, ...(files.withPast ? [files.withPast] : []), ...files.externalData].reduce(
    (n, f) => n + fs.statSync(f).size,
    0,
  );
  const { decoder } = files;
  return {
    kind: 'text',
    model: dir,
    modelType: spec.modelType,
    layers: spec.layers,
    heads: spec.heads,
    kvHeads: spec.kvHeads,
    headDim: spec.headDim,
    hidden: spec.hidden,
    vocabSize: spec.vocabSize,
    contextLength: spec.contextLength,
    hasKvCache: signature.hasKvCache,
    cacheByPosition: signature.cache.some((c) => c.byPosition),
    file: decoder.withPast ? `${decoder.decoder} + ${decoder.withPast}` : decoder.decoder,
    dtype: decoder.dtype,
    note: decoder.note,
    prefixIds: spec.prefixIds,
    eosTokenIds: spec.eosTokenIds,
    eosSource: info.special.source.eos,
    inputs: ortSession.inputMetadata.map(describe),
    outputs: stepSession.outputMetadata.map(describe),
    sample: { prompt: checkPrompt, text: sample.text, tokens: sample.tokens, ms: performance.now() - started },
    bytes,
  };
}

/** True when `dir` looks like a text model folder (used by model.check to pick a checker). */
export function isTextModelFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'tokenizer.json')) && fs.existsSync(path.join(dir, 'config.json'));
}

/** The hooks that stream a decode back to the host: text as chunks, every other token as progress. */
function streamingHooks(ctx: HandlerContext<'text.generate' | 'text.chat'>): GenerateHooks {
  let streamed = false;
  return {
    onText: (text, generatedTokens) => {
      streamed = true;
      ctx.stream({ text, generatedTokens });
    },
    // A token whose text is held back (half a character, a possible stop sequence) is still progress.
    onToken: () => {
      if (!streamed) ctx.step('token');
      streamed = false;
    },
    signal: ctx.signal,
    yieldBetweenSteps: ctx.yieldToHost,
  };
}

/**
 * The chat template and end-of-turn ids of a loaded folder, memoized by the versions of the
 * files they come from (a template parses once per process, not once per request).
 */
function chatSetup(services: RuntimeServices, loaded: LoadedFolder): Promise<ChatSetup> {
  const { files } = loaded;
  const versions = [files.tokenizerConfig, files.generationConfig, path.join(files.dir, CHAT_TEMPLATE_FILE)]
    .map((f) => (f && fs.existsSync(f) ? fileKey(f) : '-'))
    .join('|');
  return services.memo(`${files.dir}${path.sep}#chat|${versions}`, async () => readChatSetup(files, loaded.model.tokenizer));
}

/** The draft model a request names (`draftModel`), loaded like any text model in its `auto` variant. */
async function draftModel(services: RuntimeServices, dir: string | undefined): Promise<{ draft?: LoadedTextModel; loadMs: number }> {
  if (!dir) return { loadMs: 0 };
  const { model, loadMs } = await loadTextModel(services, dir);
  return { draft: model, loadMs };
}

export const textHandlers: HandlerGroup<'text.generate' | 'text.chat' | 'text.preload'> = {
  async 'text.preload'(params, ctx) {
    const { model, loadMs } = await loadTextModel(ctx.services, params.model, params.dtype);
    return { loadMs, files: [model.onnxFile, ...(model.withPast ? [model.withPast.file] : [])] };
  },
  async 'text.generate'(params, ctx) {
    const { model, loadMs } = await loadTextModel(ctx.services, params.model, params.dtype);
    const { draft, loadMs: draftMs } = await draftModel(ctx.services, params.draftModel);
    ctx.step('run');
    return generateText(model, params, { ...streamingHooks(ctx), draft }, loadMs + draftMs);
  },
  async 'text.chat'(params, ctx) {
    const loaded = await loadTextModel(ctx.services, params.model, params.dtype);
    // A folder without a chat template fails here, as `model-invalid` ("not an instruct model").
    const chat = await chatSetup(ctx.services, loaded);
    const { draft, loadMs: draftMs } = await draftModel(ctx.services, params.draftModel);
    ctx.step('run');
    const { model: _dir, dtype: _dtype, draftModel: _draft, ...request } = params;
    return generateChat(loaded.model, chat, request, { ...streamingHooks(ctx), draft }, loaded.loadMs + draftMs);
  },
};
