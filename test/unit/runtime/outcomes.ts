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
