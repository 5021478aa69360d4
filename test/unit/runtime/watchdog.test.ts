import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RuntimeClient, type RuntimeDeadlines } from '../../../src/runtime/client';
import { greedy, modelsDir } from '../generation/fixtures';
import { loadTokenizer } from '../../../src/generation/tokenizer';
import { textModelFiles } from '../../../src/generation/textModel';
import { runtimeScript } from './buildRuntime';
import { waitFor } from '../../support/waitFor';
import { rejection } from './outcomes';
import { writeTextModel } from './onnxModels';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('runtime watchdog: deadlines, cancel, retry', function () {
  this.timeout(40000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-watchdog-'));
  const clients: RuntimeClient[] = [];
  const logs: string[] = [];
  let script: string;

  const client = (deadlines: Partial<RuntimeDeadlines> = {}, maxMemoryBytes = 0) => {
    const c = new RuntimeClient({
      scriptPath: script,
      options: () => ({ threads: 1 }),
      idleShutdownMs: () => 0,
      maxMemoryBytes: () => maxMemoryBytes,
      deadlines,
      log: (l, m) => logs.push(`${l}: ${m}`),
    });
    clients.push(c);
    return c;
  };
  const prompt = 'Hello there';
  let promptTokens = 0;

  before(async () => {
    script = await runtimeScript();
    promptTokens = loadTokenizer(textModelFiles(path.join(modelsDir, 'tiny-gpt2'))).encode(prompt).length;
  });
  after(() => {
    for (const c of clients) c.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('kills a model that never computes its first token, names it, and serves the next request from a fresh process', async () => {
    const model = writeTextModel(path.join(tmp, 'endless-loop'), { kind: 'hang', afterTokens: 0 });
    // The same deadline then applies to the fresh process's real model: long enough for a
    // tiny model's prompt step on a machine at load 10, where 0.5 s was not.
    const c = client({ runMs: 3000 });
    const hung = c.request('text.generate', { model, prompt, maxTokens: 4, stop: [], sampling: greedy });
    // Sent while the first one hangs: the process never starts it, so it goes to the next process.
    const queued = c.request('runtime.info', {});
    const err = await rejection(hung);
    assert.strictEqual(err.code, 'timed-out');
    assert.match(err.message, /The model "endless-loop" did not respond for 3 s while reading the prompt and computing the first token/);
    assert.match(err.message, /stopped the model runtime\. The next request starts a fresh one\./);
    const [first, second] = c.startedPids;
    assert.ok(first);
    await waitFor(() => !alive(first), 'the hung process to exit', 20000);
    const info = await queued;
    assert.strictEqual(info.pid, second, 'the queued request ran on a fresh process');
    const plain = await c.request('text.generate', {
      model: path.join(modelsDir, 'tiny-gpt2'),
      prompt,
      maxTokens: 3,
      stop: [],
      sampling: greedy,
    });
    assert.strictEqual(plain.tokens.length, 3);
  });

  it('kills a model that goes silent between tokens, keeping what streamed', async () => {
    const model = writeTextModel(path.join(tmp, 'stalls'), { kind: 'hang', afterTokens: promptTokens });
    const c = client({ tokenMs: 400 });
    let streamed = 0;
    const err = await rejection(
      c.request(
        'text.generate',
        { model, prompt, maxTokens: 8, stop: [], sampling: greedy },
        { onStream: (ch) => (streamed = ch.generatedTokens) },
      ),
    );
    assert.strictEqual(streamed, 1, 'the first token arrived');
    assert.strictEqual(err.code, 'timed-out');
    assert.match(err.message, /"stalls" did not respond for 0\.4 s while generating the next token/);
  });

  it('kills a model that ignores Cancel, and says so', async () => {
    const model = writeTextModel(path.join(tmp, 'deaf'), { kind: 'hang', afterTokens: 0 });
    // The run deadline alone would take a minute: Cancel must not wait for it.
    const c = client({ runMs: 60000, cancelMs: 300 });
    const controller = new AbortController();
    const pending = c.request('text.generate', { model, prompt, maxTokens: 4, stop: [], sampling: greedy }, { signal: controller.signal });
    await waitFor(() => c.currentStep?.step === 'run', 'the model to start running', 20000);
    assert.strictEqual(c.currentStep?.model, 'deaf');
    controller.abort();
    const err = await rejection(pending);
    assert.strictEqual(err.code, 'timed-out');
    assert.match(
      err.message,
      /The model "deaf" did not stop within 0\.3 s of Cancel while reading the prompt and computing the first token/,
    );
    assert.strictEqual(c.state, 'stopped');
  });

  it('stops a tokenizer whose pre-tokenizer regex backtracks catastrophically', async () => {
    const model = writeTextModel(path.join(tmp, 'regex'));
    const tokenizer = JSON.parse(fs.readFileSync(path.join(model, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
    tokenizer.pre_tokenizer = {
      type: 'Sequence',
      pretokenizers: [{ type: 'Split', pattern: { Regex: '(a+)+$' }, behavior: 'Isolated', invert: false }, tokenizer.pre_tokenizer],
    };
    fs.writeFileSync(path.join(model, 'tokenizer.json'), JSON.stringify(tokenizer));
    const c = client({ runMs: 1000 });
    const err = await rejection(
      c.request('text.generate', { model, prompt: `${'a'.repeat(28)}!`, maxTokens: 2, stop: [], sampling: greedy }),
    );
    assert.strictEqual(err.code, 'timed-out');
    assert.match(err.message, /"regex" did not respond for 1 s while reading the prompt/);
  });

  it('refuses a named pipe in place of model.onnx instead of blocking on it', async function () {
    if (process.platform === 'win32') this.skip();
    const model = writeTextModel(path.join(tmp, 'fifo'));
    const onnx = path.join(model, 'onnx', 'model.onnx');
    fs.rmSync(onnx);
    execFileSync('mkfifo', [onnx]);
    const c = client();
    const err = await rejection(c.request('text.generate', { model, prompt, maxTokens: 2, stop: [], sampling: greedy }));
    assert.strictEqual(err.code, 'model-invalid');
    assert.strictEqual(
      err.message,
      `${onnx} is not a regular file (it is a named pipe); Inkwell reads model files only from regular files.`,
    );
    const check = await rejection(c.request('model.check', { model }));
    assert.match(check.message, /not a regular file \(it is a named pipe\)/);
  });

  it('refuses an oversized tokenizer.json with its size and the limit', async () => {
    const model = writeTextModel(path.join(tmp, 'big-tokenizer'));
    const file = path.join(model, 'tokenizer.json');
    const tokenizer = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    // A real tokenizer padded to 55 MB with a field nobody reads.
    fs.writeFileSync(file, JSON.stringify({ ...tokenizer, padding_notes: 'x'.repeat(55 * 1024 * 1024) }));
    const c = client();
    const err = await rejection(c.request('text.generate', { model, prompt, maxTokens: 2, stop: [], sampling: greedy }));
    assert.strictEqual(err.code, 'model-invalid');
    assert.match(err.message, /tokenizer\.json is 5\d\.\d MB; Inkwell reads files like it up to 32\.0 MB/);
  });

  it('retries once when the idle process died before the request reached it', async () => {
    const c = client();
    const first = await c.request('runtime.info', {});
    process.kill(first.pid, 'SIGKILL');
    // Sent before the client has heard of the exit: it goes to the dead process.
    const info = await c.request('runtime.info', {});
    assert.notStrictEqual(info.pid, first.pid);
    assert.ok(logs.some((l) => l.includes('Sending runtime.info again to a fresh model runtime')));
  });

  it('leaves no ONNX Runtime debug logs behind in the temp folder', async () => {
    // Sessions opened in this test process set the variable here too; the client must set it itself.
    const inherited = process.env.ORT_DISABLE_TELEMETRY;
    delete process.env.ORT_DISABLE_TELEMETRY;
    const c = client();
    try {
      await c.request('text.generate', { model: path.join(modelsDir, 'tiny-gpt2'), prompt, maxTokens: 2, stop: [], sampling: greedy });
    } finally {
      if (inherited !== undefined) process.env.ORT_DISABLE_TELEMETRY = inherited;
    }
    const pid = c.pid!;
    c.dispose();
    await waitFor(() => !alive(pid), 'the process to exit', 20000);
    assert.deepStrictEqual(
      fs.readdirSync(os.tmpdir()).filter((f) => f === `mat-debug-${pid}.log`),
      [],
    );
  });

  it('stops a model that takes more memory than allowed, says so, and serves the next request from a fresh process', async () => {
    // About 1.2 GB a step for a 3-token prompt (the tensors are native memory, invisible to V8's limits).
    const model = writeTextModel(path.join(tmp, 'memory-hog'), { kind: 'hog', bytesPerToken: 400 * 2 ** 20 });
    const c = client({}, 512 * 2 ** 20);
    const err = await rejection(c.request('text.generate', { model, prompt, maxTokens: 4, stop: [], sampling: greedy }));
    assert.strictEqual(err.code, 'out-of-memory');
    assert.match(
      err.message,
      /^The model "memory-hog" used \d+ MB of memory while .*, more than the 512 MB allowed \(inkwell\.runtime\.maxMemoryMB\), so Inkwell stopped the model runtime/,
    );
    const killed = c.startedPids.at(-1)!;
    await waitFor(() => !alive(killed), 'the process to be gone');
    const ok = await c.request('text.generate', {
      model: path.join(modelsDir, 'tiny-gpt2'),
      prompt,
      maxTokens: 2,
      stop: [],
      sampling: greedy,
    });
    assert.ok(ok.tokens.length > 0);
    assert.notStrictEqual(c.startedPids.at(-1), killed, 'a fresh process served it');
  });
});
