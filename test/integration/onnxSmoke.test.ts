import * as assert from 'assert';
import { fork } from 'child_process';
import * as path from 'path';
import { repoRoot } from './repo';

const repo = repoRoot();
const fixtures = path.join(repo, 'test', 'fixtures', 'onnx');
const ortPath = path.join(repo, 'node_modules', 'onnxruntime-node');

suite('onnxruntime-node in the extension host', () => {
  test('the native addon loads in a child process forked from the extension host and runs a model', async () => {
    const child = fork(path.join(fixtures, 'smokeChild.js'), [], {
      execPath: process.execPath,
      env: { ...process.env, INKWELL_ORT_PATH: ortPath, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const reply = await new Promise<{ pid?: number; y?: number[]; error?: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { y?: number[]; error?: string }));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`child exited with ${code} before replying`)));
    });
    assert.strictEqual(reply.error, undefined);
    assert.notStrictEqual(reply.pid, process.pid);
    assert.deepStrictEqual(reply.y, [3, 5, 7]);
  });

  test('the native addon also loads inside the extension host process itself', async () => {
    // Inkwell never does this in production (native crashes must not take the
    // host down); the check proves the shipped binary matches the host's Node ABI.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ort = require(ortPath) as typeof import('onnxruntime-node');
    const session = await ort.InferenceSession.create(path.join(fixtures, 'smoke.onnx'));
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([0.5, -1]), [2]) });
    assert.deepStrictEqual(Array.from(out.y.data as Float32Array), [2, -1]);
    await session.release();
  });
});
