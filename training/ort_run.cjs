// Runs an ONNX model with onnxruntime-node for the Python export checks.
// Usage: node training/ort_run.cjs spec.json
//   spec.json: {"model": path, "outDir": dir,
//               "inputs": {name: {"file", "dtype": "float32"|"int64", "shape"}}}
// Writes <outDir>/out<i>.bin (raw little-endian) and <outDir>/outputs.json.
// With "mode": "greedy" it instead runs a GPT KV-cache greedy decode loop:
//   {"mode":"greedy","model","outDir","prompt":[ids],"steps":N,"nLayer","nHead","headDim"}
'use strict';
const fs = require('fs');
const path = require('path');
// onnxruntime-node's telemetry off before its first session (see disableOrtTelemetry in src/generation/sessionOptions.ts).
process.env.ORT_DISABLE_TELEMETRY ??= '1';
const ort = require('onnxruntime-node');

function readTensor(d) {
  const buf = fs.readFileSync(d.file);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  let data;
  if (d.dtype === 'float32') data = new Float32Array(ab);
  else if (d.dtype === 'int64') data = new BigInt64Array(ab);
  else throw new Error('unsupported dtype ' + d.dtype);
  return new ort.Tensor(d.dtype, data, d.shape);
}

async function runPlain(spec, session) {
  const feeds = {};
  for (const [name, d] of Object.entries(spec.inputs)) feeds[name] = readTensor(d);
  const out = await session.run(feeds);
  const desc = {};
  let i = 0;
  for (const name of session.outputNames) {
    const t = out[name];
    const file = path.join(spec.outDir, `out${i++}.bin`);
    fs.writeFileSync(file, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    desc[name] = { file, dtype: t.type, shape: t.dims };
  }
  fs.writeFileSync(path.join(spec.outDir, 'outputs.json'), JSON.stringify(desc));
}

async function runGreedy(spec, session) {
  const { nLayer, nHead, headDim } = spec;
  let ids = spec.prompt.slice();
  const past = {};
  for (let i = 0; i < nLayer; i++) {
    past[`past_key_values.${i}.key`] = new ort.Tensor('float32', new Float32Array(0), [1, nHead, 0, headDim]);
    past[`past_key_values.${i}.value`] = new ort.Tensor('float32', new Float32Array(0), [1, nHead, 0, headDim]);
  }
  let step = ids.slice();
  let pastLen = 0;
  const generated = [];
  const t0 = Date.now();
  for (let s = 0; s < spec.steps; s++) {
    const n = step.length;
    const feeds = Object.assign({}, past);
    feeds.input_ids = new ort.Tensor('int64', BigInt64Array.from(step.map(BigInt)), [1, n]);
    feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(pastLen + n).fill(1n), [1, pastLen + n]);
    feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from(Array.from({ length: n }, (_, k) => BigInt(pastLen + k))), [1, n]);
    const out = await session.run(feeds);
    const logits = out.logits.data;
    const vocab = out.logits.dims[2];
    const off = (n - 1) * vocab;
    let best = 0;
    let bv = -Infinity;
    for (let v = 0; v < vocab; v++) if (logits[off + v] > bv) { bv = logits[off + v]; best = v; }
    generated.push(best);
    for (let i = 0; i < nLayer; i++) {
      past[`past_key_values.${i}.key`] = out[`present.${i}.key`];
      past[`past_key_values.${i}.value`] = out[`present.${i}.value`];
    }
    pastLen += n;
    step = [best];
  }
  const ms = Date.now() - t0;
  fs.writeFileSync(path.join(spec.outDir, 'greedy.json'), JSON.stringify({ generated, ms }));
}

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const opts = { intraOpNumThreads: spec.threads || 1, graphOptimizationLevel: 'all' };
  const session = await ort.InferenceSession.create(spec.model, opts);
  if (spec.mode === 'greedy') await runGreedy(spec, session);
  else await runPlain(spec, session);
}

main().catch((e) => { console.error(e); process.exit(1); });
