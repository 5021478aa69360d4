import * as fs from 'fs';
import * as path from 'path';
import type { RuntimeStep, TextModelCheck } from '../../protocol';
import { decoderSignature } from '../../../generation/decoder';
import { generateText, type LoadedTextModel } from '../../../generation/generate';
import type { MakeTensor } from '../../../generation/onnxTypes';
import { loadTextModelSpec, textModelFiles } from '../../../generation/textModel';
import { loadTokenizer } from '../../../generation/tokenizer';
import { fileKey } from '../sessions';
import type { HandlerGroup, RuntimeServices } from './types';

/** Loads (or reuses) a text model: spec and tokenizer are memoized, the session cached. */
export async function loadTextModel(services: RuntimeServices, dir: string): Promise<{ model: LoadedTextModel; loadMs: number }> {
  const started = performance.now();
  const files = textModelFiles(dir);
  const versions = [files.config, files.tokenizer].map(fileKey).join('|');
  const { spec, tokenizer } = await services.memo(`${dir}${path.sep}#text|${versions}`, async () => ({
    spec: loadTextModelSpec(files),
    tokenizer: loadTokenizer(files),
  }));
  const wasLoaded = services.sessions.has(files.onnx);
  const session = await services.sessions.get(files.onnx);
  const { Tensor } = services.ort;
  const makeTensor: MakeTensor = (type, data, dims) => new Tensor(type, data, dims);
  return {
    model: { dir, onnxFile: files.onnx, spec, tokenizer, session, makeTensor },
    loadMs: wasLoaded ? 0 : performance.now() - started,
  };
}

const checkPrompt = 'The quick brown fox';

/** Signature and a test inference of a text model, for "Check Model". */
export async function checkTextModel(services: RuntimeServices, dir: string, progress?: (step: RuntimeStep) => void): Promise<TextModelCheck> {
  const { model } = await loadTextModel(services, dir);
  progress?.('run');
  const { spec, session } = model;
  const ortSession = await services.sessions.get(model.onnxFile);
  const signature = decoderSignature(session, spec, model.onnxFile);
  const describe = (m: (typeof ortSession.inputMetadata)[number]) =>
    m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] };
  const started = performance.now();
  const sample = await generateText(model, {
    prompt: checkPrompt,
    maxTokens: 8,
    stop: [],
    sampling: { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 },
  });
  let bytes = fs.statSync(model.onnxFile).size;
  const external = `${model.onnxFile}_data`;
  if (fs.existsSync(external)) bytes += fs.statSync(external).size;
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
    inputs: ortSession.inputMetadata.map(describe),
    outputs: ortSession.outputMetadata.map(describe),
    sample: { prompt: checkPrompt, text: sample.text, tokens: sample.tokens, ms: performance.now() - started },
    bytes,
  };
}

/** True when `dir` looks like a text model folder (used by model.check to pick a checker). */
export function isTextModelFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'tokenizer.json')) && fs.existsSync(path.join(dir, 'config.json'));
}

export const textHandlers: HandlerGroup<'text.generate'> = {
  async 'text.generate'(params, ctx) {
    const { model, loadMs } = await loadTextModel(ctx.services, params.model);
    ctx.step('run');
    let streamed = false;
    return generateText(
      model,
      params,
      {
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
      },
      loadMs,
    );
  },
};
