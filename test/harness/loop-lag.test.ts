import { setTimeout as sleep } from 'node:timers/promises';
import { LoopLag } from '../../harness/support/loop-lag';

test('a stall of the event loop shows in maxMs, and reset() starts a new measurement', async () => {
  const lag = new LoopLag();
  try {
    await sleep(50);
    const until = Date.now() + 200;
    while (Date.now() < until); // the stall: nothing else runs for 200 ms
    await sleep(40);
    expect(lag.maxMs()).toBeGreaterThanOrEqual(180);
    lag.reset();
    expect(lag.maxMs()).toBe(0); // nothing sampled yet
  } finally {
    lag.stop();
  }
});
