import * as assert from 'assert';
import { EventLoopLag } from '../support/eventLoopLag';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The sampler behind every "the editor never stutters" check: it must see a stall, or those checks pass vacuously. */
describe('EventLoopLag', () => {
  it('sees the event loop held for 60 ms, and samples nothing while paused', async () => {
    const lag = new EventLoopLag(1);
    await lag.during(async () => {
      await sleep(20);
      const until = performance.now() + 60;
      while (performance.now() < until) {
        // hold the event loop, as a model step run in the extension host would
      }
      await sleep(20);
    });
    assert.ok(lag.max >= 55, `the longest delay seen was ${lag.max.toFixed(1)} ms`);
    assert.ok(lag.count >= 2, `${lag.count} samples`);
    const count = lag.count;
    await sleep(30);
    assert.strictEqual(lag.count, count, 'a stopped sampler records nothing');
    await lag.during(() => sleep(20));
    assert.ok(lag.count > count, 'sampling resumes and adds to the samples');
    assert.ok(lag.percentile(1) === lag.max && lag.percentile(0) <= lag.percentile(0.5));
  });
});
