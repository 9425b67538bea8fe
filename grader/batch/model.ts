// The data a batch produces and every batch output (CSV, per-learner JSON, Gradescope, Exercism, JUnit, HTML, the
// terminal summary, `course merge`) is made from. Plain data, stored as JSON. Every text in it that came from
// outside the grader (ids from file names, reasons quoting entry names, the code under test's messages, notes with
// git's output, roster cells) is typed `Untrusted` (report/escape.ts): writers print it through that module only.

import { withMessageFrom } from '../run/instructor-only-message';
import type { ExerciseResult, TestResult } from '../run/result';
import { pointsOf, round2, type GroupPoints, type PointsSpec } from './points';
import type { RosterEntry } from './roster';
import type { SubmittedCode } from '../similarity';
import { untrusted, untrustedOpt, type Untrusted } from '../report/escape';
import type { LayerId } from './isolation';
import type { AssignmentMeta } from './assignment';

export type ExerciseOutcomeStatus = ExerciseResult['status'] | 'rejected';
export type LearnerStatus = 'graded' | 'not submitted' | 'rejected' | 'error';

/** Why a run was graded in this invocation rather than taken from the checkpoint. */
export type RunReason = 'new' | '--only' | 'suite changed' | 'files changed';

export interface RunOrigin {
  /** Graded by this invocation (true) or taken from the checkpoint (false). */
  fresh: boolean;
  /** When the run finished. */
  at?: string;
  reason?: RunReason;
}

/** When a submission came in, and what lateness cost (with --deadline). */
export interface SubmissionTime {
  /** ISO time, when known. */
  at?: string;
  source?: string;
  /** This learner's deadline (the course's, or moved by an extension). */
  deadline?: string;
  extension?: string;
  lateMs: number;
  /** Share of the points deducted, 0..1. */
  penalty: number;
  label: string;
}

export interface ExerciseOutcome {
  exercise: string;
  status: ExerciseOutcomeStatus;
  score: number;
  maxScore: number;
  message?: Untrusted;
  hungTest?: Untrusted;
  tests: TestResult[];
  anomalies: Untrusted[];
  diagnostics: ExerciseResult['diagnostics'];
  durationMs: number;
  seed?: number;
  filesHash?: string;
  suiteHash: string;
  /** Points earned (from the tests and course.yaml's points:), and the most there are. */
  points?: number;
  maxPoints?: number;
  /** Per points group, when course.yaml names groups. */
  groups?: GroupPoints[];
  /** This run was graded now or came from the checkpoint. */
  run?: RunOrigin;
  /** The instructor-only suite's part of score/maxScore, when the exercise has one. */
  hidden?: ExerciseResult['hidden'];
  /** The status and message come from the instructor-only suite (ExerciseResult.messageFrom). */
  messageFrom?: ExerciseResult['messageFrom'];
  /** The lesson sentences the tests name (feedback quotes them under a failure; the report groups by them). */
  requirements?: ExerciseResult['requirements'];
}

export interface LearnerLms {
  lms: 'canvas' | 'moodle';
  /** The prefix of the learner's files in the download ("smithjane_12345", "Jane Smith_881"). */
  prefix: string;
  userId?: string;
  participantId?: string;
  /** Canvas: one of the submission's attachment ids (its re-upload attaches feedback to a submitted file's id). */
  attachmentId?: string;
  late?: boolean;
}

export interface LearnerResult {
  learner: Untrusted;
  /** folder / zip / tar.gz */
  kind: string;
  status: LearnerStatus;
  /** Why a submission was rejected, or what went wrong. */
  reason?: Untrusted;
  score: number;
  maxScore: number;
  /** Points over all exercises before any late deduction, their maximum, and the percentage. */
  points?: number;
  maxPoints?: number;
  percent?: number;
  /** Points after the late deduction (= points when there is none), and its percentage. */
  finalPoints?: number;
  finalPercent?: number;
  /** A learner of a Canvas or Moodle bulk download: what its feedback archive needs to name them the LMS's way. */
  lms?: LearnerLms;
  /** The learner's roster row (with --roster); absent for a submission not in the roster. */
  roster?: RosterEntry;
  submitted?: SubmissionTime;
  /** Things the instructor should know about this submission that are not grades (e.g. an unreadable .git). */
  notes?: Untrusted[];
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
  /** course.yaml's points: resolved; absent = one point per test. */
  points?: PointsSpec;
  /** What the exercise is worth. */
  maxPoints?: number;
}

export interface RosterMeta {
  file: string;
  /** Roster learners with no submission in the submissions folder (all of it, not only this shard's share). */
  missing: RosterEntry[];
  /** Submissions no roster row names (all of them). */
  unrostered: string[];
}

export interface DeadlineMeta {
  at: string;
  /** The late policy in words, and as given. */
  policy: string;
  late: string;
  /** The metadata file that was read, if any. */
  timesFile?: string;
}

export interface SuiteChange {
  exercise: string;
  from: string[];
  to: string;
  runs: number;
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
  /** `id` is stable (LayerId, isolation.ts) and absent from gradebooks written before layers had ids; `name` is for display. */
  isolation: Array<{ id?: LayerId; name: string; on: boolean; why?: string }>;
  /** The uids student children ran as (worker i: first + i), when the run dropped privileges. */
  uids?: { first: number; last: number };
  jobs: number;
  /** Runs done in this invocation, and runs taken from the checkpoint. */
  runs: {
    graded: number;
    resumed: number;
    /** Why runs were graded now: counts per reason. */
    reasons?: Partial<Record<RunReason, number>>;
  };
  /** Exercises whose suite changed since the checkpoint's runs (regraded for everyone). */
  suiteChanges?: SuiteChange[];
  /** The learners named with --only. */
  only?: string[];
  roster?: RosterMeta;
  deadline?: DeadlineMeta;
  /** The assignment graded (--assignment): its LMS column and what it is worth. */
  assignment?: AssignmentMeta;
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
  // A failure of the grading machinery in any exercise: the learner's total is not final (grade again).
  if (exercises.some((e) => e.status === 'error')) return 'error';
  return 'graded';
}

export function fromResult(raw: ExerciseResult): ExerciseOutcome {
  // (A checkpoint of an earlier version may hold the result: withMessageFrom reads its message's old wording.)
  const result = withMessageFrom(raw);
  return {
    exercise: result.exercise,
    status: result.status,
    score: result.score,
    maxScore: result.maxScore,
    message: untrustedOpt(result.message),
    hungTest: untrustedOpt(result.hungTest),
    tests: result.tests,
    anomalies: result.anomalies.map(untrusted),
    diagnostics: result.diagnostics,
    durationMs: result.durationMs,
    seed: result.seed,
    filesHash: result.filesHash,
    suiteHash: result.suiteHash,
    ...(result.hidden ? { hidden: result.hidden } : {}),
    ...(result.messageFrom ? { messageFrom: result.messageFrom } : {}),
    ...(result.requirements ? { requirements: result.requirements } : {}),
  };
}

/** What an exercise is worth: its points: total, else one point per test. */
export function exerciseMaxPoints(meta: Pick<ExerciseMeta, 'points' | 'maxScore'>): number {
  return meta.points ? meta.points.total : meta.maxScore;
}

export function percentOf(points: number, max: number): number {
  return max > 0 ? round2((100 * points) / max) : 0;
}

/**
 * Gives not-submitted/early-error outcomes the exercise's max score, computes every exercise's points, and totals
 * the learner (points, percentage, and the points after the late deduction).
 */
export function finalize(learner: LearnerResult, exercises: ExerciseMeta[]): LearnerResult {
  for (const e of learner.exercises) {
    const meta = exercises.find((m) => m.id === e.exercise);
    if (meta && e.maxScore === 0) {
      e.maxScore = meta.maxScore;
      // An outcome that ran no test (a compile error) has an instructor-only part of 0/0: give it its share of the
      // max too, or feedback would count every test as visible (0/5 visible, 0/0 instructor-only for 3 + 2 tests).
      if (e.hidden && meta.hiddenMaxScore !== undefined) e.hidden = { ...e.hidden, maxScore: meta.hiddenMaxScore };
    }
    const p = pointsOf(e.tests, meta?.points, meta ? exerciseMaxPoints(meta) : e.maxScore);
    e.points = p.points;
    e.maxPoints = meta?.points ? meta.points.total : Math.max(p.max, e.maxScore);
    if (p.groups.length) e.groups = p.groups;
    else delete e.groups;
  }
  learner.score = learner.exercises.reduce((s, e) => s + e.score, 0);
  learner.maxScore = learner.exercises.reduce((s, e) => s + e.maxScore, 0);
  learner.points = round2(learner.exercises.reduce((s, e) => s + (e.points ?? 0), 0));
  learner.maxPoints = round2(learner.exercises.reduce((s, e) => s + (e.maxPoints ?? 0), 0));
  learner.percent = percentOf(learner.points, learner.maxPoints);
  const penalty = learner.submitted?.penalty ?? 0;
  learner.finalPoints = round2(learner.points * (1 - penalty));
  learner.finalPercent = percentOf(learner.finalPoints, learner.maxPoints);
  return learner;
}
