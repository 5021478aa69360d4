/**
 * Token-exact parity with transformers.js: for every fixture under test/fixtures/models/parity/ (one per
 * layout x dtype x architecture, built by test/fixtures/make_parity_models.py), `inkwell continue
 * --greedy --json` must give the prompt ids and the greedy ids that transformers.js's generate() gave
 * on the same files (reference.json, written by test/fixtures/make_reference.mjs), or PyTorch's where
 * transformers.js cannot load the layout (the reference says which engine).
 *
 * Runs that Inkwell cannot do yet are listed in PENDING with the reason and show as pending, so the
 * suite says what is left. `INKWELL_PARITY_PENDING=run` runs them as well (to see progress).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { run } from '../../../src/cli/continue';
import type { CliIo } from '../../../src/cli/io';

const parityDir = path.join(__dirname, '..', '..', 'fixtures', 'models', 'parity');

interface ReferenceCase {
  prompt: string;
  prompt_ids: number[];
  greedy_ids: number[];
  stopped_on_eos: boolean;
}

interface ReferenceRun {
  dtype: string;
  /** The graph the reference ran, relative to the folder. */
  file: string;
  engine: 'transformers.js' | 'pytorch';
  engine_version: string;
  model_file_name?: string;
  /** Why transformers.js was not the reference (pytorch runs). */
  why?: string;
  /** transformers.js could not load or run the files. */
  error?: string;
  cases?: ReferenceCase[];
}

interface Reference {
  name: string;
  notes: string;
  max_new_tokens: number;
  eos_token_ids: number[];
  runs: ReferenceRun[];
}

/**
 * 8-bit runs whose reference is computed here, with transformers.js on this machine: ONNX Runtime's
 * integer MatMul kernels round differently on processors with and without AVX-512 VNNI, so stored
 * 8-bit ids hold only on the kind of processor that made them. Both engines run the same
 * onnxruntime-node here, so this is still transformers.js against Inkwell, token for token.
 */
const COMPUTED_HERE = new Set(['q8', 'int8', 'uint8']);

interface TransformersRun {
  runTransformersJs(
    name: string,
    dir: string,
    run: { dtype: string; model_file_name?: string },
    fixture: unknown,
  ): Promise<ReferenceCase[]>;
}

/** What Inkwell's CLI cannot do yet, by `<fixture> <dtype>`; each entry is removed when the decoder learns it. */
const PENDING: Record<string, string> = {};

/** A stop sequence no fixture produces: the default (three line breaks) must not cut a reference short. */
const NO_STOP = '<<inkwell parity: no stop>>';

function capture(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), cwd: parityDir };
}

/** Whether `inkwell continue` takes --dtype (until it does, it loads onnx/model.onnx, the fp32 graph). */
async function cliHasDtype(): Promise<boolean> {
  const io = capture();
  await run(['--help'], io);
  return io.lines.join('\n').includes('--dtype');
}

function references(): Reference[] {
  if (!fs.existsSync(parityDir)) return [];
  return fs
    .readdirSync(parityDir)
    .sort()
    .filter((name) => fs.existsSync(path.join(parityDir, name, 'reference.json')))
    .map((name) => JSON.parse(fs.readFileSync(path.join(parityDir, name, 'reference.json'), 'utf8')) as Reference);
}

describe('greedy parity with transformers.js (test/fixtures/models/parity)', function () {
  this.timeout(300000);
  const refs = references();
  const runPending = process.env.INKWELL_PARITY_PENDING === 'run';
  let withDtype = false;
  before(async () => {
    withDtype = await cliHasDtype();
  });

  it('has a reference for every fixture folder', () => {
    const folders = fs.readdirSync(parityDir).filter((n) => fs.existsSync(path.join(parityDir, n, 'fixture.json')));
    assert.deepStrictEqual(refs.map((r) => r.name).sort(), folders.sort());
  });

  for (const ref of refs) {
    describe(ref.name, () => {
      for (const r of ref.runs) {
        const key = `${ref.name} ${r.dtype}`;
        const title = `${r.dtype} (${r.file}): same prompt ids and ${ref.max_new_tokens} greedy ids as ${r.engine_version}`;
        if (r.error || !r.cases) {
          it.skip(`${title} — ${r.engine} could not run it: ${r.error ?? 'no cases'}`, () => {});
          continue;
        }
        const pending = PENDING[key];
        if (pending && !runPending) {
          it.skip(`${title} — PENDING: ${pending}`, () => {});
          continue;
        }
        const computedHere = COMPUTED_HERE.has(r.dtype) && r.engine === 'transformers.js';
        it(computedHere ? `${title} (transformers.js run on this machine)` : title, async () => {
          const dir = path.join(parityDir, ref.name);
          let cases = r.cases!;
          if (computedHere) {
            const tjs = (await import(
              pathToFileURL(path.join(__dirname, '..', '..', 'fixtures', 'transformersRun.mjs')).href
            )) as TransformersRun;
            const fixture = JSON.parse(fs.readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as { runs: { dtype: string }[] };
            const run = fixture.runs.find((f) => f.dtype === r.dtype) ?? { dtype: r.dtype };
            cases = await tjs.runTransformersJs(ref.name, dir, run, fixture);
            // The stored prompt ids do not depend on the processor: a check that the live run read the same files.
            assert.deepStrictEqual(
              cases.map((c) => c.prompt_ids),
              r.cases!.map((c) => c.prompt_ids),
              `${key}: transformers.js's prompt ids`,
            );
          }
          for (const c of cases) {
            const args = [
              '--model',
              dir,
              '--prompt',
              c.prompt,
              '--max-tokens',
              String(ref.max_new_tokens),
              '--greedy',
              '--json',
              '--stop',
              NO_STOP,
              '--threads',
              '1',
            ];
            if (withDtype) args.push('--dtype', r.dtype);
            const io = capture();
            const code = await run(args, io);
            assert.strictEqual(code, 0, `${key} ${JSON.stringify(c.prompt)}: inkwell continue failed: ${io.errors.join('\n')}`);
            const out = JSON.parse(io.lines.join('\n')) as { prompt_tokens: number[]; tokens: number[] };
            assert.deepStrictEqual(out.prompt_tokens, c.prompt_ids, `${key} ${JSON.stringify(c.prompt)}: prompt ids`);
            assert.deepStrictEqual(out.tokens, c.greedy_ids, `${key} ${JSON.stringify(c.prompt)}: greedy ids`);
          }
        });
      }
    });
  }
});
