/**
 * Loading a model folder: which graph file(s) a dtype picks (layout.ts applied to a real folder),
 * the variant a download recorded, the folder named in every "cannot load" message, external data
 * that leads out of the folder, the one-line summary of the model picker, and generation_config.json's
 * sampling defaults in `inkwell continue` for the options not given.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from '../../../src/cli/continue';
import type { CliIo } from '../../../src/cli/io';
import { GenerationError } from '../../../src/generation/generationError';
import { estimateParameters, formatParameters, summarizeTextModel } from '../../../src/generation/modelSummary';
import { textModelFiles } from '../../../src/generation/textModel';

const parityDir = path.join(__dirname, '..', '..', 'fixtures', 'models', 'parity');

function capture(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), cwd: parityDir };
}

/** A copy of a parity fixture with only `keep` of its onnx/ files (and the extra files given). */
function folderFrom(tmp: string, fixture: string, keep: string[], extra: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(tmp, `${fixture}-`));
  const from = path.join(parityDir, fixture);
  for (const f of fs.readdirSync(from))
    if (f !== 'onnx' && fs.statSync(path.join(from, f)).isFile()) fs.copyFileSync(path.join(from, f), path.join(dir, f));
  fs.mkdirSync(path.join(dir, 'onnx'));
  for (const f of keep) fs.copyFileSync(path.join(from, 'onnx', f), path.join(dir, 'onnx', f));
  for (const [name, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('text model folders', () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-folders-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('picks the file of the dtype asked for, auto the fastest for a CPU, and names the layout', () => {
    const dir = path.join(parityDir, 'llama-dtypes');
    assert.strictEqual(textModelFiles(dir).decoder.decoder, 'onnx/model_q4.onnx');
    assert.match(textModelFiles(dir).decoder.note, /auto: q4 > q8 > int8 > uint8 > fp32/);
    assert.strictEqual(textModelFiles(dir, 'q8').onnx, path.join(dir, 'onnx', 'model_quantized.onnx'));
    assert.strictEqual(textModelFiles(dir, 'fp16').decoder.cacheDtype, 'float16');
    const split = textModelFiles(path.join(parityDir, 'gpt2-split'));
    assert.deepStrictEqual(
      [split.decoder.layout, split.onnx, split.withPast],
      [
        'split',
        path.join(parityDir, 'gpt2-split', 'onnx', 'decoder_model.onnx'),
        path.join(parityDir, 'gpt2-split', 'onnx', 'decoder_with_past_model.onnx'),
      ],
    );
    const external = textModelFiles(path.join(parityDir, 'llama-external-data'));
    assert.deepStrictEqual(
      external.externalData.map((f) => path.basename(f)),
      ['model.onnx_data', 'model.onnx_data_1'],
    );
  });

  it('auto takes the variant a download recorded in inkwell-download.json, while it is still there', () => {
    const manifest = (dtype: string) =>
      JSON.stringify({
        format: 1,
        repo: 'org/m',
        revision: 'main',
        endpoint: 'https://huggingface.co',
        dtype,
        layout: 'model',
        downloadedAt: '2026-01-01T00:00:00Z',
        files: [],
      });
    const dir = folderFrom(tmp, 'llama-dtypes', ['model.onnx', 'model_q4.onnx', 'model_quantized.onnx'], {
      'inkwell-download.json': manifest('q8'),
    });
    const chosen = textModelFiles(dir).decoder;
    assert.deepStrictEqual([chosen.decoder, chosen.dtype, chosen.auto], ['onnx/model_quantized.onnx', 'q8', true]);
    assert.match(chosen.note, /the variant downloaded into this folder/);
    assert.strictEqual(textModelFiles(dir, 'fp32').decoder.dtype, 'fp32', 'a dtype asked for by name wins');
    fs.writeFileSync(path.join(dir, 'inkwell-download.json'), manifest('int8'));
    assert.strictEqual(textModelFiles(dir).decoder.dtype, 'q4', 'a recorded variant that is gone: auto as usual');
  });

  it('says which folder cannot load and why, in one line', () => {
    const dir = folderFrom(tmp, 'llama-dtypes', ['model_fp16.onnx']);
    assert.throws(
      () => textModelFiles(dir),
      (e: GenerationError) =>
        e instanceof GenerationError &&
        e.code === 'model-not-found' &&
        e.message.startsWith(`${dir} needs onnx/model.onnx or onnx/model_q4.onnx`) &&
        /found only onnx\/model_fp16\.onnx \(fp16\)/.test(e.message),
    );
    assert.strictEqual(textModelFiles(dir, 'fp16').decoder.decoder, 'onnx/model_fp16.onnx', 'asked for by name, it loads');
    const summary = summarizeTextModel(dir);
    assert.match(summary.problem ?? '', /^needs onnx\/model\.onnx or onnx\/model_q4\.onnx .*found only onnx\/model_fp16\.onnx/);
    assert.ok(!summary.problem?.includes('\n'));
    assert.strictEqual(summary.architecture, 'llama');
    assert.throws(() => textModelFiles(path.join(parityDir, 'llama-dtypes'), 'bnb4'), /has no bnb4 variant \(onnx\/model_bnb4\.onnx\)/);
  });

  it('refuses external data that leads outside the folder', () => {
    const dir = folderFrom(tmp, 'llama-external-data', ['model.onnx', 'model.onnx_data']);
    const outside = path.join(tmp, 'elsewhere.bin');
    fs.copyFileSync(path.join(parityDir, 'llama-external-data', 'onnx', 'model.onnx_data_1'), outside);
    fs.symlinkSync(outside, path.join(dir, 'onnx', 'model.onnx_data_1'));
    assert.throws(
      () => textModelFiles(dir),
      (e: GenerationError) => e.code === 'model-invalid' && /model\.onnx_data_1 leads outside the model folder/.test(e.message),
    );
  });

  it('summarizes a model for the picker: architecture, parameters, variant and size', () => {
    const s = summarizeTextModel(path.join(parityDir, 'llama-dtypes'), 'auto');
    assert.deepStrictEqual([s.architecture, s.dtype, s.file, s.problem], ['llama', 'q4', 'onnx/model_q4.onnx', undefined]);
    assert.strictEqual(s.bytes, fs.statSync(path.join(parityDir, 'llama-dtypes', 'onnx', 'model_q4.onnx')).size);
    // Published sizes: SmolLM2-135M (tied, grouped-query), GPT-2 small (124M).
    const smol = {
      model_type: 'llama',
      vocab_size: 49152,
      hidden_size: 576,
      num_hidden_layers: 30,
      num_attention_heads: 9,
      num_key_value_heads: 3,
      intermediate_size: 1536,
      tie_word_embeddings: true,
      max_position_embeddings: 8192,
    };
    assert.strictEqual(formatParameters(estimateParameters(smol)!), '134M');
    assert.strictEqual(
      formatParameters(
        estimateParameters({ model_type: 'gpt2', vocab_size: 50257, n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024 })!,
      ),
      '124M',
    );
  });
});

describe('inkwell continue: --dtype and generation_config.json defaults', function () {
  this.timeout(120000);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-genconfig-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('lists --dtype in --help and refuses an unknown one', async () => {
    const help = capture();
    await run(['--help'], help);
    assert.match(help.lines.join('\n'), /--dtype D .*auto, or one of/s);
    const bad = capture();
    assert.strictEqual(await run(['--model', path.join(parityDir, 'llama-dtypes'), '--prompt', 'x', '--dtype', 'fp8'], bad), 2);
    assert.match(bad.errors[0], /--dtype: Unknown dtype "fp8"\. Use auto or one of fp32, fp16/);
  });

  it('takes temperature, top_p and repetition_penalty from generation_config.json unless the flag is given', async () => {
    // A generation_config.json that asks for greedy decoding without a penalty: the output is the reference greedy run.
    const reference = JSON.parse(fs.readFileSync(path.join(parityDir, 'qwen2', 'reference.json'), 'utf8')) as {
      runs: Array<{ cases: Array<{ prompt: string; greedy_ids: number[] }> }>;
    };
    const c = reference.runs[0].cases[0];
    const dir = folderFrom(tmp, 'qwen2', ['model.onnx']);
    const genconfig = JSON.parse(fs.readFileSync(path.join(dir, 'generation_config.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify({ ...genconfig, temperature: 0, repetition_penalty: 1 }));
    const base = [
      '--model',
      dir,
      '--prompt',
      c.prompt,
      '--max-tokens',
      '12',
      '--mid-sentence',
      '--stop',
      '<<none>>',
      '--json',
      '--threads',
      '1',
    ];
    type Output = { tokens: number[]; sampling: Record<string, number>; max_tokens: number; stop: string[] };
    const generate = async (more: string[]) => {
      const io = capture();
      assert.strictEqual(await run([...base, ...more], io), 0, io.errors.join('\n'));
      return JSON.parse(io.lines.join('\n')) as Output;
    };
    const tokens = async (more: string[]) => (await generate(more)).tokens;
    const expected = c.greedy_ids.slice(0, 12);
    assert.deepStrictEqual(await tokens(['--seed', '1']), expected, 'the model asked for temperature 0 and no penalty');
    assert.deepStrictEqual(await tokens(['--seed', '2']), expected, 'whatever the seed');
    const sampled = await Promise.all([1, 2, 3].map((seed) => tokens(['--seed', String(seed), '--temperature', '5'])));
    assert.ok(
      sampled.some((t) => JSON.stringify(t) !== JSON.stringify(expected)),
      '--temperature given: the flag wins and the run samples',
    );
    // --json reports the settings the run used: the model's where no flag was given.
    const used = await generate(['--seed', '4', '--top-p', '0.5']);
    assert.deepStrictEqual(
      [used.sampling.temperature, used.sampling.repetitionPenalty, used.sampling.topP, used.sampling.seed],
      [0, 1, 0.5, 4],
    );
    assert.deepStrictEqual([used.max_tokens, used.stop], [12, ['<<none>>']]);
    assert.strictEqual((await generate(['--seed', '4', '--temperature', '5'])).sampling.temperature, 5);
  });
});
