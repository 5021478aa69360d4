import type { SamplingOptions } from '../runtime/protocol';
import type { InkwellConfig } from '../util/config';

/**
 * The sampling options `inkwell.generation.*` describe. Without a configured
 * seed each call draws a fresh one, so repeated runs differ.
 */
export function samplingFromSettings(settings: InkwellConfig['generation']): SamplingOptions {
  return {
    greedy: settings.temperature <= 0,
    temperature: settings.temperature,
    topK: settings.topK,
    topP: settings.topP,
    repetitionPenalty: settings.repetitionPenalty,
    seed: settings.seed ?? Math.floor(Math.random() * 2 ** 32),
  };
}
