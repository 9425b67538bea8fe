// The gradebook of a batch, assembled from the plan and the outcomes of its runs: pure functions, no process and no
// file (the reference-solution runs that size an exercise nobody ran are done by the caller, and passed in).

import type { SubmittedCode } from '../similarity';
import { untrusted } from '../report/escape';
import type { IntakeResult, Submission } from './intake';
import type { IsolationLayer } from './isolation';
import { describePolicy, lateness } from './late';
import {
  finalize,
  learnerStatus,
  type BatchMeta,
  type ExerciseMeta,
  type ExerciseOutcome,
  type Gradebook,
  type LearnerResult,
  type SubmissionTime,
} from './model';
import type { BatchOptions } from './options';
import type { Learners, RunPlan } from './plan';
import { resolvePoints } from './points';
import type { RunTable } from './run-key';
import { submittedAt } from './submitted-at';

/** An exercise's max score from its runs (and from the canary's run of its reference solution); 0 when none ran. */
export function maxScores(exercises: Array<{ id: string }>, outcomes: RunTable<ExerciseOutcome>, canaryMax: Map<string, number>): Map<string, number> {
  return new Map(exercises.map((e) => [e.id, Math.max(canaryMax.get(e.id) ?? 0, ...outcomes.ofExercise(e.id).map((o) => o.maxScore))]));
}

/** A run of the reference solution outside the pool, for an exercise that no submission ran. */
export interface ReferenceRun {
  maxScore: number;
  hiddenMaxScore?: number;
}

export function exerciseMetas(
  exercises: BatchOptions['exercises'],
  suites: Map<string, string>,
  outcomes: RunTable<ExerciseOutcome>,
  maxOf: Map<string, number>,
  references: Map<string, ReferenceRun>,
): ExerciseMeta[] {
  return exercises.map((e) => {
    const points = resolvePoints(e.points);
    const max = references.get(e.id)?.maxScore ?? maxOf.get(e.id)!;
    let hidden = references.get(e.id)?.hiddenMaxScore;
    for (const o of outcomes.ofExercise(e.id)) if (o.hidden) hidden = Math.max(hidden ?? 0, o.hidden.maxScore);
    return {
      id: e.id,
      title: e.title,
      suiteHash: suites.get(e.id)!,
      maxScore: max,
      ...(hidden !== undefined ? { hiddenMaxScore: hidden } : {}),
      points,
      maxPoints: points ? points.total : max,
    };
  });
}

type Who = Pick<LearnerResult, 'roster' | 'submitted' | 'notes' | 'lms'>;

/** Who, and when: the roster row, the submission time and what lateness costs (with --deadline). */
export function learnerContext(submission: Submission, intake: IntakeResult, learners: Learners, deadline: BatchOptions['deadline']): Who {
  const roster = learners.roster?.bySubmission.get(submission.id);
  const out: Who = {};
  const lms = submission.lms;
  if (lms) {
    out.lms = {
      lms: lms.lms,
      prefix: lms.prefix,
      ...(lms.userId ? { userId: lms.userId } : {}),
      ...(lms.participantId ? { participantId: lms.participantId } : {}),
      ...(lms.files[0]?.attachmentId ? { attachmentId: lms.files[0].attachmentId } : {}),
      ...(lms.late ? { late: true } : {}),
    };
  }
  if (roster) out.roster = roster;
  if (deadline) {
    const when = submittedAt(submission, learners.times, intake.status === 'accepted' ? intake.newestMtimeMs : undefined);
    const due = learners.deadlineOf.get(submission.id)!;
    const submitted: SubmissionTime = when.at
      ? { at: when.at.toISOString(), source: when.source, deadline: due.toISOString(), ...lateness(when.at, due, deadline.policy) }
      : {
          deadline: due.toISOString(),
          lateMs: 0,
          penalty: 0,
          label: when.canvasMarker ? `time unknown; Canvas marks it ${when.canvasMarker}: no deduction` : 'submission time unknown: no deduction',
        };
    if (roster?.extension) submitted.extension = roster.extension;
    out.submitted = submitted;
    if (when.notes.length) out.notes = when.notes;
  } else if (submission.lms?.late) out.notes = [untrusted("Canvas's download marks this submission late (by Canvas's own due date)")];
  return out;
}

/** One learner's result: every exercise rejected with the intake's reason, or the outcomes of the runs. */
export function learnerResult(
  submission: Submission,
  intake: IntakeResult,
  who: Who,
  outcomes: RunTable<ExerciseOutcome>,
  metas: ExerciseMeta[],
): LearnerResult {
  // Keys in the order results/*.json has always had them.
  const head = { learner: submission.id, kind: submission.kind, ...who };
  if (intake.status === 'rejected') {
    const rejected = (e: ExerciseMeta): ExerciseOutcome => ({
      exercise: e.id,
      status: 'rejected',
      score: 0,
      maxScore: 0,
      message: untrusted(`submission rejected: ${intake.reason}`),
      tests: [],
      anomalies: [],
      diagnostics: [],
      durationMs: 0,
      suiteHash: e.suiteHash,
    });
    return finalize({ ...head, status: 'rejected', reason: intake.reason, score: 0, maxScore: 0, exercises: metas.map(rejected) }, metas);
  }
  const exercises = metas.map((e) => outcomes.get({ learner: submission.id, exercise: e.id })!);
  const status = learnerStatus(exercises);
  const reason = status === 'error' ? exercises.find((x) => x.status === 'error')?.message : undefined;
  return finalize({ ...head, status, reason, score: 0, maxScore: 0, exercises }, metas);
}

export interface Assembly {
  options: Pick<BatchOptions, 'courseTitle' | 'exercises' | 'shard' | 'roster' | 'deadline' | 'assignment'>;
  learners: Learners;
  intakes: Map<string, IntakeResult>;
  plan: RunPlan;
  /** Resumed and fresh outcomes of every run. */
  outcomes: RunTable<ExerciseOutcome>;
  metas: ExerciseMeta[];
  isolation: IsolationLayer[];
  uids?: { first: number; last: number };
  lanes: number;
  startedAt: string;
  finishedAt: string;
  code: SubmittedCode;
}

export function assembleGradebook(a: Assembly): Gradebook {
  const { options, learners, plan } = a;
  const results = learners.mine.map((s) => {
    const intake = a.intakes.get(s.id)!;
    return learnerResult(s, intake, learnerContext(s, intake, learners, options.deadline), a.outcomes, a.metas);
  });
  const meta: BatchMeta = {
    tool: 'course grade',
    version: 1,
    course: options.courseTitle,
    startedAt: a.startedAt,
    finishedAt: a.finishedAt,
    shard: options.shard,
    allLearners: learners.all.map((s) => s.id),
    learners: learners.mine.map((s) => s.id),
    exercises: a.metas,
    isolation: a.isolation,
    uids: a.uids,
    jobs: a.lanes,
    runs: { graded: plan.jobs.length, resumed: plan.resumed.size, reasons: plan.reasons },
    ...(plan.suiteChanges.length ? { suiteChanges: plan.suiteChanges } : {}),
    ...(learners.only.size ? { only: [...learners.only] } : {}),
    ...(options.assignment ? { assignment: options.assignment } : {}),
    ...(options.roster && learners.roster
      ? { roster: { file: options.roster.file, missing: learners.roster.missing, unrostered: learners.roster.unrostered } }
      : {}),
    ...(options.deadline
      ? {
          deadline: {
            at: options.deadline.at.toISOString(),
            policy: describePolicy(options.deadline.policy),
            late: options.deadline.policyText,
            timesFile: options.deadline.timesFile,
          },
        }
      : {}),
  };
  return { meta, learners: results, code: a.code };
}
