import * as assert from 'assert';
import { TextBackendError } from '../../src/generation/textBackend';

/** The TextBackendError `p` rejects with; fails the test when it resolves or rejects with anything else. */
export async function backendFailure(p: Promise<unknown>): Promise<TextBackendError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof TextBackendError, `expected a TextBackendError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the request to fail');
}
