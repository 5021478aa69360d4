import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { isGreedy } from '../../../src/generation/sampling';
import { buildTextRequest, GENERATION_DEFAULTS, type GenerationSettings } from '../../../src/generation/textRequest';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
};

describe('text generation requests', () => {
  it("the defaults are package.json's inkwell.generation.* defaults, key for key", () => {
    const declared: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(manifest.contributes.configuration.properties)) {
      if (key.startsWith('inkwell.generation.')) declared[key.slice('inkwell.generation.'.length)] = property.default;
    }
    assert.deepStrictEqual({ ...GENERATION_DEFAULTS, stop: [...GENERATION_DEFAULTS.stop] }, declared);
  });

  it('a temperature given for one request wins over a temperature-0 setting: the request samples', () => {
    const settings: GenerationSettings = { ...GENERATION_DEFAULTS, temperature: 0, seed: 7 };
    const greedy = buildTextRequest('Hello', settings);
    assert.ok(isGreedy(greedy.sampling), 'temperature 0 in settings is greedy');
    const sampled = buildTextRequest('Hello', settings, { sampling: { temperature: 0.9 } });
    assert.strictEqual(sampled.sampling.temperature, 0.9);
    assert.ok(!isGreedy(sampled.sampling), 'the override made the request sample');
    assert.deepStrictEqual(Object.keys(sampled.sampling).sort(), ['repetitionPenalty', 'seed', 'temperature', 'topK', 'topP'], 'no separate greedy flag');
  });

  it('takes settings, overrides and extra stops, with the settings written with escapes', () => {
    const settings: GenerationSettings = { ...GENERATION_DEFAULTS, seed: 3 };
    const request = buildTextRequest('Hi', settings, { maxTokens: 5, sampling: { topK: 2, seed: undefined }, extraStop: ['\n\n'] });
    assert.deepStrictEqual(request, {
      prompt: 'Hi',
      maxTokens: 5,
      sampling: { temperature: 0.8, topK: 2, topP: 0.95, repetitionPenalty: 1.1, seed: 3 },
      stop: ['\n\n\n', '\n\n'],
      endAtSentence: true,
    });
    assert.deepStrictEqual(buildTextRequest('Hi', settings, { stop: [] }).stop, []);
    // Without a seed in settings, each request draws one.
    const fresh = buildTextRequest('Hi', GENERATION_DEFAULTS).sampling.seed;
    assert.ok(Number.isInteger(fresh) && fresh >= 0 && fresh < 2 ** 32);
  });
});
