// Messages between the grader (run-exercise.ts) and the trusted jest process (jest-worker.ts).

import type { Anomaly, SandboxSignal } from '../../harness/sandbox/contract';

export interface SuiteJob {
  /** Absolute path of the hidden suite. */
  suite: string;
  /** Build folder with the compiled code under test and sandbox.json. */
  buildDir: string;
  seed: number;
  /** Per-test timeout inside jest. */
  testTimeoutMs: number;
  /** The grader's own jest cache directory. */
  cacheDir: string;
  /** The course root: rootDir for jest. */
  rootDir: string;
  /**
   * Skip every test after the first one that fails (`course verify`'s mutant runs: one failing test is enough to
   * call a mutant caught, and the rest of a network suite is minutes of CPU). Never used for a grade.
   */
  failFast?: boolean;
  /**
   * `course verify`'s mutant runs: run only the tests tagged with one of these requirement ids, and skip a test
   * once each of its ids among these has a failing test (one failure per requirement decides). Never for a grade.
   */
  focus?: string[];
}

export type ToWorker =
  | { type: 'run'; job: SuiteJob }
  /**
   * Watch's warm session: start the job now, before its build exists (its buildDir is empty); it waits with the
   * suite loaded (build-gate.ts) and reports nothing until `start` names the build folder.
   */
  | { type: 'prepare'; job: SuiteJob }
  /** The prepared job's build is ready: run its tests on it. */
  | { type: 'start'; buildDir: string }
  | { type: 'exit' };

export interface ExpectedTest {
  fullName: string;
  group: string[];
  title: string;
  /** The requirement ids of its tags (set by the grader when it strips them; collect.ts). */
  requirements?: string[];
}

export type FromWorker =
  | { type: 'ready' }
  /** Every test the suite declares, sent before the first one runs (from the trusted test environment). */
  | { type: 'tests'; tests: ExpectedTest[] }
  | { type: 'test-start'; fullName: string }
  | {
      type: 'test-result';
      fullName: string;
      group: string[];
      title: string;
      status: 'passed' | 'failed' | 'skipped';
      durationMs: number;
      message?: string;
    }
  /** The suite file itself failed (harness bug, or a suite that could not be loaded). */
  | { type: 'suite-error'; message: string }
  /** Something the code under test did (reported by the sandbox client, or by the jest process itself). */
  | { type: 'anomaly'; anomaly: Anomaly }
  /** A sandbox host loaded the code under test, failed to load it, hit a machinery failure, or broke the protocol. */
  | { type: 'sandbox'; kind: SandboxSignal; detail: string }
  /** What the code under test printed while (or just after) the test ran, capped; `dropped` characters were not kept. */
  | { type: 'output'; fullName: string; text: string; dropped: number }
  /** A hidden suite's structured evidence for the running test (harness/support/evidence.ts; checked on arrival). */
  | { type: 'evidence'; fullName: string; evidence: unknown }
  | { type: 'done' }
  | { type: 'worker-error'; message: string };
