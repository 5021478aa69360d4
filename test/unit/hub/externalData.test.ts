/**
 * The chosen graph and its external data keep the hub's names (onnx/model_q4.onnx
 * and the model_q4.onnx_data it refers to). ONNX Runtime must load that pair: this
 * test downloads a graph whose weight lives in external data and runs it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as ort from 'onnxruntime-node';
import * as os from 'os';
import * as path from 'path';
import { downloadModel } from '../../../src/hub/download';
import { startFakeHub, tinyLlamaRepo, type FakeHub } from './fakeHub';

/** Protocol Buffers, only what this graph needs (field numbers from onnx.proto). */
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};
const int = (field: number, v: number) => [...varint(field << 3), ...varint(v)];
const bytes = (field: number, data: ArrayLike<number>) => [...varint((field << 3) | 2), ...varint(data.length), ...Array.from(data)];
const str = (field: number, s: string) => bytes(field, Buffer.from(s, 'utf8'));

const FLOAT = 1;
const valueInfo = (name: string) => [...str(1, name), ...bytes(2, bytes(1, [...int(1, FLOAT), ...bytes(2, bytes(1, int(1, 3)))]))];

/** y = x + w, where w (3 floats) is stored in `dataFile` at offset 0. */
function addModel(dataFile: string): Buffer {
  const entry = (k: string, v: string) => bytes(13, [...str(1, k), ...str(2, v)]);
  const w = [
    ...int(1, 3),
    ...int(2, FLOAT),
    ...str(8, 'w'),
    ...entry('location', dataFile),
    ...entry('offset', '0'),
    ...entry('length', '12'),
    ...int(14, 1),
  ];
  const node = [...str(1, 'x'), ...str(1, 'w'), ...str(2, 'y'), ...str(3, 'add'), ...str(4, 'Add')];
  const graph = [...bytes(1, node), ...str(2, 'g'), ...bytes(5, w), ...bytes(11, valueInfo('x')), ...bytes(12, valueInfo('y'))];
  return Buffer.from([...int(1, 8), ...str(2, 'inkwell-tests'), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...int(2, 17)])]);
}

describe('hub: a downloaded graph with external data', () => {
  let hub: FakeHub;
  let modelsDir: string;

  before(async () => {
    const repo = tinyLlamaRepo();
    repo.files.set('onnx/model_q4.onnx', { content: addModel('model_q4.onnx_data'), lfs: true });
    repo.files.set('onnx/model_q4.onnx_data', { content: Buffer.from(Float32Array.from([10, 20, 30]).buffer), lfs: true });
    hub = await startFakeHub({ 'test-org/external': repo });
    modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-hub-ext-'));
  });
  after(async () => {
    await hub.close();
    fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  it('keeps onnx/model_q4.onnx next to model_q4.onnx_data, and ONNX Runtime runs it', async () => {
    const result = await downloadModel({ endpoint: hub.url, repo: 'test-org/external', dtype: 'q4', modelsDir });
    assert.deepStrictEqual(fs.readdirSync(path.join(result.dir, 'onnx')).sort(), ['model_q4.onnx', 'model_q4.onnx_data']);
    const session = await ort.InferenceSession.create(path.join(result.dir, 'onnx', 'model_q4.onnx'));
    try {
      const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [3]) });
      assert.deepStrictEqual(Array.from(out.y.data as Float32Array), [11, 22, 33]);
    } finally {
      await session.release();
    }
    // The weight really comes from the data file: without it the graph does not load.
    const alone = fs.mkdtempSync(path.join(modelsDir, 'alone-'));
    fs.copyFileSync(path.join(result.dir, 'onnx', 'model_q4.onnx'), path.join(alone, 'model_q4.onnx'));
    await assert.rejects(ort.InferenceSession.create(path.join(alone, 'model_q4.onnx')));
  });
});
