import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadModelInProcess } from '../../../src/cli/continue';
import { generateText } from '../../../src/generation/generate';
import { inkwellSessionOptions, physicalCoreCount } from '../../../src/generation/sessionOptions';

describe('ONNX Runtime session options', () => {
  it('gives ONNX Runtime one thread per physical core (Linux: the distinct core ids /proc/cpuinfo lists)', function () {
    if (process.platform !== 'linux' || !fs.existsSync('/proc/cpuinfo')) this.skip();
    // /proc/cpuinfo is a second, independent account of the topology /sys gives.
    const cores = new Set<string>();
    let physical = '0';
    for (const line of fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n')) {
      const [key, value] = line.split(':').map((s) => s.trim());
      if (key === 'physical id') physical = value;
      if (key === 'core id') cores.add(`${physical}:${value}`);
    }
    if (!cores.size) this.skip(); // some virtual machines list no core ids
    assert.strictEqual(physicalCoreCount(), cores.size);
    assert.ok(physicalCoreCount() <= os.availableParallelism());
  });

  it('opens sessions sequential, fully optimized, with sleeping workers unless a benchmark asks otherwise', () => {
    const plain = inkwellSessionOptions(3);
    assert.deepStrictEqual(
      [
        plain.intraOpNumThreads,
        plain.interOpNumThreads,
        plain.executionMode,
        plain.graphOptimizationLevel,
        plain.extra.session.intra_op.allow_spinning,
      ],
      [3, 1, 'sequential', 'all', '0'],
    );
    const tuned = inkwellSessionOptions(2, { allowSpinning: true, graphOptimizationLevel: 'basic', enableMemPattern: false });
    assert.deepStrictEqual(
      [tuned.extra.session.intra_op.allow_spinning, tuned.graphOptimizationLevel, tuned.enableMemPattern, tuned.enableCpuMemArena],
      ['1', 'basic', false, true],
    );
  });

  it('profiles every run only when a benchmark names a profile file, which ONNX Runtime writes as the session closes', async () => {
    assert.strictEqual(inkwellSessionOptions(2).enableProfiling, undefined);
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'inkwell-profile-test-'));
    try {
      const dir = path.join(__dirname, '..', '..', 'fixtures', 'models', 'tiny-gpt2');
      const model = await loadModelInProcess(dir, 1, 'fp32', { tuning: { profileFilePrefix: path.join(folder, 'step') } });
      let tokens: number[];
      try {
        tokens = (
          await generateText(model, {
            prompt: 'Hello there',
            maxTokens: 4,
            stop: [],
            sampling: { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 },
          })
        ).tokens;
      } finally {
        await model.release();
      }
      const files = fs.readdirSync(folder);
      assert.ok(files.length >= 1 && files.every((f) => f.startsWith('step') && f.endsWith('.json')), files.join(', '));
      const events = files.flatMap(
        (f) => JSON.parse(fs.readFileSync(path.join(folder, f), 'utf8')) as Array<{ cat?: string; name: string }>,
      );
      // One run per step of the request (the prompt, then each new token but the last), each operator timed.
      assert.strictEqual(events.filter((e) => e.cat === 'Session' && e.name === 'model_run').length, tokens.length);
      assert.ok(events.some((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time')));
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
