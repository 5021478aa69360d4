import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { isGreedy } from '../../../src/generation/sampling';
import {
  applyModelSampling,
  buildTextRequest,
  GENERATION_DEFAULTS,
  modelSamplingDefaults,
  type GenerationSettings,
} from '../../../src/generation/textRequest';
import { isSetByUser, samplingNotSet, type SettingInspection } from '../../../src/util/settingInspection';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { title: string; properties: Record<string, { default?: unknown }> }[] };
};

describe('text generation requests', () => {
  it("the defaults are package.json's inkwell.generation.* defaults, key for key", () => {
    const declared: Record<string, unknown> = {};
    for (const [key, property] of manifest.contributes.configuration.flatMap((group) => Object.entries(group.properties))) {
      if (key.startsWith('inkwell.generation.')) declared[key.slice('inkwell.generation.'.length)] = property.default;
    }
    assert.deepStrictEqual({ ...GENERATION_DEFAULTS, stop: [...GENERATION_DEFAULTS.stop] }, declared);
  });

  it('the settings come in plain groups, the sampling knobs apart under an advanced one', () => {
    const groups = manifest.contributes.configuration.map((g) => g.title);
    assert.deepStrictEqual(groups, ['Frontmatter', 'Preview', 'Text', 'Text: sampling (advanced)', 'Images', 'Models', 'Server']);
    // Everything about a server, and nothing else, under Server.
    assert.deepStrictEqual(Object.keys(manifest.contributes.configuration[6].properties), [
      'inkwell.text.provider',
      'inkwell.remote.baseUrl',
      'inkwell.remote.model',
      'inkwell.remote.apiKeyEnvironmentVariable',
    ]);
    const advanced = Object.keys(manifest.contributes.configuration[3].properties);
    assert.deepStrictEqual(advanced.sort(), [
      'inkwell.generation.minP',
      'inkwell.generation.noRepeatNgramSize',
      'inkwell.generation.repetitionPenalty',
      'inkwell.generation.seed',
      'inkwell.generation.topK',
      'inkwell.generation.topP',
    ]);
    // The first settings a writer reads are about posts, not sampling jargon.
    assert.strictEqual(Object.keys(manifest.contributes.configuration[0].properties)[0], 'inkwell.site.generator');
  });

  it('a temperature given for one request wins over a temperature-0 setting: the request samples', () => {
    const settings: GenerationSettings = { ...GENERATION_DEFAULTS, temperature: 0, seed: 7 };
    const greedy = buildTextRequest('Hello', settings);
    assert.ok(isGreedy(greedy.sampling), 'temperature 0 in settings is greedy');
    const sampled = buildTextRequest('Hello', settings, { sampling: { temperature: 0.9 } });
    assert.strictEqual(sampled.sampling.temperature, 0.9);
    assert.ok(!isGreedy(sampled.sampling), 'the override made the request sample');
    assert.deepStrictEqual(
      Object.keys(sampled.sampling).sort(),
      ['minP', 'noRepeatNgramSize', 'repetitionPenalty', 'seed', 'temperature', 'topK', 'topP'],
      'no separate greedy flag',
    );
  });

  it('takes settings, overrides and extra stops, with the settings written with escapes', () => {
    const settings: GenerationSettings = { ...GENERATION_DEFAULTS, seed: 3 };
    const request = buildTextRequest('Hi', settings, { maxTokens: 5, sampling: { topK: 2, seed: undefined }, extraStop: ['\n\n'] });
    assert.deepStrictEqual(request, {
      prompt: 'Hi',
      maxTokens: 5,
      sampling: { temperature: 0.8, topK: 2, topP: 0.95, minP: 0, repetitionPenalty: 1.1, seed: 3, noRepeatNgramSize: 0 },
      stop: ['\n\n\n', '\n\n'],
      endAtSentence: true,
    });
    assert.deepStrictEqual(buildTextRequest('Hi', settings, { stop: [] }).stop, []);
    // Without a seed in settings, each request draws one.
    const fresh = buildTextRequest('Hi', GENERATION_DEFAULTS).sampling.seed;
    assert.ok(Number.isInteger(fresh) && fresh >= 0 && fresh < 2 ** 32);
  });

  it('a setting counts as set when any user, workspace or folder value exists, even one equal to the default', () => {
    assert.strictEqual(isSetByUser(undefined), false);
    assert.strictEqual(isSetByUser({}), false, 'only the default');
    assert.strictEqual(isSetByUser({ globalValue: 0.8 }), true, 'the default, written down, is a choice');
    assert.strictEqual(isSetByUser({ workspaceFolderValue: 1 }), true);
    assert.strictEqual(isSetByUser({ workspaceLanguageValue: 0.5 }), true, "a [markdown] setting is the user's too");
    const inspections: Record<string, SettingInspection> = {
      temperature: { globalValue: 0.8 },
      topP: {},
      minP: { globalValue: 0 },
      repetitionPenalty: { workspaceValue: 1.3 },
      noRepeatNgramSize: { globalValue: 0 },
    };
    assert.deepStrictEqual(
      samplingNotSet((key) => inspections[key]),
      ['topP'],
    );
  });

  it("generation_config.json's temperature, top_p, min_p, repetition_penalty and no_repeat_ngram_size replace only the options nobody set", () => {
    const defaults = modelSamplingDefaults({
      temperature: 0.6,
      top_p: 0.9,
      min_p: 0.05,
      repetition_penalty: 1.05,
      no_repeat_ngram_size: 4,
      top_k: 20,
      do_sample: true,
      eos_token_id: 2,
    });
    assert.deepStrictEqual(defaults, { temperature: 0.6, topP: 0.9, minP: 0.05, repetitionPenalty: 1.05, noRepeatNgramSize: 4 });
    assert.deepStrictEqual(
      modelSamplingDefaults({ temperature: -1, top_p: 0, min_p: 1.5, repetition_penalty: 0.5, no_repeat_ngram_size: 2.5 }),
      {},
      'values the sampler cannot take are ignored',
    );
    assert.deepStrictEqual(modelSamplingDefaults(undefined), {});
    const settings: GenerationSettings = {
      ...GENERATION_DEFAULTS,
      seed: 1,
      notSet: ['temperature', 'topP', 'minP', 'repetitionPenalty', 'noRepeatNgramSize'],
    };
    const request = buildTextRequest('Hi', settings, { sampling: { temperature: 0.3 } });
    assert.deepStrictEqual(
      request.defaultedSampling,
      ['topP', 'minP', 'repetitionPenalty', 'noRepeatNgramSize'],
      'a command argument is a choice',
    );
    assert.deepStrictEqual(applyModelSampling(request, defaults), {
      temperature: 0.3,
      topK: 40,
      topP: 0.9,
      minP: 0.05,
      repetitionPenalty: 1.05,
      seed: 1,
      noRepeatNgramSize: 4,
    });
    // Settings that do not say what is unset: everything is the user's.
    assert.strictEqual(buildTextRequest('Hi', GENERATION_DEFAULTS).defaultedSampling, undefined);
    assert.deepStrictEqual(applyModelSampling(buildTextRequest('Hi', { ...GENERATION_DEFAULTS, seed: 1 }), defaults).temperature, 0.8);
  });
});
