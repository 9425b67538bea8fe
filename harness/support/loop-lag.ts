// How late this process's own timers have run since the last reset: a measure, taken on the trusted side, of how
// loaded the machine is. A suite that judges "too late" on the wall clock adds it to its window, so a learner's
// timer that fired late because the machine was busy is not charged to the learner. Measured here (the jest
// worker), never in the sandbox host: code under test runs there and could report anything.

import { monitorEventLoopDelay } from 'node:perf_hooks';

export class LoopLag {
  private static readonly resolutionMs = 10;
  private readonly histogram = monitorEventLoopDelay({ resolution: LoopLag.resolutionMs });

  constructor() {
    this.histogram.enable();
  }

  /** Starts a new measurement (each test calls it first). */
  reset(): void {
    this.histogram.reset();
  }

  /** The longest stall of this process's event loop since the last reset, in ms (0 when none was sampled). */
  maxMs(): number {
    // Each sample is the time between two ticks of a timer set to the resolution: an idle loop records about that.
    return this.histogram.count ? Math.max(0, Math.round(this.histogram.max / 1e6 - LoopLag.resolutionMs)) : 0;
  }

  stop(): void {
    this.histogram.disable();
  }
}
