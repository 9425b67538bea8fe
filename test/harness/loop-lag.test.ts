import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoopLag } from '../../harness/support/loop-lag';

test('a stall of the event loop shows in maxMs, and reset() starts a new measurement', async () => {
  const lag = new LoopLag();
  try {
    await sleep(50);
    // The stall is timed on the monotonic clock, as the histogram is: Date.now() follows the wall clock, which a
    // VM's time sync may step forward, ending a Date.now() loop early (CI once saw a "200 ms" stall measured as 4).
    const start = performance.now();
    while (performance.now() - start < 200); // nothing else runs for 200 ms
    const stalledMs = performance.now() - start;
    await sleep(40);
    expect(lag.maxMs()).toBeGreaterThanOrEqual(Math.floor(stalledMs) - 20);
    lag.reset();
    expect(lag.maxMs()).toBe(0); // nothing sampled yet
  } finally {
    lag.stop();
  }
});
