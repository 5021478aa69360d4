/**
 * The set-up scripts' progress lines (scripts/progress.sh), run in a real bash around a real
 * command that takes a while, as `npm start` runs its long installs.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';

const repo = path.resolve(__dirname, '../../..');

function run(command: string, every: number): { status: number | null; lines: string[] } {
  const r = spawnSync('bash', ['-c', `source scripts/progress.sh && run_with_progress "[test]" "waiting" ${command}`], {
    cwd: repo,
    env: { ...process.env, INKWELL_PROGRESS_SECONDS: String(every) },
    encoding: 'utf8',
  });
  return { status: r.status, lines: r.stdout.split('\n').filter(Boolean) };
}

describe('set-up progress (scripts/progress.sh)', () => {
  it('says a long command is still running, then how long it took', function () {
    this.timeout(30_000);
    const { status, lines } = run('sleep 4', 1);
    assert.strictEqual(status, 0);
    const alive = lines.filter((l) => /^\[test\] still waiting… \d+s$/.test(l));
    // Four seconds with a line each second: at least two, whatever the machine's load.
    assert.ok(alive.length >= 2, lines.join('\n'));
    const took = /^\[test\] waiting: done in (\d+)s$/.exec(lines.at(-1) ?? '');
    assert.ok(took && Number(took[1]) >= 4, lines.join('\n'));
  });

  it('passes the command on and its failure back', function () {
    this.timeout(30_000);
    const { status, lines } = run('bash -c "echo output of the command; exit 3"', 20);
    assert.strictEqual(status, 3);
    assert.strictEqual(lines.length, 2, lines.join('\n'));
    assert.strictEqual(lines[0], 'output of the command');
    assert.match(lines[1], /^\[test\] waiting: failed after \d+s \(exit 3\)$/);
  });
});
