// The plan of a batch (DESIGN §4, §5), before any process starts: which submissions this run grades (discovery,
// the shard's share, --only), who they are (roster) and when they were due (deadlines), then which runs are taken
// from the checkpoint and which are graded now, and why. Input errors surface here, before anything is set up.

import type { ExerciseSpec } from '../course/schema';
import { collectSources, hashFiles } from '../run/build';
import type { CheckpointRecord } from './checkpoint';
import { discoverSubmissions, type IntakeResult, type Submission } from './intake';
import { personalDeadline } from './late';
import { learnerKeys, LearnerKeyCollision } from './learner-key';
import { fromResult, type ExerciseOutcome, type RunReason, type SuiteChange } from './model';
import { matchRoster, type RosterMatch } from './roster';
import { RunTable, type RunKey } from './run-key';
import { readTimesFile } from './submitted-at';
import type { BatchOptions, Shard } from './options';

/** Input that names things that are not there (an unknown --only learner). */
export class BatchInputError extends Error {}

export function parseShard(text: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) return undefined;
  return { index, count };
}

/** The share of shard i/n: every n-th id of the sorted list, starting at the i-th. Deterministic and balanced. */
export function shardOf<T extends { id: string }>(sorted: T[], shard: Shard | undefined): T[] {
  if (!shard) return sorted;
  return sorted.filter((_, position) => position % shard.count === shard.index - 1);
}

/** Who this run grades, and what it knows about them before grading. */
export interface Learners {
  /** Every submission of the folder, sorted (all shards). */
  all: Submission[];
  /** This shard's share. */
  mine: Submission[];
  /** Every id's collision-free file name (learner-key.ts), over the whole folder. */
  keys: Map<string, string>;
  only: Set<string>;
  roster?: RosterMatch;
  /** Each learner's deadline (with --deadline), extensions applied. */
  deadlineOf: Map<string, Date>;
  times?: Map<string, Date>;
}

type LearnerOptions = Pick<BatchOptions, 'submissionsDir' | 'shard' | 'only' | 'roster' | 'deadline'>;

export function planLearners(options: LearnerOptions): Learners {
  const all = discoverSubmissions(options.submissionsDir);
  // Every id's file name, checked over the whole folder (not only this shard's share): two learners never share one.
  let keys: Map<string, string>;
  try {
    keys = learnerKeys(all.map((s) => s.id));
  } catch (err) {
    if (err instanceof LearnerKeyCollision) throw new BatchInputError(err.message);
    throw err;
  }
  const mine = shardOf(all, options.shard);
  const unknownOnly = (options.only ?? []).filter((id) => !all.some((s) => s.id === id));
  if (unknownOnly.length) throw new BatchInputError(`--only: no submission named ${unknownOnly.map((id) => `"${id}"`).join(', ')}`);
  const roster = options.roster
    ? matchRoster(
        options.roster.entries,
        all.map((s) => s.id),
        new Map(all.filter((s) => s.lms).map((s) => [s.id, { lms: s.lms!.lms, userId: s.lms!.userId, name: s.lms!.name }])),
      )
    : undefined;
  // Every learner's deadline up front: a bad extension in the roster is an input error before anything runs.
  const deadlineOf = new Map<string, Date>();
  if (options.deadline) {
    for (const r of options.roster?.entries ?? []) personalDeadline(options.deadline.at, r.extension, r.name ?? r.submission);
    for (const s of mine) {
      const entry = roster?.bySubmission.get(s.id);
      deadlineOf.set(s.id, personalDeadline(options.deadline.at, entry?.extension, entry?.name ?? s.id));
    }
  }
  const times = options.deadline?.timesFile ? readTimesFile(options.deadline.timesFile) : undefined;
  return { all, mine, keys, only: new Set(options.only ?? []), ...(roster ? { roster } : {}), deadlineOf, ...(times ? { times } : {}) };
}

/** One run to grade now. */
export interface Job {
  key: RunKey;
  submission: Submission;
  exercise: ExerciseSpec;
  implRoot: string;
  /** The hash of the graded files, as the checkpoint keys them. */
  filesHash: string;
  reason: RunReason;
}

export interface RunPlan {
  /** In order, learner by learner: a resumed run continues where it stopped. */
  jobs: Job[];
  /** Runs the checkpoint already holds (same suite, same files), as outcomes. */
  resumed: RunTable<ExerciseOutcome>;
  reasons: Partial<Record<RunReason, number>>;
  suiteChanges: SuiteChange[];
}

/** What the plan reads of the checkpoint. */
export interface CheckpointView {
  get(learner: string, exercise: string, suiteHash: string, filesHash: string): CheckpointRecord | undefined;
  last(learner: string, exercise: string): CheckpointRecord | undefined;
}

export interface RunInputs {
  courseRoot: string;
  exercises: ExerciseSpec[];
  learners: Submission[];
  intakes: Map<string, IntakeResult>;
  /** Each exercise's grading suite hash. */
  suites: Map<string, string>;
  checkpoint: CheckpointView;
  only: Set<string>;
}

export function planRuns(input: RunInputs): RunPlan {
  const plan: RunPlan = { jobs: [], resumed: new RunTable(), reasons: {}, suiteChanges: [] };
  const changed = new Map<string, { from: Set<string>; runs: number }>();
  for (const submission of input.learners) {
    const intake = input.intakes.get(submission.id)!;
    if (intake.status !== 'accepted') continue;
    for (const exercise of input.exercises) {
      const key: RunKey = { learner: submission.id, exercise: exercise.id };
      const implRoot = intake.roots[exercise.id]!;
      const filesHash = hashFiles(collectSources(input.courseRoot, exercise, implRoot).files);
      const suite = input.suites.get(exercise.id)!;
      const done = input.only.has(submission.id) ? undefined : input.checkpoint.get(key.learner, key.exercise, suite, filesHash);
      if (done) {
        const outcome = fromResult(done.result);
        outcome.run = { fresh: false, at: done.at };
        plan.resumed.set(key, outcome);
        continue;
      }
      // Why this run is graded now: the suite changed since the checkpoint's run (everyone's run of this exercise
      // is graded again), the learner is named in --only, the files changed, or there is no earlier run.
      const last = input.checkpoint.last(key.learner, key.exercise);
      let reason: RunReason = 'new';
      if (last && last.suiteHash !== suite) {
        reason = 'suite changed';
        const c = changed.get(exercise.id) ?? { from: new Set<string>(), runs: 0 };
        c.from.add(last.suiteHash);
        c.runs++;
        changed.set(exercise.id, c);
      } else if (input.only.has(submission.id)) reason = '--only';
      else if (last && last.filesHash !== filesHash) reason = 'files changed';
      plan.reasons[reason] = (plan.reasons[reason] ?? 0) + 1;
      plan.jobs.push({ key, submission, exercise, implRoot, filesHash, reason });
    }
  }
  plan.suiteChanges = [...changed].map(([exercise, c]) => ({ exercise, from: [...c.from], to: input.suites.get(exercise)!, runs: c.runs }));
  return plan;
}

/** What the plan says before grading: suites that changed, learners named in --only. */
export function planNotices(plan: RunPlan, only: Set<string>): string[] {
  const short = (hash: string) => hash.slice(0, 12);
  const out = plan.suiteChanges.map(
    (c) =>
      `the suite of ${c.exercise} changed since the checkpoint (was ${c.from.map(short).join(', ')}, now ${short(c.to)}): ${c.exercise} is graded again for all ${c.runs} learner(s) the checkpoint had`,
  );
  if (only.size) out.push(`--only: ${[...only].join(', ')} graded again whatever the checkpoint holds`);
  return out;
}
