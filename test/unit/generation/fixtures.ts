/** Shared helpers for the generation tests: the fixture models and a real ONNX session. */
import * as fs from 'fs';
import * as path from 'path';
import * as ort from 'onnxruntime-node';
import type { LoadedTextModel } from '../../../src/generation/generate';
import { loadTextModelSpec, textModelFiles } from '../../../src/generation/textModel';
import { loadTokenizer } from '../../../src/generation/tokenizer';
import type { SamplingOptions } from '../../../src/generation/textRequest';

export const modelsDir = path.join(__dirname, '..', '..', 'fixtures', 'models');
export const fixtureModels = ['tiny-gpt2', 'tiny-gpt2/no-past', 'tiny-llama'] as const;

/** PyTorch's greedy ids, written by test/fixtures/make_text_models.py. */
export interface ExpectedGreedy {
  steps: number;
  cases: Array<{ prompt: string; prompt_ids: number[]; greedy_ids: number[] }>;
}

export function expectedFor(name: string): ExpectedGreedy {
  return JSON.parse(fs.readFileSync(path.join(modelsDir, name, 'expected.json'), 'utf8')) as ExpectedGreedy;
}

export const greedy: SamplingOptions = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 };

/** Loads a fixture model with a real onnxruntime-node session. Release `session` when done. */
export async function loadFixture(name: string): Promise<LoadedTextModel & { session: ort.InferenceSession }> {
  const dir = path.join(modelsDir, name);
  const files = textModelFiles(dir);
  const session = await ort.InferenceSession.create(files.onnx, { intraOpNumThreads: 1 });
  return {
    dir,
    onnxFile: files.onnx,
    spec: loadTextModelSpec(files),
    tokenizer: loadTokenizer(files),
    session,
    makeTensor: (type, data, dims) => new ort.Tensor(type, data, dims),
  };
}
