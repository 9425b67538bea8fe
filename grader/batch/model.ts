// The data a batch produces and every batch output (CSV, per-learner JSON, Gradescope, Exercism, JUnit, HTML, the
// terminal summary, `course merge`) is made from. Plain data, stored as JSON.

import type { ExerciseResult, TestResult } from '../run/result';
import type { SubmittedCode } from '../similarity';

export type ExerciseOutcomeStatus = ExerciseResult['status'] | 'not submitted' | 'rejected';
export type LearnerStatus = 'graded' | 'not submitted' | 'rejected' | 'error';

export interface ExerciseOutcome {
  exercise: string;
  status: ExerciseOutcomeStatus;
  score: number;
  maxScore: number;
  message?: string;
  hungTest?: string;
  tests: TestResult[];
  anomalies: string[];
  diagnostics: ExerciseResult['diagnostics'];
  durationMs: number;
  seed?: number;
  filesHash?: string;
  suiteHash: string;
  /** The instructor-only suite's part of score/maxScore, when the exercise has one. */
  hidden?: ExerciseResult['hidden'];
}

export interface LearnerResult {
  learner: string;
  /** folder / zip / tar.gz */
  kind: string;
  status: LearnerStatus;
  /** Why a submission was rejected, or what went wrong. */
  reason?: string;
  score: number;
  maxScore: number;
  exercises: ExerciseOutcome[];
}

export interface ExerciseMeta {
  id: string;
  title: string;
  suiteHash: string;
  /** The number of tests the suite declares (as seen in this batch; 0 if no run got that far). */
  maxScore: number;
  /** The part of maxScore that comes from the instructor-only (hidden) suite, when the exercise has one. */
  hiddenMaxScore?: number;
}

export interface BatchMeta {
  tool: 'course grade';
  version: 1;
  course: string;
  startedAt: string;
  finishedAt: string;
  /** "i/n" or undefined when not sharded. */
  shard?: { index: number; count: number };
  /** Every submission id in the submissions folder (before sharding), sorted. */
  allLearners: string[];
  /** The ids graded by this output (this shard's share). */
  learners: string[];
  exercises: ExerciseMeta[];
  isolation: Array<{ name: string; on: boolean; why?: string }>;
  /** The uids student children ran as (worker i: first + i), when the run dropped privileges. */
  uids?: { first: number; last: number };
  jobs: number;
  /** Runs done in this invocation, and runs taken from the checkpoint. */
  runs: { graded: number; resumed: number };
  /** Merged from these outputs (course merge). */
  mergedFrom?: string[];
}

export interface Gradebook {
  meta: BatchMeta;
  learners: LearnerResult[];
  /** The graded files of every submission and the starters, for the similarity check (submitted-code.json). */
  code?: SubmittedCode;
}

/** The learner's overall status from the exercises' outcomes. */
export function learnerStatus(exercises: ExerciseOutcome[]): LearnerStatus {
  if (exercises.length && exercises.every((e) => e.status === 'not submitted')) return 'not submitted';
  if (exercises.some((e) => e.status === 'error' && e.message?.startsWith('the hidden suite could not run'))) return 'error';
  return 'graded';
}

export function fromResult(result: ExerciseResult): ExerciseOutcome {
  const notSubmitted = result.status === 'error' && result.message?.startsWith('not submitted');
  return {
    exercise: result.exercise,
    status: notSubmitted ? 'not submitted' : result.status,
    score: result.score,
    maxScore: result.maxScore,
    message: result.message,
    hungTest: result.hungTest,
    tests: result.tests,
    anomalies: result.anomalies,
    diagnostics: result.diagnostics,
    durationMs: result.durationMs,
    seed: result.seed,
    filesHash: result.filesHash,
    suiteHash: result.suiteHash,
    ...(result.hidden ? { hidden: result.hidden } : {}),
  };
}

/** Gives not-submitted/early-error outcomes the exercise's max score, and totals the learner. */
export function finalize(learner: LearnerResult, exercises: ExerciseMeta[]): LearnerResult {
  for (const e of learner.exercises) {
    const meta = exercises.find((m) => m.id === e.exercise);
    if (meta && e.maxScore === 0) e.maxScore = meta.maxScore;
  }
  learner.score = learner.exercises.reduce((s, e) => s + e.score, 0);
  learner.maxScore = learner.exercises.reduce((s, e) => s + e.maxScore, 0);
  return learner;
}

/** A learner id as a file name (ids are entry names already; this only guards against the odd character). */
export function safeName(id: string): string {
  return id.replace(/[^\w.@+-]/g, '_').replace(/^\.+/, '_') || '_';
}
