// Scores causal language models on held-out text with onnxruntime-node, the
// runtime Inkwell itself uses (no Python binding of ONNX Runtime is available here).
//
// Usage:
//   node training/score_lm.cjs --model-dir DIR --onnx A.onnx [--onnx B.onnx ...]
//        --text held-out.jsonl|.txt [--max-tokens N] [--window 256] [--threads 2] [--out FILE]
//
// Each document is tokenized with DIR/tokenizer.json and cut into windows of
// --window tokens; every window is run once with an empty KV cache (teacher
// forcing) and each position's next-token log-probability is summed. Reported per
// model: tokens, bytes (UTF-8 of the scored text), nats, perplexity, bits per byte
// (comparable across tokenizers) and, for every model after the first, the share of
// positions whose top-1 prediction equals the first model's (top-1 agreement).
'use strict';
const fs = require('fs');
const path = require('path');
// onnxruntime-node's telemetry off before its first session (see disableOrtTelemetry in src/generation/sessionOptions.ts).
process.env.ORT_DISABLE_TELEMETRY ??= '1';
const ort = require('onnxruntime-node');

function parseArgs(argv) {
  const a = { onnx: [], window: 256, threads: 2, maxTokens: Infinity };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => argv[++i];
    if (k === '--model-dir') a.modelDir = v();
    else if (k === '--onnx') a.onnx.push(v());
    else if (k === '--text') a.text = v();
    else if (k === '--max-tokens') a.maxTokens = Number(v());
    else if (k === '--window') a.window = Number(v());
    else if (k === '--threads') a.threads = Number(v());
    else if (k === '--out') a.out = v();
    else throw new Error(`unknown argument ${k}`);
  }
  if (!a.modelDir || a.onnx.length === 0 || !a.text) throw new Error('need --model-dir, --onnx and --text');
  return a;
}

function readDocuments(file) {
  const raw = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.jsonl')) return raw.split('\n').filter(Boolean).map((l) => JSON.parse(l).text);
  return raw.split(/\n{2,}(?=\S)/).filter((d) => d.trim());
}

async function loadTokenizer(dir) {
  const { Tokenizer } = await import('@huggingface/tokenizers');
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
  const cfgFile = path.join(dir, 'tokenizer_config.json');
  const cfg = fs.existsSync(cfgFile) ? JSON.parse(fs.readFileSync(cfgFile, 'utf8')) : {};
  return new Tokenizer(json, cfg);
}

/** Windows of token ids; each window's first token is context only (not scored). */
async function makeWindows(args) {
  const tok = await loadTokenizer(args.modelDir);
  const windows = [];
  let tokens = 0;
  let bytes = 0;
  for (const doc of readDocuments(args.text)) {
    if (tokens >= args.maxTokens) break;
    const ids = tok.encode(doc, { add_special_tokens: false }).ids;
    if (ids.length < 2) continue;
    // Bytes of exactly the scored tokens: all but the document's first token.
    const firstLen = Buffer.byteLength(tok.decode([ids[0]], { skip_special_tokens: false, clean_up_tokenization_spaces: false }));
    bytes += Buffer.byteLength(doc) - firstLen;
    for (let s = 0; s + 1 < ids.length; s += args.window - 1) {
      windows.push(ids.slice(s, s + args.window));
    }
    tokens += ids.length - 1;
  }
  return { windows, bytes };
}

async function score(onnxPath, windows, args) {
  const session = await ort.InferenceSession.create(onnxPath, { intraOpNumThreads: args.threads, graphOptimizationLevel: 'all' });
  const pastNames = session.inputNames.filter((n) => n.startsWith('past_key_values.'));
  const meta = session.inputMetadata ?? [];
  const pastShape = {};
  for (const m of meta) if (m.name.startsWith('past_key_values.')) pastShape[m.name] = m.shape;
  let nats = 0;
  let count = 0;
  const top1 = [];
  const t0 = Date.now();
  for (const ids of windows) {
    const n = ids.length;
    const feeds = { input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, n]) };
    if (session.inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
    if (session.inputNames.includes('position_ids')) feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, k) => BigInt(k)), [1, n]);
    for (const name of pastNames) {
      const shape = (pastShape[name] ?? []).map((d, i) => (i === 0 ? 1 : i === 2 ? 0 : typeof d === 'number' ? d : 0));
      feeds[name] = new ort.Tensor('float32', new Float32Array(0), shape);
    }
    const out = await session.run(feeds, ['logits']);
    const logits = out.logits.data;
    const vocab = out.logits.dims[2];
    for (let p = 0; p + 1 < n; p++) {
      const off = p * vocab;
      let max = -Infinity;
      let arg = 0;
      for (let v = 0; v < vocab; v++) {
        const x = logits[off + v];
        if (x > max) { max = x; arg = v; }
      }
      let sum = 0;
      for (let v = 0; v < vocab; v++) sum += Math.exp(logits[off + v] - max);
      nats += max + Math.log(sum) - logits[off + ids[p + 1]];
      count++;
      top1.push(arg);
    }
  }
  return { file: onnxPath, bytesOnDisk: fileBytes(onnxPath), tokens: count, nats, seconds: (Date.now() - t0) / 1000, top1 };
}

function fileBytes(onnxPath) {
  let total = fs.statSync(onnxPath).size;
  const dir = path.dirname(onnxPath);
  const base = path.basename(onnxPath);
  for (const f of fs.readdirSync(dir)) if (f.startsWith(`${base}_data`)) total += fs.statSync(path.join(dir, f)).size;
  return total;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { windows, bytes } = await makeWindows(args);
  const results = [];
  for (const file of args.onnx) results.push(await score(file, windows, args));
  const ref = results[0];
  const report = results.map((r) => {
    let agree = null;
    if (r !== ref) {
      let same = 0;
      for (let i = 0; i < r.top1.length; i++) if (r.top1[i] === ref.top1[i]) same++;
      agree = same / r.top1.length;
    }
    return {
      file: path.relative(process.cwd(), r.file),
      bytes_on_disk: r.bytesOnDisk,
      tokens: r.tokens,
      text_bytes: bytes,
      perplexity: Math.exp(r.nats / r.tokens),
      bits_per_byte: r.nats / Math.LN2 / bytes,
      top1_agreement_with_first: agree,
      seconds: r.seconds,
    };
  });
  const json = JSON.stringify(report, null, 2);
  if (args.out) fs.writeFileSync(args.out, json + '\n');
  process.stdout.write(json + '\n');
}

main().catch((e) => { console.error(e.stack ?? e); process.exit(1); });
