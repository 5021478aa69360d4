import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MANIFEST_FILE } from '../../../src/core/hub/downloadManifest';
import { bundleForNode } from '../../support/bundle';
import { startFakeHub, tinyLlamaRepo, type FakeHub } from './fakeHub';

const repo = path.join(__dirname, '..', '..', '..');

/** Bundles the CLI as esbuild.js does for dist/cli.js (into out/, so a concurrent build of dist/ is not disturbed). */
function buildCli(): Promise<string> {
  return bundleForNode('src/cli/main.ts', path.join(repo, 'out', 'test-cli', 'cli.js'));
}

function cli(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env, cwd: repo });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('inkwell models download (CLI, spawned)', () => {
  let hub: FakeHub;
  let modelsDir: string;
  let script: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    script = await buildCli();
  });
  beforeEach(async () => {
    hub = await startFakeHub({ 'test-org/tiny-llama': tinyLlamaRepo() });
    modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-cli-hub-'));
    // The endpoint comes from HF_ENDPOINT, as with the Python client.
    env = { ...process.env, HF_ENDPOINT: hub.url };
  });
  afterEach(async () => {
    await hub.close();
    fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  it('downloads the q4 variant named by --dtype from the hub in HF_ENDPOINT, and the model runs with inkwell continue', async () => {
    const r = await cli(script, ['models', 'download', 'test-org/tiny-llama', '--dtype', 'q4', '--models-dir', modelsDir, '--json'], env);
    assert.strictEqual(r.code, 0, r.err);
    const out = JSON.parse(r.out) as { name: string; dir: string; dtype: string; commit: string; alreadyPresent: boolean };
    assert.deepStrictEqual([out.name, out.dtype, out.commit, out.alreadyPresent], ['tiny-llama-q4', 'q4', 'a'.repeat(40), false]);
    assert.strictEqual(out.dir, path.join(modelsDir, 'tiny-llama-q4'));
    assert.match(r.err, new RegExp(`from ${hub.url.replace(/[.]/g, '\\.')} \\(HF_ENDPOINT\\)`));
    assert.deepStrictEqual(fs.readdirSync(out.dir).sort(), [
      'config.json',
      'generation_config.json',
      MANIFEST_FILE,
      'onnx',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    assert.ok(hub.requests.some((q) => q.url.startsWith('/test-org/tiny-llama/resolve/') && q.url.endsWith('/onnx/model_q4.onnx')));
    const gen = await cli(script, ['continue', '--model', out.dir, '--prompt', 'The sea', '--greedy', '--max-tokens', '5', '--json'], env);
    assert.strictEqual(gen.code, 0, gen.err);
    assert.strictEqual((JSON.parse(gen.out) as { tokens: number[] }).tokens.length, 5);
  });

  it('--endpoint wins over HF_ENDPOINT; bad input exits 2 and hub errors exit 1 with the reason', async () => {
    const wrongEnv = { ...env, HF_ENDPOINT: 'http://127.0.0.1:9' };
    const ok = await cli(
      script,
      ['models', 'download', 'test-org/tiny-llama', '--dtype', 'fp32', '--models-dir', modelsDir, '--endpoint', hub.url],
      wrongEnv,
    );
    assert.strictEqual(ok.code, 0, ok.err);
    assert.strictEqual(ok.out.trim(), path.join(modelsDir, 'tiny-llama-fp32'));
    const badDtype = await cli(script, ['models', 'download', 'test-org/tiny-llama', '--dtype', 'q3', '--models-dir', modelsDir], env);
    assert.strictEqual(badDtype.code, 2);
    assert.match(badDtype.err, /--dtype must be auto or one of fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4/);
    const badRepo = await cli(script, ['models', 'download', '../etc', '--models-dir', modelsDir], env);
    assert.strictEqual(badRepo.code, 2);
    assert.match(badRepo.err, /not a model repository id/);
    const missing = await cli(script, ['models', 'download', 'test-org/tiny-llama', '--dtype', 'int8', '--models-dir', modelsDir], env);
    assert.strictEqual(missing.code, 1);
    assert.match(missing.err, /no int8 variant/);
  });

  it('a hub that cannot be reached is said in words, with the way to a mirror, and no talk of continuing', async () => {
    // Port 9 (discard) on this machine: nobody listens, as with no network.
    const r = await cli(script, ['models', 'download', 'test-org/tiny-llama', '--models-dir', modelsDir], {
      ...env,
      HF_ENDPOINT: 'http://127.0.0.1:9',
    });
    assert.strictEqual(r.code, 1);
    assert.match(
      r.err,
      /inkwell models download: cannot reach the model hub at http:\/\/127\.0\.0\.1:9\/? \(ECONNREFUSED\)\. Check the network connection; for a mirror, pass --endpoint URL or set HF_ENDPOINT\.\n$/,
    );
    assert.doesNotMatch(r.err, /continue/);
  });
});
