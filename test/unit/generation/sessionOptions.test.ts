import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
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
});
