// Batch grading (DESIGN §4, §5) as plan -> pool -> assemble: plan.ts says who is graded and which runs are taken
// from the checkpoint; machinery.ts sets up the work folder and isolation layers; intake puts every submission in a
// folder of its own; run-jobs.ts runs the canary and then every remaining learner × exercise on the one pool
// (grader/run/pool.ts), each finished run going to the checkpoint at once; assemble.ts builds the gradebook.

import { mkdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectCode } from '../similarity/collect';
import { untrusted } from '../report/escape';
import type { JestProcess } from '../run/jest-process';
import type { ExerciseResult } from '../run/result';
import type { Pool } from '../run/pool';
import { MACHINERY } from '../run/run-exercise';
import { gradingSuiteHash, runGraded } from '../run/hidden';
import { lockOwner, tryLock, unlock } from '../lock';
import { assembleGradebook, exerciseMetas, maxScores, type ReferenceRun } from './assemble';
import { Checkpoint } from './checkpoint';
import { DEFAULT_LIMITS, intakeSubmission, type IntakeResult } from './intake';
import { releaseMachinery, setUpMachinery, type Machinery } from './machinery';
import { fromResult, type ExerciseOutcome, type Gradebook } from './model';
import type { BatchOptions } from './options';
import { planLearners, planNotices, planRuns, type Job, type Learners } from './plan';
import { batchPool, canaryExercises, runCanary, runJob } from './run-jobs';
import type { RunTable } from './run-key';
import { reserveUidBlock, type UidBlock } from './uid-block';

export type { BatchEvent, BatchOptions, Shard } from './options';
export { BatchInputError, parseShard, shardOf } from './plan';
export { CanaryError } from './run-jobs';

/** A second run started on the same --out by mistake. */
export class OutputBusyError extends Error {}

/** The lock of the run writing to an output folder (removed when it ends). */
export const OUT_LOCK = '.course-grade.lock';

/**
 * Runs `fn` as the only writer of an output folder: two runs would grade the same runs twice into one checkpoint,
 * and the first to finish would remove the work folder under the other. A lock left by a run that died (kill -9)
 * is taken over.
 */
export async function withOutputLock<T>(outDir: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(outDir, { recursive: true });
  const outLock = path.join(outDir, OUT_LOCK);
  if (!tryLock(outLock)) {
    throw new OutputBusyError(
      `another \`course grade\` (pid ${lockOwner(outLock) ?? '?'}) is writing to ${outDir}; wait for it to finish or choose another --out`,
    );
  }
  const onExit = () => unlock(outLock);
  process.once('exit', onExit);
  try {
    return await fn();
  } finally {
    process.removeListener('exit', onExit);
    unlock(outLock);
  }
}

export async function runBatch(options: BatchOptions): Promise<Gradebook> {
  // Dropping to unprivileged uids needs root on Linux; the run then holds its own block of uids until it ends.
  const root = process.platform === 'linux' && typeof process.getuid === 'function' && process.getuid() === 0;
  const block = root && options.isolation !== false ? reserveUidBlock(options.jobs) : undefined;
  try {
    return await gradeAll(options, block);
  } finally {
    block?.release();
  }
}

/** Intake: every submission of this shard, into a fresh folder of its own (named by the collision-free key). */
async function intakeAll(options: BatchOptions, learners: Learners, workDir: string): Promise<Map<string, IntakeResult>> {
  const intakes = new Map<string, IntakeResult>();
  for (const submission of learners.mine) {
    intakes.set(
      submission.id,
      await intakeSubmission(
        submission,
        options.exercises,
        path.join(workDir, 'submissions', learners.keys.get(submission.id)!),
        options.limits ?? DEFAULT_LIMITS,
      ),
    );
  }
  return intakes;
}

async function gradeAll(options: BatchOptions, block: UidBlock | undefined): Promise<Gradebook> {
  const startedAt = new Date().toISOString();
  const emit = options.onEvent ?? (() => undefined);
  const notice = options.onNotice ?? (() => undefined);
  // Input errors first, before anything is set up: an unknown --only name, a bad extension or metadata file.
  const learners = planLearners(options);
  const previousUmask = process.umask(0o022);
  mkdirSync(options.outDir, { recursive: true });
  const m = setUpMachinery(options, block?.base, notice);
  const suites = new Map(options.exercises.map((e) => [e.id, gradingSuiteHash(options.courseRoot, e)]));
  const checkpoint = new Checkpoint(path.join(options.outDir, 'checkpoint.jsonl'));
  const intakes = await intakeAll(options, learners, m.workDir);
  const plan = planRuns({
    courseRoot: options.courseRoot,
    exercises: options.exercises,
    learners: learners.mine,
    intakes,
    suites,
    checkpoint,
    only: learners.only,
  });
  for (const text of planNotices(plan, learners.only)) notice(text);
  const rejected = learners.mine.filter((s) => intakes.get(s.id)!.status === 'rejected').length;
  const code = collectCode(
    options.courseRoot,
    options.exercises,
    learners.mine.map((s) => ({ id: s.id, intake: intakes.get(s.id)! })),
  );
  for (const note of code.baseline?.notes ?? []) notice(`similarity: ${note}`);

  const lanes = Math.max(1, Math.min(options.jobs, plan.jobs.length || 1));
  const pool = batchPool(m, lanes);
  const outcomes = plan.resumed.copy(); // the resumed outcomes, then the fresh ones as they finish
  // Also on Ctrl-C (the CLI exits at once): no process, cgroup or work folder is left behind. The checkpoint
  // already holds every finished run.
  const cleanUp = () => {
    pool.cancel();
    pool.close();
    releaseMachinery(m);
  };
  process.once('exit', cleanUp);
  let canaryMax = new Map<string, number>();
  try {
    const canary = canaryExercises(options, plan.jobs);
    if (canary.length) {
      notice(`checking the grading machinery: ${canary.length} reference solution(s) under the same isolation…`);
      canaryMax = await runCanary(m, options, pool, canary);
    }
    emit({ type: 'start', total: plan.jobs.length + plan.resumed.size, resumed: plan.resumed.size, learners: learners.mine.length, rejected });
    for (const s of learners.mine) {
      for (const e of options.exercises) {
        const outcome = plan.resumed.get({ learner: s.id, exercise: e.id });
        if (outcome) emit({ type: 'run', learner: s.id, outcome, resumed: true });
      }
    }
    await gradeJobs(m, { ...options, starters: code.starters }, pool, plan.jobs, checkpoint, suites, outcomes);
  } finally {
    process.removeListener('exit', cleanUp);
    cleanUp();
    checkpoint.close();
    process.umask(previousUmask);
  }

  const maxOf = maxScores(options.exercises, outcomes, canaryMax);
  const references = await referenceRuns(options, maxOf, notice);
  const uid0 = m.isolation.uidOf(0);
  return assembleGradebook({
    options,
    learners,
    intakes,
    plan,
    outcomes,
    metas: exerciseMetas(options.exercises, suites, outcomes, maxOf, references),
    isolation: m.isolation.layers,
    uids: uid0 === undefined ? undefined : { first: uid0, last: m.isolation.uidOf(lanes - 1)! },
    lanes,
    startedAt,
    finishedAt: new Date().toISOString(),
    code,
  });
}

/** Every job on the pool, in order; each outcome is checkpointed and reported as it finishes. */
async function gradeJobs(
  m: Machinery,
  options: BatchOptions & { starters: Record<string, Record<string, string>> },
  pool: Pool<JestProcess>,
  jobs: Job[],
  checkpoint: Checkpoint,
  suites: Map<string, string>,
  outcomes: RunTable<ExerciseOutcome>,
): Promise<void> {
  const emit = options.onEvent ?? (() => undefined);
  await pool.run(
    jobs,
    (job, lane) => runJob(m, options, job, lane),
    (settled) => {
      if (settled.status === 'cancelled') return;
      const job = settled.job;
      let outcome: ExerciseOutcome;
      if (settled.status === 'failed') {
        // An internal failure: reported, not checkpointed (a re-run tries again).
        outcome = internalError(settled.error, job.exercise.id, suites.get(job.exercise.id)!);
        outcome.run = { fresh: true, at: new Date().toISOString(), reason: job.reason };
      } else {
        const result: ExerciseResult = settled.value;
        // A machinery failure is not kept: the next run (once the cause is fixed) grades it again.
        const record = result.status !== 'error' ? checkpoint.append(job.submission.id, result, result.filesHash) : { at: new Date().toISOString() };
        outcome = fromResult(result);
        outcome.run = { fresh: true, at: record.at, reason: job.reason };
      }
      outcomes.set(job.key, outcome);
      emit({ type: 'run', learner: job.submission.id, outcome, resumed: false });
    },
  );
}

function internalError(err: unknown, exercise: string, suiteHash: string): ExerciseOutcome {
  return {
    exercise,
    status: 'error',
    score: 0,
    maxScore: 0,
    message: untrusted(`${MACHINERY}: internal error: ${err instanceof Error ? err.message : String(err)}`),
    tests: [],
    anomalies: [],
    diagnostics: [],
    durationMs: 0,
    suiteHash,
  };
}

/**
 * An exercise's max score comes from its runs; one that no submission ran (nobody submitted it) takes it from a
 * run of the reference solution, when the course has one (trusted code: no isolation needed).
 */
async function referenceRuns(options: BatchOptions, maxOf: Map<string, number>, notice: (text: string) => void): Promise<Map<string, ReferenceRun>> {
  const references = new Map<string, ReferenceRun>();
  for (const e of options.exercises) {
    const solution = path.join(options.courseRoot, e.solution);
    if (maxOf.get(e.id) || !e.files.every((f) => existsSync(path.join(solution, f)))) continue;
    const refWork = mkdtempSync(path.join(os.tmpdir(), 'course-reference-'));
    try {
      const ref = await runGraded({ hidden: true, courseRoot: options.courseRoot, exercise: e, implRoot: solution, typecheck: false, workDir: refWork });
      references.set(e.id, { maxScore: ref.maxScore, ...(ref.hidden ? { hiddenMaxScore: ref.hidden.maxScore } : {}) });
      if (ref.status !== 'passed') notice(`warning: the reference solution of ${e.id} does not pass its own suite (${ref.score}/${ref.maxScore})`);
    } finally {
      rmSync(refWork, { recursive: true, force: true });
    }
  }
  return references;
}
