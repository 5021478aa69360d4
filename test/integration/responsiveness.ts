import * as assert from 'assert';
import * as vscode from 'vscode';
import { waitFor } from './helpers';

/**
 * Measuring whether the extension host keeps answering: a command round trip through the
 * main thread cannot finish while the host is blocked. Runs are compared with a baseline
 * run doing the same things in the same test, never with a fixed time (a busy machine slows
 * both alike).
 */

/** Below this a baseline is timer noise; ratios against it mean nothing. */
export const MIN_BASELINE_MS = 50;

/** Waits between two answers of the host, recorded as they come. */
export class Pinger {
  readonly waits: number[] = [];
  private last = performance.now();
  private n = 0;

  /**
   * One command round trip through the main thread: it cannot finish while the extension
   * host is blocked. What is recorded is the time since the previous answer, so a block
   * that falls between two pings (while waitFor sleeps) counts too.
   */
  async ping(): Promise<void> {
    await vscode.commands.executeCommand('setContext', 'inkwell.test.hostilePing', this.n++);
    const now = performance.now();
    this.waits.push(now - this.last);
    this.last = now;
  }

  private started = performance.now();
  private finished: number | undefined;

  reset(): void {
    this.waits.length = 0;
    this.last = this.started = performance.now();
    this.finished = undefined;
  }

  /** Ends the measured run. */
  finish(): void {
    this.finished = performance.now();
  }

  /** Milliseconds from the last reset to `finish()` (or to now). */
  elapsed(): number {
    return (this.finished ?? performance.now()) - this.started;
  }

  slowest(): number {
    return Math.max(0, ...this.waits);
  }

  median(): number {
    const sorted = [...this.waits].sort((a, b) => a - b);
    return sorted[sorted.length >> 1] ?? 0;
  }

  describe(): string {
    return `${this.waits.length} answers, median ${this.median().toFixed(0)} ms, slowest ${this.slowest().toFixed(0)} ms`;
  }
}

/** Waits for `probe`, pinging the host between probes. */
export function pingUntil<T>(pinger: Pinger, probe: () => T | Promise<T>, what: string, timeoutMs = 60_000) {
  return waitFor(
    async () => {
      await pinger.ping();
      return probe();
    },
    what,
    timeoutMs,
    10,
  );
}

/**
 * The hostile run answered about as fast as the baseline run: its slowest wait, and its
 * typical wait (for runs of the same steps) or its whole time (for runs of different lengths).
 */
export function assertAsResponsive(hostile: Pinger, baseline: Pinger, what: string, compare: 'typical' | 'total'): void {
  const limit = 4 * Math.max(baseline.slowest(), MIN_BASELINE_MS);
  assert.ok(
    hostile.slowest() < limit,
    `${what}: the host's longest wait was ${hostile.slowest().toFixed(0)} ms, over 4x a normal post's (hostile: ${hostile.describe()}; normal: ${baseline.describe()})`,
  );
  if (compare === 'total') {
    const total = 4 * Math.max(baseline.elapsed(), MIN_BASELINE_MS);
    assert.ok(
      hostile.elapsed() < total,
      `${what}: answering took ${hostile.elapsed().toFixed(0)} ms, over 4x a normal post's ${baseline.elapsed().toFixed(0)} ms`,
    );
    return;
  }
  const typical = 3 * Math.max(baseline.median(), MIN_BASELINE_MS / 5);
  assert.ok(
    hostile.median() < typical,
    `${what}: the host's typical wait was ${hostile.median().toFixed(0)} ms, over 3x a normal post's (hostile: ${hostile.describe()}; normal: ${baseline.describe()})`,
  );
}

/** Waits until the host answers quickly several times in a row: activation and scans are done. */
export async function settle(pinger: Pinger): Promise<void> {
  let quiet = 0;
  await pingUntil(
    pinger,
    () => {
      quiet = pinger.waits[pinger.waits.length - 1] < 50 ? quiet + 1 : 0;
      return quiet >= 5;
    },
    'the extension host to settle',
    30_000,
  );
}
