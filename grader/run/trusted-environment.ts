// The test environment of the trusted jest process. Before the first test runs it sends the grader the full list
// of tests the suite declares, so that a test which never reports (a hang, a crash) is counted as missing rather
// than silently dropped. It runs in the jest process, never in the sandbox.

import { TestEnvironment } from 'jest-environment-node';
import type { Circus } from '@jest/types';
import { ANOMALY_KINDS, ENV, SANDBOX_SIGNALS, type Anomaly, type CourseHooks, type SandboxSignal } from '../../harness/sandbox/contract';
import { buildFolder } from './build-gate';
import { OutputAttribution } from './learner-output';
import { requirementsOf, untaggedNames } from '../course/requirement-tags';
import type { ExpectedTest, FromWorker } from './worker-protocol';
import { EVIDENCE_PER_TEST } from './evidence';

/** "describe › describe › test" without requirement tags, as the collector names a test's result. */
function fullNameOf(test: Circus.TestEntry): string {
  const group: string[] = [];
  for (let block: Circus.DescribeBlock | undefined = test.parent; block?.parent; block = block.parent) group.unshift(block.name);
  return untaggedNames(group, test.name).fullName;
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

/**
 * verify's focused runs (SuiteJob.focus): marks every test tagged with none of the focused ids as skipped (before the
 * run, so jest-circus also skips the hooks of blocks left without a test) and returns each kept test's focused ids.
 */
function applyFocus(block: Circus.DescribeBlock, ancestors: string[], focus: Set<string>, out: Map<Circus.TestEntry, string[]>): void {
  for (const child of block.children) {
    if (child.type === 'describeBlock') {
      applyFocus(child, [...ancestors, child.name], focus, out);
      continue;
    }
    const ids = requirementsOf(ancestors, child.name).filter((id) => focus.has(id));
    if (ids.length === 0) child.mode = 'skip';
    else out.set(child, ids);
  }
}

export default class TrustedEnvironment extends TestEnvironment {
  /** `course verify`'s mutant runs: skip the tests after the first failure (SuiteJob.failFast). */
  private readonly failFast: boolean;
  private failedOnce = false;
  /** What the code under test prints, per test (learner-output.ts). */
  private readonly output = new OutputAttribution((message) => process.send?.(message));
  /** `course verify`'s focused mutant runs (SuiteJob.focus): the ids, each kept test's ids, the ids already failed. */
  private readonly focus: Set<string> | undefined;
  private readonly focusedTests = new Map<Circus.TestEntry, string[]>();
  private readonly failedIds = new Set<string>();
  /** The test running now (its evidence is attributed to it) and how much evidence it sent. */
  private runningTest: string | undefined;
  private evidenceSent = 0;

  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    this.failFast = args[0].projectConfig.testEnvironmentOptions?.courseFailFast === true;
    const focus = args[0].projectConfig.testEnvironmentOptions?.courseFocus;
    this.focus = Array.isArray(focus) ? new Set(focus.map(String)) : undefined;
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
      // A hidden suite's structured evidence (the suite runs here; the code under test cannot reach this process).
      __courseEvidence: (evidence: unknown) => this.evidence(evidence),
    };
    Object.assign(this.global, hooks);
  }

  /** Sends a test's evidence at once (before its result, so the result can carry it), at most a few per test. */
  private evidence(evidence: unknown): void {
    if (this.runningTest === undefined || this.evidenceSent >= EVIDENCE_PER_TEST) return;
    this.evidenceSent++;
    const message: FromWorker = { type: 'evidence', fullName: this.runningTest, evidence };
    process.send?.(message);
  }

  async handleTestEvent(event: Circus.Event, state: Circus.State): Promise<void> {
    if (event.name === 'test_start') {
      this.runningTest = fullNameOf(event.test);
      this.evidenceSent = 0;
      this.output.testStarted(this.runningTest);
    }
    if (event.name === 'test_done') {
      this.runningTest = undefined;
      this.output.testDone();
    }
    if (event.name === 'run_start') {
      // A prepared run (build-gate.ts) waits here, with the suite loaded, for the build of the learner's save. The
      // suite's sandbox reads the folder from its own copy of the environment (jest copies process.env).
      const buildDir = await buildFolder();
      process.env[ENV.buildDir] = buildDir;
      (this.global.process as NodeJS.Process).env[ENV.buildDir] = buildDir;
      if (this.focus) applyFocus(state.rootDescribeBlock, [], this.focus, this.focusedTests);
      const tests: ExpectedTest[] = [];
      collect(state.rootDescribeBlock, [], tests);
      const message: FromWorker = { type: 'tests', tests };
      process.send?.(message);
    }
    if (this.focus) {
      // One failing test per focused requirement decides: a test whose every focused id has failed is skipped.
      const ids = (event.name === 'test_done' || event.name === 'test_start' ? this.focusedTests.get(event.test) : undefined) ?? [];
      if (event.name === 'test_done' && event.test.errors.length > 0) for (const id of ids) this.failedIds.add(id);
      if (event.name === 'test_start' && ids.length > 0 && ids.every((id) => this.failedIds.has(id))) event.test.mode = 'skip';
      return;
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
