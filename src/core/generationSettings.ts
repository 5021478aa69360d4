/**
 * The `inkwell.generation.*` settings as data: their shape, their defaults and which of them a
 * model's generation_config.json may choose when nobody set them. Shared by the settings reader
 * (util/config.ts), the request builder (generation/textRequest.ts) and the CLI.
 */
import { DEFAULT_STOP_SEQUENCES } from './stopSequences';

/** Sampling options a model's generation_config.json may give defaults for. */
export const MODEL_SAMPLING_KEYS = ['temperature', 'topP', 'minP', 'repetitionPenalty', 'noRepeatNgramSize'] as const;
export type ModelSamplingKey = (typeof MODEL_SAMPLING_KEYS)[number];

/** The `inkwell.generation.*` settings, keyed as in package.json. */
export interface GenerationSettings {
  maxTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  /** 0 = off. */
  minP: number;
  repetitionPenalty: number;
  /** 0 = off. */
  noRepeatNgramSize: number;
  /** Null: a fresh seed for every request. */
  seed: number | null;
  /** Stop sequences as written in settings (with `\n` escapes). */
  stop: readonly string[];
  /**
   * Which of the model-defaultable options the user has not set: in the editor, those no user,
   * workspace or folder setting names (util/settingInspection.ts); in the CLI, those without a
   * flag. The model's generation_config.json may choose them. Absent: the user set them all.
   */
  notSet?: readonly ModelSamplingKey[];
}

/**
 * Defaults of `inkwell.generation.*`. package.json declares the same values
 * for the Settings editor (a unit test holds the two equal); the CLI takes its
 * defaults from here.
 */
export const GENERATION_DEFAULTS: Readonly<GenerationSettings> = Object.freeze({
  maxTokens: 120,
  temperature: 0.8,
  topK: 40,
  topP: 0.95,
  minP: 0,
  repetitionPenalty: 1.1,
  noRepeatNgramSize: 0,
  seed: null,
  stop: DEFAULT_STOP_SEQUENCES,
});
