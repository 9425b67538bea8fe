// The test environment of the trusted jest process. Before the first test runs it sends the grader the full list
// of tests the suite declares, so that a test which never reports (a hang, a crash) is counted as missing rather
// than silently dropped. It runs in the jest process, never in the sandbox.

import { TestEnvironment } from 'jest-environment-node';
import type { Circus } from '@jest/types';
import { ANOMALY_KINDS, SANDBOX_SIGNALS, type Anomaly, type CourseHooks, type SandboxSignal } from '../../harness/sandbox/contract';
import { OutputAttribution } from './learner-output';
import type { ExpectedTest, FromWorker } from './worker-protocol';

/** "describe › describe › test", as the stream reporter names a test. */
function fullNameOf(test: Circus.TestEntry): string {
  const names = [test.name];
  for (let block: Circus.DescribeBlock | undefined = test.parent; block?.parent; block = block.parent) names.unshift(block.name);
  return names.join(' › ');
}

function collect(block: Circus.DescribeBlock, ancestors: string[], out: ExpectedTest[]): void {
  for (const child of block.children) {
    if (child.type === 'describeBlock') {
      if (child.mode !== 'skip') collect(child, [...ancestors, child.name], out);
    } else if (child.mode !== 'skip' && child.mode !== 'todo') {
      out.push({ fullName: [...ancestors, child.name].join(' › '), group: ancestors, title: child.name });
    }
  }
}

export default class TrustedEnvironment extends TestEnvironment {
  /** `course verify`'s mutant runs: skip the tests after the first failure (SuiteJob.failFast). */
  private readonly failFast: boolean;
  private failedOnce = false;
  /** What the code under test prints, per test (learner-output.ts). */
  private readonly output = new OutputAttribution((message) => process.send?.(message));

  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    this.failFast = args[0].projectConfig.testEnvironmentOptions?.courseFailFast === true;
    const hooks: Required<CourseHooks> = {
      // Lets trusted harness code (the sandbox client) report what the code under test did, e.g. tried to exit.
      __courseAnomaly: (anomaly: Anomaly) => {
        if (!ANOMALY_KINDS.includes(anomaly.kind)) return;
        const message: FromWorker = { type: 'anomaly', anomaly: { kind: anomaly.kind, detail: String(anomaly.detail).slice(0, 1000) } };
        process.send?.(message);
      },
      // How the sandbox hosts fared (loaded, failed to load, machinery failure, protocol violation): the grader's
      // verdict tells a learner's load crash from a failure of the grading machinery (grader/run/verdict.ts).
      __courseSandboxSignal: (kind: SandboxSignal, detail: string) => {
        if (!SANDBOX_SIGNALS.includes(kind)) return;
        const message: FromWorker = { type: 'sandbox', kind, detail: String(detail).slice(0, 4000) };
        process.send?.(message);
      },
      // The sandbox client's stdout/stderr of the code under test: the learner's own output, per test.
      __courseOutput: (text: string, dropped = 0) => this.output.write(String(text), Number(dropped) || 0),
    };
    Object.assign(this.global, hooks);
  }

  async handleTestEvent(event: Circus.Event, state: Circus.State): Promise<void> {
    if (event.name === 'test_start') this.output.testStarted(fullNameOf(event.test));
    if (event.name === 'test_done') this.output.testDone();
    if (event.name === 'run_start') {
      const tests: ExpectedTest[] = [];
      collect(state.rootDescribeBlock, [], tests);
      const message: FromWorker = { type: 'tests', tests };
      process.send?.(message);
    }
    if (!this.failFast) return;
    if (event.name === 'test_done' && event.test.errors.length > 0) this.failedOnce = true;
    // jest-circus reads a test's mode right after `test_start`: a test marked here is skipped, not run.
    if (event.name === 'test_start' && this.failedOnce) event.test.mode = 'skip';
  }

  override async teardown(): Promise<void> {
    this.output.flush();
    await super.teardown();
  }
}
