import * as assert from 'assert';
import { EventLoopLag } from '../support/eventLoopLag';
import { waitFor } from '../support/waitFor';

/** The sampler behind every "the editor never stutters" check: it must see a stall, or those checks pass vacuously. */
describe('EventLoopLag', () => {
  it('sees the event loop held for 60 ms, and samples nothing while paused', async () => {
    const lag = new EventLoopLag(1);
    await lag.during(async () => {
      await waitFor(() => lag.count >= 3, 'samples before the stall');
      const until = performance.now() + 60;
      while (performance.now() < until) {
        // hold the event loop, as a model step run in the extension host would
      }
      const stalled = lag.count;
      await waitFor(() => lag.count >= stalled + 3, 'samples after the stall');
    });
    assert.ok(lag.max >= 55, `the longest delay seen was ${lag.max.toFixed(1)} ms`);
    const count = lag.count;
    // A running sampler beside it shows time passing; the stopped one must not move meanwhile.
    const witness = new EventLoopLag(1);
    await witness.during(() => waitFor(() => witness.count >= 10, 'the running sampler to tick'));
    assert.strictEqual(lag.count, count, 'a stopped sampler records nothing');
    await lag.during(() => waitFor(() => lag.count > count, 'sampling to resume'));
    assert.ok(lag.percentile(1) === lag.max && lag.percentile(0) <= lag.percentile(0.5));
  });
});
