import * as assert from 'assert';
import { RuntimeError } from '../../../src/runtime/runtimeError';

/** The RuntimeError a request rejects with (fails the test if it resolves or throws anything else). */
export async function rejection(p: Promise<unknown>): Promise<RuntimeError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof RuntimeError, `expected a RuntimeError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the request to fail');
}

/** Polls `probe` every 10 ms until it returns something truthy, or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => T, what: string, timeoutMs = 10000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
