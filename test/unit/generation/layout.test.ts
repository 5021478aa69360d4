import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  chooseDecoderFiles,
  declaredExternalDataChunks,
  externalDataFiles,
  externalDataOutside,
  LayoutError,
  listDecoderVariants,
  parseDtypeRequest,
} from '../../../src/generation/layout';

const parityDir = path.join(__dirname, '..', '..', 'fixtures', 'models', 'parity');
const base = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

/** Files of a folder, relative and `/`-separated, as the loader would list them. */
function listFiles(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

describe('generation/layout: which ONNX files to load', () => {
  const allVariants = [
    ...base,
    'onnx/model.onnx',
    'onnx/model_fp16.onnx',
    'onnx/model_quantized.onnx',
    'onnx/model_int8.onnx',
    'onnx/model_uint8.onnx',
    'onnx/model_q4.onnx',
    'onnx/model_q4f16.onnx',
    'onnx/model_bnb4.onnx',
  ];

  it('maps each transformers.js dtype name to its file', () => {
    const expected: Record<string, string> = {
      fp32: 'onnx/model.onnx',
      fp16: 'onnx/model_fp16.onnx',
      q8: 'onnx/model_quantized.onnx',
      int8: 'onnx/model_int8.onnx',
      uint8: 'onnx/model_uint8.onnx',
      q4: 'onnx/model_q4.onnx',
      q4f16: 'onnx/model_q4f16.onnx',
      bnb4: 'onnx/model_bnb4.onnx',
    };
    for (const [dtype, file] of Object.entries(expected)) {
      const chosen = chooseDecoderFiles(allVariants, parseDtypeRequest(dtype));
      assert.strictEqual(chosen.decoder, file, dtype);
      assert.strictEqual(chosen.layout, 'model');
      assert.strictEqual(chosen.auto, false);
      assert.strictEqual(chosen.cacheDtype, dtype === 'fp16' || dtype === 'q4f16' ? 'float16' : 'float32', dtype);
    }
  });

  it('auto picks the fastest variant a CPU runs well (q4 > q8 > int8 > uint8 > fp32) and says which', () => {
    const steps: Array<[string[], string]> = [
      [allVariants, 'onnx/model_q4.onnx'],
      [allVariants.filter((f) => !f.includes('_q4.')), 'onnx/model_quantized.onnx'],
      [[...base, 'onnx/model.onnx', 'onnx/model_int8.onnx', 'onnx/model_fp16.onnx'], 'onnx/model_int8.onnx'],
      [[...base, 'onnx/model.onnx', 'onnx/model_uint8.onnx', 'onnx/model_q4f16.onnx'], 'onnx/model_uint8.onnx'],
      [[...base, 'onnx/model.onnx', 'onnx/model_fp16.onnx', 'onnx/model_bnb4.onnx'], 'onnx/model.onnx'],
    ];
    for (const [files, file] of steps) {
      const chosen = chooseDecoderFiles(files, 'auto');
      assert.strictEqual(chosen.decoder, file);
      assert.strictEqual(chosen.auto, true);
      assert.match(chosen.note, /^Using onnx\/model\S*\.onnx \(\w+\), the fastest variant for a CPU in this folder/);
    }
    assert.match(chooseDecoderFiles(allVariants, 'auto').note, /also has fp32, fp16, q8, int8, uint8, q4f16, bnb4\./);
  });

  it('auto refuses a folder with only GPU variants, naming what it needs, what it found and how to run it anyway', () => {
    assert.throws(
      () => chooseDecoderFiles([...base, 'onnx/model_fp16.onnx'], 'auto'),
      (err: Error) =>
        err instanceof LayoutError &&
        err.message.startsWith('needs onnx/model.onnx or onnx/model_q4.onnx') &&
        err.message.includes('found only onnx/model_fp16.onnx (fp16)') &&
        err.message.includes('to fp16 to run it anyway'),
    );
    const fp16 = chooseDecoderFiles([...base, 'onnx/model_fp16.onnx'], 'fp16');
    assert.strictEqual(fp16.cacheDtype, 'float16');
    assert.match(fp16.note, /fp16 is made for GPUs/);
  });

  it('names the variants a folder has when the requested one is missing, and rejects unknown dtype names', () => {
    assert.throws(
      () => chooseDecoderFiles([...base, 'onnx/model.onnx', 'onnx/model_q4.onnx'], 'fp16'),
      /has no fp16 variant \(onnx\/model_fp16\.onnx\); it has onnx\/model\.onnx \(fp32\), onnx\/model_q4\.onnx \(q4\)/,
    );
    assert.throws(
      () => parseDtypeRequest('int4'),
      /Unknown dtype "int4"\. Use auto or one of fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4/,
    );
    assert.strictEqual(parseDtypeRequest(undefined), 'auto');
    assert.throws(
      () => chooseDecoderFiles([...base, 'onnx/encoder_model.onnx'], 'auto'),
      /found only onnx\/encoder_model\.onnx, which is not a decoder file/,
    );
    assert.throws(() => chooseDecoderFiles(base, 'auto'), /found no ONNX file/);
  });

  it('finds older Optimum exports: merged decoders (use_cache_branch) and decoder + decoder-with-past pairs, in onnx/ or at the top', () => {
    const merged = chooseDecoderFiles([...base, 'onnx/decoder_model_merged.onnx', 'onnx/decoder_model_merged_quantized.onnx'], 'auto');
    assert.deepStrictEqual(
      [merged.decoder, merged.dtype, merged.layout, merged.useCacheBranch],
      ['onnx/decoder_model_merged_quantized.onnx', 'q8', 'merged', true],
    );
    const fp32 = chooseDecoderFiles([...base, 'onnx/decoder_model_merged.onnx', 'onnx/decoder_model_merged_quantized.onnx'], 'fp32');
    assert.strictEqual(fp32.decoder, 'onnx/decoder_model_merged.onnx');
    const split = chooseDecoderFiles([...base, 'decoder_model.onnx', 'decoder_with_past_model.onnx'], 'auto');
    assert.deepStrictEqual(
      [split.layout, split.decoder, split.withPast, split.useCacheBranch],
      ['split', 'decoder_model.onnx', 'decoder_with_past_model.onnx', false],
    );
    const alone = chooseDecoderFiles([...base, 'onnx/decoder_model_quantized.onnx'], 'q8');
    assert.strictEqual(alone.withPast, undefined);
    assert.match(alone.note, /no decoder_with_past graph/);
    // The current layout wins over an older one of the same dtype.
    assert.strictEqual(chooseDecoderFiles([...base, 'onnx/model.onnx', 'onnx/decoder_model_merged.onnx'], 'fp32').layout, 'model');
  });

  it('lists external data of the chosen graph only, from its own folder, and checks the count config.json declares', () => {
    const files = [
      ...base,
      'onnx/model.onnx',
      'onnx/model.onnx_data',
      'onnx/model.onnx_data_1',
      'onnx/model.onnx_data_10',
      'onnx/model.onnx_data_2',
      'onnx/model_q4.onnx',
      'onnx/model_q4.onnx_data',
      'model.onnx_data',
      'onnx/sub/model.onnx_data_3',
    ];
    assert.deepStrictEqual(externalDataFiles('onnx/model.onnx', files), [
      'onnx/model.onnx_data',
      'onnx/model.onnx_data_1',
      'onnx/model.onnx_data_2',
      'onnx/model.onnx_data_10',
    ]);
    assert.deepStrictEqual(chooseDecoderFiles(files, 'q4').externalData, ['onnx/model_q4.onnx_data']);
    const config = { 'transformers.js_config': { use_external_data_format: { 'model.onnx': 3, 'model_q4.onnx': true } } };
    assert.strictEqual(declaredExternalDataChunks(config, 'model.onnx'), 3);
    assert.strictEqual(declaredExternalDataChunks(config, 'model_q4.onnx'), 1);
    assert.strictEqual(
      declaredExternalDataChunks({ 'transformers.js_config': { use_external_data_format: { model: 2 } } }, 'model_fp16.onnx'),
      2,
    );
    assert.strictEqual(declaredExternalDataChunks({}, 'model.onnx'), 0);
    assert.throws(
      () =>
        chooseDecoderFiles([...base, 'onnx/model.onnx', 'onnx/model.onnx_data'], 'fp32', {
          'transformers.js_config': { use_external_data_format: { 'model.onnx': 2 } },
        }),
      /onnx\/model\.onnx: config\.json says its weights are in 2 external data file\(s\) \(model\.onnx_data, …, model\.onnx_data_1\); found 1/,
    );
  });

  it('finds external data that leads out of the model folder', () => {
    const real: Record<string, string> = {
      'onnx/model.onnx_data': '/models/m/onnx/model.onnx_data',
      'onnx/model.onnx_data_1': '/etc/passwd',
    };
    assert.strictEqual(
      externalDataOutside(['onnx/model.onnx_data', 'onnx/model.onnx_data_1'], '/models/m', (f) => real[f]),
      'onnx/model.onnx_data_1',
    );
    assert.strictEqual(
      externalDataOutside(['onnx/model.onnx_data'], '/models/m', (f) => real[f]),
      undefined,
    );
    // A sibling whose name starts like the folder is outside it.
    assert.strictEqual(
      externalDataOutside(['onnx/model.onnx_data'], '/models/m/onnx/model.onnx_dat', (f) => real[f]),
      'onnx/model.onnx_data',
    );
    assert.strictEqual(
      externalDataOutside(['x'], '/models/m', () => '/models/mm/x'),
      'x',
    );
  });

  it('chooses, for every parity fixture and dtype, the file transformers.js (or PyTorch) ran', () => {
    for (const name of fs.readdirSync(parityDir)) {
      const refFile = path.join(parityDir, name, 'reference.json');
      if (!fs.existsSync(refFile)) continue;
      const ref = JSON.parse(fs.readFileSync(refFile, 'utf8')) as { runs: Array<{ dtype: string; file: string; with_past?: string }> };
      const files = listFiles(path.join(parityDir, name));
      const config = JSON.parse(fs.readFileSync(path.join(parityDir, name, 'config.json'), 'utf8')) as Record<string, unknown>;
      for (const run of ref.runs) {
        const chosen = chooseDecoderFiles(files, parseDtypeRequest(run.dtype), config);
        assert.strictEqual(chosen.decoder, run.file, `${name} ${run.dtype}`);
        assert.strictEqual(chosen.withPast, run.with_past, `${name} ${run.dtype}`);
      }
      assert.ok(listDecoderVariants(files).length >= ref.runs.length, name);
    }
    const external = chooseDecoderFiles(listFiles(path.join(parityDir, 'llama-external-data')), 'auto');
    assert.deepStrictEqual(external.externalData, ['onnx/model.onnx_data', 'onnx/model.onnx_data_1']);
  });
});
