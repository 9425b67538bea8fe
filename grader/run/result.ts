// The result of running one exercise's hidden suite against one implementation: what every reporter (terminal,
// course.yaml progress, JSON, JUnit, CSV, HTML) consumes. Plain data, so it can be stored and compared.

import type { Evidence } from '../../harness/support/evidence';

export type TestStatus = 'passed' | 'failed' | 'timeout' | 'missing';
/**
 * - passed / failed: the suite ran; the score is the learner's.
 * - compile-error: the graded files do not compile (syntax errors); load-error: the module under test threw,
 *   hung or crashed while loading. Both score 0 and are the learner's.
 * - timeout: the exercise's time limit was reached (the learner's code hung).
 * - tampered: the code under test tried to interfere with grading (forged results, broke the sandbox protocol).
 * - not submitted: a graded file is missing or empty.
 * - not started: every graded file is the starter stub as handed out, byte for byte (batch grading: nothing ran).
 * - error: the grading machinery failed (a denied read of a provided package, a crash of the trusted process, a
 *   full disk...). An anomaly of the run, never charged to the learner: grade again once the cause is fixed.
 */
export type ExerciseStatus = 'passed' | 'failed' | 'compile-error' | 'load-error' | 'timeout' | 'tampered' | 'not submitted' | 'not started' | 'error';

export interface TestResult {
  /** describe titles then the test title, joined with " › ". Unique within a suite. */
  fullName: string;
  /** The describe titles, outermost first. */
  group: string[];
  title: string;
  status: TestStatus;
  /** Why it failed: the assertion message (no stack, no suite source), capped. */
  message?: string;
  durationMs: number;
  /** The spec section the test checks, taken from the citation at the end of its title, e.g. "RFC 7541 §4.1". */
  spec?: string;
  score: number;
  maxScore: number;
  /** An instructor-only test (from the exercise's hidden suite; graded, never in the learners' copy). */
  hidden?: boolean;
  /** What the code under test printed while this test ran (learner-output.ts): the learner's own, untrusted. */
  output?: LearnerOutput;
  /** The lesson requirements the test checks (its title's `{R1.3}` tags, taken out of the names above). */
  requirements?: string[];
  /**
   * A failure's structured evidence from the hidden suite (tables, frame bytes, timelines, series), beside
   * `message`, which stays the whole story for every text output; the lab's Check view draws it (evidence.ts).
   */
  evidence?: Evidence[];
}

/** The learner's own output during one test (console.log...), neutralised and capped. */
export interface LearnerOutput {
  text: string;
  /** Characters printed beyond the caps (per test, per run) and not kept. */
  dropped: number;
}

/** A lesson sentence a test checks, as the learner's feedback quotes it (exercises/NN-id/requirements.yaml). */
export interface RequirementRef {
  id: string;
  /** The lesson heading it sits under: `course lesson <exercise>` shows it. */
  section: string;
  text: string;
}

export interface Diagnostic {
  /** Path relative to the implementation root (the learner's exercise folder). */
  file: string;
  line: number;
  column: number;
  message: string;
  /** "syntax" stops the run; "type" is feedback shown beside the test results. */
  kind: 'syntax' | 'type';
}

export interface ExerciseResult {
  exercise: string;
  status: ExerciseStatus;
  score: number;
  maxScore: number;
  tests: TestResult[];
  diagnostics: Diagnostic[];
  /** A sentence explaining a non-test outcome: the compile error, the timeout, what looked tampered. */
  message?: string;
  /** The test that was running when the overall timeout struck. */
  hungTest?: string;
  /** What the code under test did that it should not have (tried to exit, ...). */
  anomalies: string[];
  seed: number;
  durationMs: number;
  /** Content hash of the graded files and of the suite, for caching and resuming. */
  filesHash: string;
  suiteHash: string;
  /** The instructor-only (hidden) suite's part of score/maxScore, when one ran (grade, verify). */
  hidden?: { status: ExerciseStatus; score: number; maxScore: number; message?: string };
  /**
   * With an instructor-only suite (`hidden`): the suite `status` and `message` come from, the learner's ('suite')
   * or the instructor-only one (it alone did not complete: a learner is shown a sentence without its words,
   * report/learner-view.ts). Absent in results of earlier versions (instructor-only-message.ts reads those).
   */
  messageFrom?: 'suite' | 'instructor-only';
  /** The lesson sentences the tests name (their `requirements`), so feedback can quote what a failure broke. */
  requirements?: RequirementRef[];
}

/** Pulls the citation at the end of a test title: "... (RFC 7541 §4.1)" gives "RFC 7541 §4.1". */
export function specOf(title: string): string | undefined {
  const match = /\(((?:RFC|WHATWG|HTML|h2spec)[^()]*)\)\s*$/.exec(title);
  return match?.[1];
}
