// What the code under test printed (console.log, console.error, any write to its stdout or stderr), attributed to
// the test that was running when it arrived, so a learner can debug by printing. It runs in the trusted jest
// process (trusted-environment.ts feeds it the sandbox client's output and jest-circus's test events) and sends
// the grader one `output` message per test and flush (worker-protocol.ts), capped per test and per run.
//
// Which test a line belongs to:
// - written while a test runs (its beforeEach/afterEach hooks included, where the sandbox host is started): that test;
// - written between two tests or after the last one (the late lines of a test's last call, its timers, a host
//   being stopped): the test that ran before it;
// - written before the first test (a beforeAll): the first test.
// The text is the learner's and untrusted: the grader neutralises it on arrival and every output escapes it.

import type { FromWorker } from './worker-protocol';

/** The most of one test's output that is kept (characters); the rest is counted as dropped. */
export const OUTPUT_PER_TEST = 4000;
/** The most of a whole run's output that is kept (characters), over all its tests. */
export const OUTPUT_PER_RUN = 40_000;
/** Output is sent at the latest this long after it arrived (so a run killed at its time limit still has it). */
const FLUSH_MS = 100;

interface Unsent {
  text: string;
  dropped: number;
}

export class OutputAttribution {
  private running: string | undefined;
  private previous: string | undefined;
  /** Output that arrived before the first test: it goes to the first one. */
  private early: Unsent = { text: '', dropped: 0 };
  private readonly kept = new Map<string, number>();
  private keptInRun = 0;
  private readonly unsent = new Map<string, Unsent>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly send: (message: FromWorker) => void) {}

  testStarted(fullName: string): void {
    this.flush();
    this.running = fullName;
    if (this.previous === undefined && (this.early.text || this.early.dropped)) {
      const { text, dropped } = this.early;
      this.early = { text: '', dropped: 0 };
      this.add(fullName, text, dropped);
    }
  }

  testDone(): void {
    this.flush();
    this.previous = this.running ?? this.previous;
    this.running = undefined;
  }

  /** A piece of what the code under test printed, and how much more it printed that was not kept. */
  write(text: string, dropped = 0): void {
    const target = this.running ?? this.previous;
    if (target === undefined) {
      // (Before any test: kept for the first one, within the same caps.)
      const room = Math.max(0, Math.min(OUTPUT_PER_TEST - this.early.text.length, OUTPUT_PER_RUN - this.keptInRun));
      this.early.text += text.slice(0, room);
      this.early.dropped += dropped + Math.max(0, text.length - room);
      return;
    }
    this.add(target, text, dropped);
  }

  private add(fullName: string, text: string, alreadyDropped: number): void {
    const kept = this.kept.get(fullName) ?? 0;
    const room = Math.max(0, Math.min(OUTPUT_PER_TEST - kept, OUTPUT_PER_RUN - this.keptInRun));
    const taken = text.slice(0, room);
    this.kept.set(fullName, kept + taken.length);
    this.keptInRun += taken.length;
    const entry = this.unsent.get(fullName) ?? { text: '', dropped: 0 };
    entry.text += taken;
    entry.dropped += alreadyDropped + (text.length - taken.length);
    this.unsent.set(fullName, entry);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  /** Sends what has not been sent yet. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const [fullName, { text, dropped }] of this.unsent) this.send({ type: 'output', fullName, text, dropped });
    this.unsent.clear();
  }
}
