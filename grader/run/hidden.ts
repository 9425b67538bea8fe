// Instructor-only tests (nbgrader's hidden tests, Gradescope's "after due date" visibility). A suite
// `harness/suites/<id>.test.ts` may have a companion `harness/suites/<id>.hidden.test.ts`, the instructor-only suite:
// `course release` leaves it out of the learners' copy, so `course check` there never has it; `course grade` and
// `course verify` run it after the suite, against the same build, and report its score apart.
//
// Words: "the suite" is the one learners run (the "hidden suite" of the README: run, never read); "instructor-only"
// is the other. The `hidden` in this file's names, the file name on disk and the results' `hidden` fields keep the
// older word (renaming them would break other modules' imports and the results files already written).
//
// The two suites run as two jobs of the same runner (runExercise), so the instructor-only one gets its own time
// budget and its own expected-test bookkeeping; this file only joins the two results.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { toMs, type ExerciseSpec } from '../course/schema';
import { JestProcess } from './jest-process';
import { instructorOnlyMessage } from './instructor-only-message';
import type { ExerciseResult, ExerciseStatus } from './result';
import { runExercise, suiteHash, type RunOptions } from './run-exercise';
import { joinSentences } from './lesson-sentences';
import { NOT_RUN_FAIL_FAST } from './test-accounting';

/** `foo.test.ts` → `foo.hidden.test.ts` (relative to the course root, like `suite`). */
export function hiddenSuiteOf(suite: string): string {
  return suite.replace(/\.test\.ts$/, '.hidden.test.ts');
}

/** True for a file name that is an instructor-only suite (never shipped to learners). */
export function isHiddenSuite(file: string): boolean {
  return /\.hidden\.test\.ts$/.test(file);
}

/** The exercise's hidden suite (relative path), when the course has one. */
export function hiddenSuite(courseRoot: string, exercise: ExerciseSpec): string | undefined {
  const rel = hiddenSuiteOf(exercise.suite);
  return rel !== exercise.suite && existsSync(path.join(courseRoot, rel)) ? rel : undefined;
}

/**
 * The hash that identifies what grading runs: the visible suite, plus the hidden one when there is one (so that a
 * changed hidden suite regrades from the checkpoint as a changed visible one does).
 */
export function gradingSuiteHash(courseRoot: string, exercise: ExerciseSpec): string {
  const visible = suiteHash(courseRoot, exercise);
  const hidden = hiddenSuite(courseRoot, exercise);
  if (!hidden) return visible;
  return createHash('sha256')
    .update(visible)
    .update('\0hidden\0')
    .update(readFileSync(path.join(courseRoot, hidden)))
    .digest('hex');
}

export interface GradedRunOptions extends RunOptions {
  /** Also run the hidden suite (grade, verify). Default false: what a learner's `course check` runs. */
  hidden?: boolean;
  /** A fresh trusted jest process when the one used for the visible suite was killed (timeout) or died. */
  freshJest?: () => JestProcess;
}

const SEVERITY: Record<string, number> = { passed: 0, failed: 1 };

/** The least time the hidden suite's run gets (its own budget, after the visible suite's). */
export const HIDDEN_MIN_BUDGET_MS = 60_000;

/** Joins the visible and the hidden results of one exercise. */
export function joinHidden(visible: ExerciseResult, hidden: ExerciseResult, combinedHash: string): ExerciseResult {
  const tests = [...visible.tests, ...hidden.tests.map((t) => ({ ...t, hidden: true }))];
  const score = visible.score + hidden.score;
  const maxScore = visible.maxScore + hidden.maxScore;
  let status: ExerciseStatus = visible.status;
  let message = visible.message;
  let messageFrom: ExerciseResult['messageFrom'] = 'suite';
  // A run that did not complete (timeout, tampering, machinery failure...) outranks a plain pass/fail.
  const visibleRank = SEVERITY[visible.status] ?? 2;
  const hiddenRank = SEVERITY[hidden.status] ?? 2;
  if (visibleRank < 2 && hiddenRank === 2) {
    status = hidden.status;
    // A machinery failure keeps its leading words (and its status, error): never the learner's.
    message = instructorOnlyMessage(hidden.status, hidden.message);
    messageFrom = 'instructor-only';
  } else if (visibleRank < 2) {
    status = visible.status === 'passed' && hidden.status === 'passed' ? 'passed' : 'failed';
  }
  const anomalies = [...visible.anomalies];
  for (const a of hidden.anomalies) if (!anomalies.includes(a)) anomalies.push(a);
  return {
    ...visible,
    status,
    message,
    score,
    maxScore,
    tests,
    anomalies,
    ...(visible.requirements || hidden.requirements ? { requirements: joinSentences(visible.requirements, hidden.requirements) } : {}),
    hungTest: visible.hungTest ?? hidden.hungTest,
    durationMs: visible.durationMs + hidden.durationMs,
    suiteHash: combinedHash,
    hidden: { status: hidden.status, score: hidden.score, maxScore: hidden.maxScore, message: hidden.message },
    messageFrom,
  };
}

/**
 * Runs an exercise as grading does: the visible suite, then (with `hidden`) the hidden suite against the same
 * files. Without a hidden suite, or without `hidden`, this is runExercise.
 */
export async function runGraded(options: GradedRunOptions): Promise<ExerciseResult> {
  const { hidden: withHidden, freshJest, ...runOptions } = options;
  const hidden = withHidden ? hiddenSuite(options.courseRoot, options.exercise) : undefined;
  const visible = await runExercise(runOptions);
  if (!hidden) return visible;
  // Fail-fast (verify's mutants): a failure in the visible suite already decides; the hidden one is not run. (A
  // test fail-fast skipped is never alone: the failure that stopped the run is among the tests too.)
  if (options.failFast && !options.focus && visible.tests.some((t) => t.status !== 'passed')) return visible;
  // A focused run (verify's mutants, SuiteJob.focus) is decided once each focused requirement has a failing test.
  const failedIds = new Set(visible.tests.filter((t) => t.status !== 'passed' && t.message !== NOT_RUN_FAIL_FAST).flatMap((t) => t.requirements ?? []));
  if (options.focus?.every((id) => failedIds.has(id))) return visible;
  const combinedHash = gradingSuiteHash(options.courseRoot, options.exercise);
  // Nothing was built (not submitted, does not compile): the hidden suite cannot run either.
  if (visible.tests.length === 0 && visible.status === 'error') return { ...visible, suiteHash: combinedHash };
  // The starter stub, unchanged: nothing to grade in the hidden suite either.
  if (visible.status === 'not started') return { ...visible, suiteHash: combinedHash };
  let jest = options.jest;
  let own: JestProcess | undefined;
  if (jest && !jest.usable) {
    if (freshJest) jest = freshJest();
    else jest = own = new JestProcess();
  }
  try {
    // Generated property tests run many cases: the hidden suite gets at least a minute, whatever the exercise's limit.
    const visibleBudget = options.timeoutMs ?? toMs(options.exercise.timeout);
    const second = await runExercise({
      ...runOptions,
      timeoutMs: Math.max(visibleBudget, HIDDEN_MIN_BUDGET_MS),
      jest,
      exercise: { ...options.exercise, suite: hidden },
      typecheck: false,
      onEvent: undefined,
    });
    return joinHidden(visible, second, combinedHash);
  } finally {
    own?.close();
  }
}
