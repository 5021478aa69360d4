import * as fs from 'fs';
import { RuntimeError } from '../../runtimeError';
import type { ModelCheckResult, RuntimeStep } from '../../protocol';
import { imageModelChecker } from './image';
import { checkTextModel, isTextModelFolder } from './text';
import type { HandlerGroup, RuntimeServices } from './types';

/** Checks one kind of model folder. */
export interface ModelChecker {
  /** Cheap test on the folder's files: does this checker own it? */
  matches(dir: string): boolean;
  /** `progress` hears when loading is done and the test inference starts (`run`). */
  check(services: RuntimeServices, dir: string, progress?: (step: RuntimeStep) => void, dtype?: string): Promise<ModelCheckResult>;
}

/**
 * Checkers by model kind, tried in order. Image models add theirs here.
 */
export const modelCheckers: ModelChecker[] = [{ matches: isTextModelFolder, check: checkTextModel }, imageModelChecker];

export const modelHandlers: HandlerGroup<'model.check' | 'model.unload' | 'runtime.info'> = {
  async 'model.check'({ model, dtype }, ctx) {
    if (!fs.existsSync(model)) throw new RuntimeError('model-not-found', `Model folder not found: ${model}`, model);
    const checker = modelCheckers.find((c) => c.matches(model));
    if (!checker) {
      throw new RuntimeError(
        'model-invalid',
        `${model} is not a model folder Inkwell knows: a text model needs config.json, tokenizer.json and an ONNX decoder (onnx/model.onnx or a dtype variant such as onnx/model_q4.onnx).`,
        model,
      );
    }
    return checker.check(ctx.services, model, (step) => ctx.step(step), dtype);
  },
  async 'model.unload'({ model }, ctx) {
    return { unloaded: await ctx.services.forget(model) };
  },
  async 'runtime.info'(_params, ctx) {
    return {
      pid: process.pid,
      onnxruntimeVersion: ctx.services.ort.env.versions?.node ?? 'unknown',
      threads: ctx.services.options.threads,
      loadedModels: ctx.services.sessions.files(),
      rssBytes: process.memoryUsage().rss,
    };
  },
};
